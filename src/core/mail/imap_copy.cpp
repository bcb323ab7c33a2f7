// ImapStore::copy: COPY and MOVE between folders of one mailbox.
#include <algorithm>
#include <set>

#include "base/ids.h"
#include "core/mail/imap_store.h"

namespace mailjuke::core {

Result<CopyResult> ImapStore::copy(const std::string& mailbox_id, const std::string& folder_id,
                                   const std::vector<int64_t>& uids, const std::string& raw_dest,
                                   bool move) {
  std::string dest = raw_dest;
  if (dest.size() == 5) {
    std::string l = dest;
    std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return std::tolower(c); });
    if (l == "inbox") dest = "INBOX";
  }
  std::set<int64_t> wanted(uids.begin(), uids.end());
  const int64_t now = ctx_.clock.nowSeconds();
  std::string changed_dest;
  auto result = ctx_.db.write<CopyResult>([&](store::Tx& tx) -> Result<CopyResult> {
    MJ_TRY_ASSIGN(auto d, tx.queryOne(std::string("SELECT id, uidnext, highest_modseq, "
                                                  "uidvalidity FROM mail_folders WHERE "
                                                  "mailbox_id = ? AND name = ?") +
                                          tx.forUpdate(),
                                      {mailbox_id, dest}));
    if (!d) return Error::notFound("folder " + dest);
    MJ_TRY_ASSIGN(auto src, tx.queryOne(std::string("SELECT highest_modseq FROM mail_folders "
                                                    "WHERE id = ? AND mailbox_id = ?") +
                                            tx.forUpdate(),
                                        {folder_id, mailbox_id}));
    if (!src) return Error::notFound("folder");
    const std::string dest_id = d->text(0);
    changed_dest = dest_id;
    int64_t uid = d->integer(1);
    const int64_t modseq = d->integer(2) + 1;
    CopyResult out;
    out.uidvalidity = d->integer(3);
    int64_t bytes = 0;
    MJ_TRY_ASSIGN(auto rows, tx.query("SELECT uid, blob_id, size, internal_date, flags, envelope, "
                                      "bodystructure FROM "
                                      "mail_messages WHERE folder_id = ? ORDER BY uid",
                                      {folder_id}));
    for (const auto& r : rows) {
      if (!wanted.count(r.integer(0))) continue;
      // RFC 9051 §6.4.7: flags and internal date are preserved; \Recent is not stored.
      MJ_TRY(
          tx.exec("INSERT INTO mail_messages (id, folder_id, uid, blob_id, size, "
                  "internal_date, flags, modseq, envelope, bodystructure, created_at) VALUES "
                  "(?,?,?,?,?,?,?,?,?,?,?)",
                  {newId("msg"), dest_id, uid, r.text(1), r.integer(2), r.integer(3), r.text(4),
                   modseq, store::nullable(r.optText(5)), store::nullable(r.optText(6)), now}));
      out.source.push_back(r.integer(0));
      out.dest.push_back(uid++);
      bytes += r.integer(2);
    }
    if (out.source.empty()) return out;
    MJ_TRY(
        tx.exec("UPDATE mail_folders SET uidnext = ?, highest_modseq = ?, total_bytes = "
                "total_bytes + ? WHERE id = ?",
                {uid, modseq, bytes, dest_id}));
    if (move && dest_id != folder_id) {
      for (int64_t u : out.source)
        MJ_TRY(
            tx.exec("DELETE FROM mail_messages WHERE folder_id = ? AND uid = ?", {folder_id, u}));
      MJ_TRY(
          tx.exec("UPDATE mail_folders SET highest_modseq = ?, total_bytes = total_bytes - ? "
                  "WHERE id = ?",
                  {src->integer(0) + 1, bytes, folder_id}));
    }
    return out;
  });
  if (result.ok() && !result->source.empty()) {
    mail_.changes().notify(mailbox_id, changed_dest);
    if (move && changed_dest != folder_id) mail_.changes().notify(mailbox_id, folder_id);
  }
  return result;
}

}  // namespace mailjuke::core
