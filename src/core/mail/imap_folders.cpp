// ImapStore: folder management (CREATE, DELETE, RENAME, SUBSCRIBE) and APPEND.
#include <algorithm>

#include "base/crypto.h"
#include "base/ids.h"
#include "core/mail/imap_store.h"

namespace mailjuke::core {
namespace {

bool isInbox(const std::string& name) {
  std::string l = name;
  std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return std::tolower(c); });
  return l == "inbox";
}

std::string normalizeName(const std::string& name) { return isInbox(name) ? "INBOX" : name; }

Status validName(const std::string& name) {
  // '/' is the hierarchy delimiter: no empty levels; '*' and '%' are LIST wildcards
  // (RFC 9051 §5.1, §6.3.9).
  if (name.empty() || name.front() == '/' || name.back() == '/' ||
      name.find("//") != std::string::npos)
    return Error::invalid("name", "empty hierarchy level in folder name");
  if (name.find_first_of("*%\r\n") != std::string::npos || name.size() > 512)
    return Error::invalid("name", "folder name has wildcards, line breaks or is too long");
  return {};
}

}  // namespace

Status ImapStore::createFolder(const std::string& mailbox_id, const std::string& raw) {
  std::string name = normalizeName(raw);
  MJ_TRY(validName(name));
  const int64_t now = ctx_.clock.nowSeconds();
  return ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    MJ_TRY_ASSIGN(auto exists, tx.queryOne("SELECT 1 FROM mail_folders WHERE mailbox_id = ? AND "
                                           "name = ?",
                                           {mailbox_id, name}));
    if (exists) return Error::make(ErrorCode::kConflict, "folder " + name + " already exists");
    // RFC 9051 §2.3.1.1: a name reused after DELETE must get a larger UIDVALIDITY, even within
    // the same second, so take the larger of now and any value this mailbox used + 1.
    MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT MAX(uidvalidity) FROM mail_folders WHERE "
                                        "mailbox_id = ?",
                                        {mailbox_id}));
    int64_t uidvalidity = std::max(now, (row ? row->integer(0) : 0) + 1);
    MJ_TRY(
        tx.exec("INSERT INTO mail_folders (id, mailbox_id, name, uidvalidity, uidnext, "
                "highest_modseq, created_at) VALUES (?,?,?,?,1,1,?)",
                {newId("fld"), mailbox_id, name, uidvalidity, now}));
    return {};
  });
}

Status ImapStore::deleteFolder(const std::string& mailbox_id, const std::string& raw) {
  std::string name = normalizeName(raw);
  if (name == "INBOX") return Error::invalid("name", "INBOX cannot be deleted");  // §6.3.5
  return ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT id FROM mail_folders WHERE mailbox_id = ? AND "
                                        "name = ?",
                                        {mailbox_id, name}));
    if (!row) return Error::notFound("folder " + name);
    MJ_TRY(tx.exec("DELETE FROM mail_messages WHERE folder_id = ?", {row->text(0)}));
    MJ_TRY(tx.exec("DELETE FROM mail_folders WHERE id = ?", {row->text(0)}));
    return {};
  });
}

Status ImapStore::renameFolder(const std::string& mailbox_id, const std::string& raw_from,
                               const std::string& raw_to) {
  std::string from = normalizeName(raw_from), to = normalizeName(raw_to);
  if (to == "INBOX") return Error::make(ErrorCode::kConflict, "INBOX already exists");
  MJ_TRY(validName(to));
  if (from == "INBOX") return renameInbox(mailbox_id, to);
  return ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    MJ_TRY_ASSIGN(auto rows,
                  tx.query("SELECT id, name FROM mail_folders WHERE mailbox_id = ?", {mailbox_id}));
    std::vector<std::pair<std::string, std::string>> moves;  // id, new name
    for (const auto& r : rows) {
      const std::string& n = r.text(1);
      if (n == to || (n.size() > to.size() && n.compare(0, to.size() + 1, to + "/") == 0))
        return Error::make(ErrorCode::kConflict, "folder " + to + " already exists");
      if (n == from) moves.push_back({r.text(0), to});
      // RFC 9051 §6.3.6: inferior hierarchical names are renamed too.
      else if (n.size() > from.size() && n.compare(0, from.size() + 1, from + "/") == 0)
        moves.push_back({r.text(0), to + n.substr(from.size())});
    }
    bool found = std::any_of(moves.begin(), moves.end(), [&](auto& m) { return m.second == to; });
    if (!found) return Error::notFound("folder " + from);
    for (const auto& [id, name] : moves) {
      // Messages and UIDs are unchanged, so UIDVALIDITY stays (RFC 9051 §6.3.6 allows it).
      MJ_TRY(tx.exec("UPDATE mail_folders SET name = ? WHERE id = ?", {name, id}));
    }
    return {};
  });
}

Status ImapStore::renameInbox(const std::string& mailbox_id, const std::string& to) {
  // RFC 3501 §6.3.5 (RFC 9051 §6.3.6): a new folder `to` gets INBOX's messages, with their UIDs
  // (so its UIDNEXT and HIGHESTMODSEQ are INBOX's); INBOX stays, empty, and keeps its
  // UIDVALIDITY and UIDNEXT, so its UIDs still only grow. INBOX's sub-folders are unaffected.
  const int64_t now = ctx_.clock.nowSeconds();
  auto st = ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    MJ_TRY_ASSIGN(auto inbox,
                  tx.queryOne(std::string("SELECT id, uidnext, highest_modseq, recent_uid, "
                                          "total_bytes FROM mail_folders WHERE mailbox_id = ? "
                                          "AND name = ?") +
                                  tx.forUpdate(),
                              {mailbox_id, std::string("INBOX")}));
    if (!inbox) return Error::notFound("folder INBOX");
    MJ_TRY_ASSIGN(auto names,
                  tx.query("SELECT name FROM mail_folders WHERE mailbox_id = ?", {mailbox_id}));
    for (const auto& r : names) {
      const std::string& n = r.text(0);
      if (n == to || (n.size() > to.size() && n.compare(0, to.size() + 1, to + "/") == 0))
        return Error::make(ErrorCode::kConflict, "folder " + to + " already exists");
    }
    MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT MAX(uidvalidity) FROM mail_folders WHERE "
                                        "mailbox_id = ?",
                                        {mailbox_id}));
    const int64_t uidvalidity = std::max(now, (row ? row->integer(0) : 0) + 1);
    const std::string id = newId("fld");
    MJ_TRY(
        tx.exec("INSERT INTO mail_folders (id, mailbox_id, name, uidvalidity, uidnext, "
                "highest_modseq, recent_uid, total_bytes, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
                {id, mailbox_id, to, uidvalidity, inbox->integer(1), inbox->integer(2),
                 inbox->integer(3), inbox->integer(4), now}));
    MJ_TRY(tx.exec("UPDATE mail_messages SET folder_id = ? WHERE folder_id = ?",
                   {id, inbox->text(0)}));
    // The messages left INBOX: its state changed (RFC 7162 §3.1.2).
    MJ_TRY(
        tx.exec("UPDATE mail_folders SET highest_modseq = highest_modseq + 1, total_bytes = 0 "
                "WHERE id = ?",
                {inbox->text(0)}));
    return {};
  });
  if (st.ok()) mail_.changes().notify(mailbox_id);  // INBOX sessions see the EXPUNGEs
  return st;
}

Status ImapStore::setSubscribed(const std::string& mailbox_id, const std::string& raw,
                                bool subscribed) {
  std::string name = normalizeName(raw);
  return ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    MJ_TRY_ASSIGN(int64_t n, tx.exec("UPDATE mail_folders SET subscribed = ? WHERE mailbox_id = ? "
                                     "AND name = ?",
                                     {subscribed ? 1 : 0, mailbox_id, name}));
    if (n == 0) return Error::notFound("folder " + name);
    return {};
  });
}

Result<AppendResult> ImapStore::append(const std::string& mailbox_id, const std::string& raw,
                                       const std::string& content,
                                       const std::vector<std::string>& flags,
                                       int64_t internal_date) {
  std::string name = normalizeName(raw);
  MJ_TRY_ASSIGN(ImapFolder f, folder(mailbox_id, name));  // RFC 9051 §6.3.12 [TRYCREATE]
  AcceptedMessage m;
  m.content = content;
  LocalDelivery d;
  d.mailbox_id = mailbox_id;
  d.folder = name;
  for (const auto& flag : flags) {
    std::string c = canonicalFlag(flag);
    if (c != "\\Recent" && !hasFlag(d.flags, c)) d.flags.push_back(c);
  }
  d.count_received = false;  // a client's own copy, not received mail
  m.local.push_back(std::move(d));
  m.received_at = internal_date > 0 ? internal_date : ctx_.clock.nowSeconds();
  MJ_TRY(mail_.accept(m));
  // accept() does not report the UID; the newest message of this folder with this blob is ours
  // (another APPEND of identical bytes racing this one could swap the two UIDs, which is
  // harmless: both messages are the same).
  std::string blob_id = crypto::sha256Hex(content);
  return ctx_.db.read<AppendResult>([&](store::Tx& tx) -> Result<AppendResult> {
    MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT MAX(uid) FROM mail_messages WHERE folder_id = ? "
                                        "AND blob_id = ?",
                                        {f.id, blob_id}));
    if (!row || row->isNull(0)) return Error::internal("appended message not found");
    return AppendResult{f.uidvalidity, row->integer(0)};
  });
}

}  // namespace mailjuke::core
