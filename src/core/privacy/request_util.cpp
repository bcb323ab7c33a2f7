#include "core/privacy/request_util.h"

#include "base/ids.h"
#include "core/notify/outbox.h"

namespace mailjuke::core::privacy {

bool validRequestType(const std::string& type) {
  for (const char* t :
       {"access", "portability", "rectification", "erasure", "restriction", "objection"})
    if (type == t) return true;
  return false;
}

Status addRequestEvent(store::Tx& tx, const std::string& request_id, const std::string& actor,
                       const std::string& action, const std::string& note, int64_t now) {
  // seq: the next number in this request's history (its transaction holds the request row).
  MJ_TRY_ASSIGN(auto last, tx.queryOne("SELECT COALESCE(MAX(seq), 0) FROM privacy_request_events "
                                       "WHERE request_id = ?",
                                       {request_id}));
  MJ_TRY(
      tx.exec("INSERT INTO privacy_request_events (id, request_id, actor, action, note, "
              "created_at, seq) VALUES (?,?,?,?,?,?,?)",
              {newId("pre"), request_id, actor, action,
               note.empty() ? store::Value(nullptr) : store::Value(note), now,
               (last ? last->integer(0) : 0) + 1}));
  return {};
}

Result<std::optional<std::string>> requesterAddress(store::Tx& tx, const std::string& request_id) {
  MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT r.email, u.email, u.status FROM privacy_requests r "
                                      "LEFT JOIN users u ON u.id = r.user_id WHERE r.id = ?",
                                      {request_id}));
  if (!row) return std::optional<std::string>();
  if (!row->isNull(1) && row->text(2) != "erased") return std::optional<std::string>(row->text(1));
  if (!row->isNull(0) && row->text(0).find('@') != std::string::npos)
    return std::optional<std::string>(row->text(0));
  return std::optional<std::string>();
}

Status tellRequester(store::Tx& tx, const std::string& request_id, const std::string& subject,
                     const std::string& text, int64_t now) {
  MJ_TRY_ASSIGN(auto to, requesterAddress(tx, request_id));
  if (!to) return {};
  MJ_TRY_ASSIGN(auto user,
                tx.queryOne("SELECT user_id FROM privacy_requests WHERE id = ?", {request_id}));
  return enqueueEmail(tx, {"privacy_request", *to, user ? user->text(0) : "", subject, text}, now);
}

}  // namespace mailjuke::core::privacy
