// An in-memory ImapBackend for unit tests and the fuzz target. Not for production.
#pragma once

#include <algorithm>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "proto/mime/structure_json.h"
#include "server/imap/imap_backend.h"

namespace mailjuke::imap::testing {

class FakeBackend : public ImapBackend {
 public:
  int message_loads = 0;  // calls of messages()
  // "user@hosted.test" / "secret" logs in (mailbox "mbx_user"); "frozen@hosted.test" is
  // suspended. Folders: INBOX, Sent (\Sent), Archive/2025.
  FakeBackend() {
    folders_ = {{"f_inbox", "INBOX", std::nullopt, true, 100, 1, 1},
                {"f_sent", "Sent", std::string("\\Sent"), true, 101, 1, 1},
                {"f_arch", "Archive/2025", std::nullopt, false, 102, 1, 1}};
  }
  core::MailChanges changes;  // notified like MailStore/ImapStore do
  int64_t quota_limit = 1 << 20;
  bool throw_on_content = false;
  int content_calls = 0;
  int structures_calls = 0;
  int header_calls = 0;
  // Like MailStore at delivery: add() caches the structure JSON. false = a message stored
  // before the cache existed (NULL columns).
  bool cache_structures = true;
  // \Recent: true = every message is recent until a SELECT claims it (the real store); false =
  // messages added before a folder's first claim are not recent (keeps FLAGS output short).
  bool recent_from_start = false;

  // Adds a message to a folder; returns its UID.
  int64_t add(const std::string& folder_id, std::string content,
              std::vector<std::string> flags = {}, int64_t date = 1700000000) {
    auto& f = find(folder_id);
    core::ImapMessage m{f.uidnext++,
                        std::move(flags),
                        int64_t(content.size()),
                        date,
                        "blob" + std::to_string(blobs_.size()),
                        ++f.highest_modseq};
    if (cache_structures) {
      auto s = mime::parseStructure(content);
      if (s.ok())
        cached_[m.blob_id] = {m.uid, mime::envelopeToJson(s->envelope), mime::partToJson(s->root)};
    }
    blobs_[m.blob_id] = std::move(content);
    msgs_[folder_id].push_back(m);
    changes.notify("mbx_user", folder_id);
    return m.uid;
  }
  const std::vector<core::ImapMessage>& stored(const std::string& folder_id) {
    return msgs_[folder_id];
  }

  std::pair<core::MailAuthResult, std::shared_ptr<const core::MailAccount>> authenticate(
      std::string_view user, std::string_view password) override {
    auto a = std::make_shared<core::MailAccount>();
    a->id = "mbx_user";
    if (user == "frozen@hosted.test") return {core::MailAuthResult::kSuspended, nullptr};
    if (user != "user@hosted.test" || password != "secret")
      return {core::MailAuthResult::kBadCredentials, nullptr};
    return {core::MailAuthResult::kOk, a};
  }
  Result<std::vector<core::ImapFolder>> folders(const std::string&) override { return folders_; }
  Result<core::ImapFolderStatus> status(const std::string&, const std::string& name) override {
    for (auto& f : folders_) {
      if (f.name == name || (name == "inbox" && f.name == "INBOX")) {
        core::ImapFolderStatus st{f, int64_t(msgs_[f.id].size()), 0};
        for (auto& m : msgs_[f.id])
          if (!core::hasFlag(m.flags, "\\Seen")) ++st.unseen;
        return st;
      }
    }
    return Error::notFound("folder " + name);
  }
  Result<std::vector<core::ImapMessage>> messages(const std::string& folder_id) override {
    ++message_loads;
    return msgs_[folder_id];
  }
  Result<int64_t> highestModseq(const std::string& folder_id) override {
    for (const auto& f : folders_)
      if (f.id == folder_id) return f.highest_modseq;
    return Error::notFound("folder");
  }
  Result<core::FlagUpdateResult> storeFlags(const std::string& folder_id,
                                            const std::vector<int64_t>& uids,
                                            const core::FlagUpdate& u) override {
    core::FlagUpdateResult out;
    auto& f = find(folder_id);
    int64_t modseq = f.highest_modseq + 1;
    for (auto& m : msgs_[folder_id]) {
      if (std::find(uids.begin(), uids.end(), m.uid) == uids.end()) continue;
      if (u.unchanged_since && m.modseq > *u.unchanged_since) {
        out.failed_uids.push_back(m.uid);
        continue;
      }
      std::vector<std::string> next;
      if (u.mode == core::FlagMode::kReplace) next = u.flags;
      if (u.mode == core::FlagMode::kAdd) {
        next = m.flags;
        for (auto& fl : u.flags)
          if (!core::hasFlag(next, fl)) next.push_back(core::canonicalFlag(fl));
      }
      if (u.mode == core::FlagMode::kRemove)
        for (auto& fl : m.flags)
          if (!core::hasFlag(u.flags, fl)) next.push_back(fl);
      if (next == m.flags) continue;
      m.flags = next;
      m.modseq = modseq;
      out.changed.push_back(m);
    }
    if (!out.changed.empty()) f.highest_modseq = modseq, changes.notify("mbx_user", folder_id);
    return out;
  }
  Result<std::vector<int64_t>> expunge(const std::string& folder_id,
                                       const std::optional<std::vector<int64_t>>& only) override {
    std::vector<int64_t> out;
    auto& v = msgs_[folder_id];
    for (auto it = v.begin(); it != v.end();) {
      bool listed = !only || std::find(only->begin(), only->end(), it->uid) != only->end();
      if (listed && core::hasFlag(it->flags, "\\Deleted")) {
        out.push_back(it->uid);
        it = v.erase(it);
      } else {
        ++it;
      }
    }
    if (!out.empty()) ++find(folder_id).highest_modseq, changes.notify("mbx_user", folder_id);
    return out;
  }
  Result<int64_t> claimRecent(const std::string& folder_id, int64_t upto) override {
    auto it = recent_.find(folder_id);
    if (it == recent_.end())
      it = recent_.emplace(folder_id, recent_from_start ? 1 : find(folder_id).uidnext).first;
    int64_t from = it->second;
    it->second = std::max(from, upto);
    return from;
  }
  Result<std::string> content(const std::string& blob_id) override {
    ++content_calls;
    if (throw_on_content) throw std::runtime_error("disk on fire");
    auto it = blobs_.find(blob_id);
    if (it == blobs_.end()) return Error::notFound("blob");
    return it->second;
  }
  Result<std::string> header(const std::string& blob_id) override {
    ++header_calls;
    if (throw_on_content) throw std::runtime_error("disk on fire");
    auto it = blobs_.find(blob_id);
    if (it == blobs_.end()) return Error::notFound("blob");
    return std::string(core::headerBlock(it->second));
  }
  Result<std::vector<core::CachedStructure>> structures(const std::string& folder_id,
                                                        const std::vector<int64_t>& uids,
                                                        bool envelope, bool parts) override {
    ++structures_calls;
    std::vector<core::CachedStructure> out;
    for (const auto& m : msgs_[folder_id]) {
      if (std::find(uids.begin(), uids.end(), m.uid) == uids.end()) continue;
      auto it = cached_.find(m.blob_id);
      core::CachedStructure c{m.uid, std::nullopt, std::nullopt};
      if (it != cached_.end()) {
        if (envelope) c.envelope = it->second.envelope;
        if (parts) c.bodystructure = it->second.bodystructure;
      }
      out.push_back(std::move(c));
    }
    return out;
  }

  Status createFolder(const std::string&, const std::string& name) override {
    for (auto& f : folders_)
      if (f.name == name) return Error::make(ErrorCode::kConflict, "exists");
    folders_.push_back({"f_" + name, name, std::nullopt, true, 200, 1, 1});
    return {};
  }
  Status deleteFolder(const std::string&, const std::string& name) override {
    for (auto it = folders_.begin(); it != folders_.end(); ++it)
      if (it->name == name) return folders_.erase(it), Status();
    return Error::notFound("folder " + name);
  }
  Status renameFolder(const std::string&, const std::string& from, const std::string& to) override {
    for (auto& f : folders_)
      if (f.name == from) return f.name = to, Status();
    return Error::notFound("folder " + from);
  }
  Status setSubscribed(const std::string&, const std::string& name, bool on) override {
    for (auto& f : folders_)
      if (f.name == name) return f.subscribed = on, Status();
    return Error::notFound("folder " + name);
  }
  Result<core::CopyResult> copy(const std::string&, const std::string& folder_id,
                                const std::vector<int64_t>& uids, const std::string& dest,
                                bool move) override {
    core::ImapFolder* d = nullptr;
    for (auto& f : folders_)
      if (f.name == dest) d = &f;
    if (!d) return Error::notFound("folder " + dest);
    core::CopyResult out{d->uidvalidity, {}, {}};
    std::string dest_id = d->id;
    auto src = msgs_[folder_id];
    for (const auto& m : src) {
      if (std::find(uids.begin(), uids.end(), m.uid) == uids.end()) continue;
      out.source.push_back(m.uid);
      out.dest.push_back(add(dest_id, blobs_[m.blob_id], m.flags, m.internal_date));
    }
    if (move) {
      auto& v = msgs_[folder_id];
      v.erase(std::remove_if(v.begin(), v.end(),
                             [&](const core::ImapMessage& m) {
                               return std::find(out.source.begin(), out.source.end(), m.uid) !=
                                      out.source.end();
                             }),
              v.end());
      if (!out.source.empty()) ++find(folder_id).highest_modseq;
    }
    return out;
  }
  std::unique_ptr<core::MailChanges::Subscription> watch(const std::string& mailbox_id,
                                                         const void* origin,
                                                         std::function<void()> cb) override {
    return changes.subscribe(mailbox_id, origin, std::move(cb));
  }
  Result<core::MailboxQuota> quota(const std::string&) override {
    core::MailboxQuota q{0, quota_limit};
    for (auto& [id, v] : msgs_)
      for (auto& m : v) q.used_bytes += m.size;
    return q;
  }
  Result<core::AppendResult> append(const std::string&, const std::string& folder,
                                    const std::string& content,
                                    const std::vector<std::string>& flags, int64_t date) override {
    if (quota("")->used_bytes + int64_t(content.size()) > quota_limit)
      return Error::make(ErrorCode::kPaymentRequired, "over quota");
    for (auto& f : folders_)
      if (f.name == folder) {
        int64_t uid = add(f.id, content, flags, date ? date : 1700000000);
        return core::AppendResult{f.uidvalidity, uid};
      }
    return Error::notFound("folder " + folder);
  }

 private:
  core::ImapFolder& find(const std::string& id) {
    for (auto& f : folders_)
      if (f.id == id) return f;
    throw std::logic_error("no folder " + id);
  }
  std::vector<core::ImapFolder> folders_;
  std::map<std::string, std::vector<core::ImapMessage>> msgs_;
  std::map<std::string, std::string> blobs_;
  std::map<std::string, int64_t> recent_;                // folder id → first unclaimed UID
  std::map<std::string, core::CachedStructure> cached_;  // by blob id
};

}  // namespace mailjuke::imap::testing
