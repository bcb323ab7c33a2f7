#include "core/mail/imap_store.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "base/ids.h"

namespace mailjuke::core {
namespace {

constexpr const char* kFolderColumns =
    "id, name, special_use, subscribed, uidvalidity, uidnext, highest_modseq";
constexpr size_t kInChunk = 500;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool iequals(const std::string& a, const std::string& b) { return lower(a) == lower(b); }

// RFC 9051 §5.1: "INBOX" is case-insensitive; other names are compared exactly.
std::string normalizeName(const std::string& name) {
  return iequals(name, "INBOX") ? std::string("INBOX") : name;
}

ImapFolder folderFromRow(const store::Row& r) {
  ImapFolder f;
  f.id = r.text(0);
  f.name = r.text(1);
  f.special_use = r.optText(2);
  f.subscribed = r.boolean(3);
  f.uidvalidity = r.integer(4);
  f.uidnext = r.integer(5);
  f.highest_modseq = r.integer(6);
  return f;
}

Result<ImapFolder> findFolder(store::Tx& tx, const std::string& mailbox_id, const std::string& name,
                              bool lock = false) {
  MJ_TRY_ASSIGN(auto row, tx.queryOne(std::string("SELECT ") + kFolderColumns +
                                          " FROM mail_folders WHERE mailbox_id = ? AND name = ?" +
                                          (lock ? tx.forUpdate() : ""),
                                      {mailbox_id, normalizeName(name)}));
  if (!row) return Error::notFound("folder " + name);
  return folderFromRow(*row);
}

std::string placeholders(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += i ? ",?" : "?";
  return s;
}

}  // namespace

std::string canonicalFlag(const std::string& flag) {
  static const char* kSystem[] = {"\\Seen",    "\\Answered", "\\Flagged",
                                  "\\Deleted", "\\Draft",    "\\Recent"};
  for (const char* s : kSystem)
    if (iequals(flag, s)) return s;
  return flag;
}

std::vector<std::string> splitFlags(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string f;
  while (in >> f) {
    f = canonicalFlag(f);
    if (!hasFlag(out, f)) out.push_back(f);
  }
  return out;
}

std::string joinFlagList(const std::vector<std::string>& flags) {
  std::string out;
  for (const auto& f : flags) {
    if (!out.empty()) out += ' ';
    out += f;
  }
  return out;
}

bool hasFlag(const std::vector<std::string>& flags, const std::string& flag) {
  for (const auto& f : flags)
    if (iequals(f, flag)) return true;
  return false;
}

Result<std::vector<ImapFolder>> ImapStore::folders(const std::string& mailbox_id) {
  using Out = std::vector<ImapFolder>;
  return ctx_.db.read<Out>([&](store::Tx& tx) -> Result<Out> {
    MJ_TRY_ASSIGN(auto rows, tx.query(std::string("SELECT ") + kFolderColumns +
                                          " FROM mail_folders WHERE mailbox_id = ? ORDER BY "
                                          "CASE WHEN name = 'INBOX' THEN 0 ELSE 1 END, name",
                                      {mailbox_id}));
    Out out;
    for (const auto& r : rows) out.push_back(folderFromRow(r));
    return out;
  });
}

Result<ImapFolder> ImapStore::folder(const std::string& mailbox_id, const std::string& name) {
  return ctx_.db.read<ImapFolder>(
      [&](store::Tx& tx) -> Result<ImapFolder> { return findFolder(tx, mailbox_id, name); });
}

Result<ImapFolderStatus> ImapStore::status(const std::string& mailbox_id, const std::string& name) {
  return ctx_.db.read<ImapFolderStatus>([&](store::Tx& tx) -> Result<ImapFolderStatus> {
    ImapFolderStatus st;
    MJ_TRY_ASSIGN(st.folder, findFolder(tx, mailbox_id, name));
    MJ_TRY_ASSIGN(auto rows,
                  tx.query("SELECT flags FROM mail_messages WHERE folder_id = ?", {st.folder.id}));
    st.messages = static_cast<int64_t>(rows.size());
    for (const auto& r : rows)
      if (!hasFlag(splitFlags(r.text(0)), "\\Seen")) ++st.unseen;
    return st;
  });
}

Result<int64_t> ImapStore::usedBytes(const std::string& mailbox_id) {
  return mail_.usedBytes(mailbox_id);
}

Result<int64_t> ImapStore::highestModseq(const std::string& folder_id) {
  return ctx_.db.read<int64_t>([&](store::Tx& tx) -> Result<int64_t> {
    MJ_TRY_ASSIGN(auto row,
                  tx.queryOne("SELECT highest_modseq FROM mail_folders WHERE id = ?", {folder_id}));
    if (!row) return Error::notFound("folder");
    return row->integer(0);
  });
}

Result<std::vector<ImapMessage>> ImapStore::messages(const std::string& folder_id) {
  using Out = std::vector<ImapMessage>;
  return ctx_.db.read<Out>([&](store::Tx& tx) -> Result<Out> {
    MJ_TRY_ASSIGN(auto rows, tx.query("SELECT uid, flags, size, internal_date, blob_id, modseq "
                                      "FROM mail_messages WHERE folder_id = ? ORDER BY uid",
                                      {folder_id}));
    Out out;
    out.reserve(rows.size());
    for (const auto& r : rows) {
      out.push_back({r.integer(0), splitFlags(r.text(1)), r.integer(2), r.integer(3), r.text(4),
                     r.integer(5)});
    }
    return out;
  });
}

Result<std::vector<CachedStructure>> ImapStore::structures(const std::string& folder_id,
                                                           const std::vector<int64_t>& uids,
                                                           bool envelope, bool parts) {
  using Out = std::vector<CachedStructure>;
  std::vector<int64_t> sorted(uids);
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  const std::string columns = std::string("SELECT uid, ") + (envelope ? "envelope" : "NULL") +
                              ", " + (parts ? "bodystructure" : "NULL") + " FROM mail_messages ";
  return ctx_.db.read<Out>([&](store::Tx& tx) -> Result<Out> {
    Out out;
    out.reserve(sorted.size());
    auto take = [&](const store::Rows& rows, bool filter) {
      for (const auto& r : rows) {
        if (filter && !std::binary_search(sorted.begin(), sorted.end(), r.integer(0))) continue;
        out.push_back({r.integer(0), r.optText(1), r.optText(2)});
      }
    };
    if (sorted.size() > kInChunk) {
      // A large set (FETCH 1:*, or one chunk of it): one range scan beats many IN lists.
      MJ_TRY_ASSIGN(auto rows,
                    tx.query(columns + "WHERE folder_id = ? AND uid >= ? AND uid <= ? ORDER BY uid",
                             {folder_id, sorted.front(), sorted.back()}));
      take(rows, true);
      return out;
    }
    store::Params args{folder_id};
    for (int64_t u : sorted) args.push_back(u);
    MJ_TRY_ASSIGN(auto rows, tx.query(columns + "WHERE folder_id = ? AND uid IN (" +
                                          placeholders(sorted.size()) + ") ORDER BY uid",
                                      args));
    take(rows, false);
    return out;
  });
}

Result<std::string> ImapStore::header(const std::string& blob_id) {
  if (auto cached = headers_.get(blob_id)) return std::move(*cached);
  MJ_TRY_ASSIGN(auto content, mail_.blobs().get(blob_id));
  std::string h(headerBlock(content));
  headers_.put(blob_id, h);
  return h;
}

Result<FlagUpdateResult> ImapStore::storeFlags(const std::string& folder_id,
                                               const std::vector<int64_t>& uids,
                                               const FlagUpdate& update) {
  std::vector<std::string> wanted;
  for (const auto& f : update.flags) {
    std::string c = canonicalFlag(f);
    if (c != "\\Recent" && !hasFlag(wanted, c)) wanted.push_back(c);
  }
  std::string mailbox_id;
  auto result = ctx_.db.write<FlagUpdateResult>([&](store::Tx& tx) -> Result<FlagUpdateResult> {
    FlagUpdateResult out;
    MJ_TRY_ASSIGN(auto folder, tx.queryOne(std::string("SELECT highest_modseq, mailbox_id FROM "
                                                       "mail_folders WHERE id = ?") +
                                               tx.forUpdate(),
                                           {folder_id}));
    if (!folder) return Error::notFound("folder");
    mailbox_id = folder->text(1);
    const int64_t modseq = folder->integer(0) + 1;
    for (size_t at = 0; at < uids.size(); at += kInChunk) {
      size_t n = std::min(kInChunk, uids.size() - at);
      store::Params params{folder_id};
      for (size_t i = 0; i < n; ++i) params.push_back(uids[at + i]);
      MJ_TRY_ASSIGN(auto rows, tx.query("SELECT uid, flags, size, internal_date, blob_id, modseq "
                                        "FROM mail_messages WHERE folder_id = ? AND uid IN (" +
                                            placeholders(n) + ")",
                                        params));
      for (const auto& r : rows) {
        ImapMessage m{r.integer(0), splitFlags(r.text(1)), r.integer(2), r.integer(3),
                      r.text(4),    r.integer(5)};
        if (update.unchanged_since && m.modseq > *update.unchanged_since) {
          out.failed_uids.push_back(m.uid);  // RFC 7162 §3.1.3
          continue;
        }
        std::vector<std::string> next;
        if (update.mode == FlagMode::kReplace) {
          next = wanted;
        } else if (update.mode == FlagMode::kAdd) {
          next = m.flags;
          for (const auto& f : wanted)
            if (!hasFlag(next, f)) next.push_back(f);
        } else {
          for (const auto& f : m.flags)
            if (!hasFlag(wanted, f)) next.push_back(f);
        }
        std::set<std::string> before, after;
        for (const auto& f : m.flags) before.insert(lower(f));
        for (const auto& f : next) after.insert(lower(f));
        if (before == after) continue;
        MJ_TRY(
            tx.exec("UPDATE mail_messages SET flags = ?, modseq = ? WHERE folder_id = ? AND "
                    "uid = ?",
                    {joinFlagList(next), modseq, folder_id, m.uid}));
        m.flags = std::move(next);
        m.modseq = modseq;
        out.changed.push_back(std::move(m));
      }
    }
    if (!out.changed.empty()) {
      MJ_TRY(
          tx.exec("UPDATE mail_folders SET highest_modseq = ? WHERE id = ?", {modseq, folder_id}));
    }
    std::sort(out.changed.begin(), out.changed.end(),
              [](const ImapMessage& a, const ImapMessage& b) { return a.uid < b.uid; });
    std::sort(out.failed_uids.begin(), out.failed_uids.end());
    return out;
  });
  if (result.ok() && !result->changed.empty()) mail_.changes().notify(mailbox_id, folder_id);
  return result;
}

Result<int64_t> ImapStore::claimRecent(const std::string& folder_id, int64_t upto) {
  // Nothing to claim (EXAMINE, or no new message): a read suffices.
  MJ_TRY_ASSIGN(int64_t seen, ctx_.db.read<int64_t>([&](store::Tx& tx) -> Result<int64_t> {
    MJ_TRY_ASSIGN(auto row,
                  tx.queryOne("SELECT recent_uid FROM mail_folders WHERE id = ?", {folder_id}));
    if (!row) return Error::notFound("folder");
    return row->integer(0);
  }));
  if (upto <= seen) return seen;
  return ctx_.db.write<int64_t>([&](store::Tx& tx) -> Result<int64_t> {
    MJ_TRY_ASSIGN(auto row,
                  tx.queryOne(std::string("SELECT recent_uid FROM mail_folders WHERE id = ?") +
                                  tx.forUpdate(),
                              {folder_id}));
    if (!row) return Error::notFound("folder");
    const int64_t from = row->integer(0);
    if (upto > from)
      MJ_TRY(tx.exec("UPDATE mail_folders SET recent_uid = ? WHERE id = ?", {upto, folder_id}));
    return from;
  });
}

Result<std::vector<int64_t>> ImapStore::expunge(const std::string& folder_id,
                                                const std::optional<std::vector<int64_t>>& only) {
  using Out = std::vector<int64_t>;
  std::set<int64_t> allowed;
  if (only) allowed.insert(only->begin(), only->end());
  std::string mailbox_id;
  auto result = ctx_.db.write<Out>([&](store::Tx& tx) -> Result<Out> {
    MJ_TRY_ASSIGN(auto folder, tx.queryOne(std::string("SELECT highest_modseq, mailbox_id FROM "
                                                       "mail_folders WHERE id = ?") +
                                               tx.forUpdate(),
                                           {folder_id}));
    if (!folder) return Error::notFound("folder");
    mailbox_id = folder->text(1);
    MJ_TRY_ASSIGN(auto rows, tx.query("SELECT uid, flags, size FROM mail_messages WHERE "
                                      "folder_id = ? ORDER BY uid",
                                      {folder_id}));
    Out out;
    int64_t freed = 0;
    for (const auto& r : rows) {
      if (!hasFlag(splitFlags(r.text(1)), "\\Deleted")) continue;
      if (only && !allowed.count(r.integer(0))) continue;
      MJ_TRY(tx.exec("DELETE FROM mail_messages WHERE folder_id = ? AND uid = ?",
                     {folder_id, r.integer(0)}));
      out.push_back(r.integer(0));
      freed += r.integer(2);
    }
    // RFC 7162 §3.1.2: an expunge changes the folder's state, so HIGHESTMODSEQ moves on.
    if (!out.empty()) {
      MJ_TRY(
          tx.exec("UPDATE mail_folders SET highest_modseq = ?, total_bytes = total_bytes - ? "
                  "WHERE id = ?",
                  {folder->integer(0) + 1, freed, folder_id}));
    }
    return out;
  });
  if (result.ok() && !result->empty()) mail_.changes().notify(mailbox_id, folder_id);
  return result;
}

}  // namespace mailjuke::core
