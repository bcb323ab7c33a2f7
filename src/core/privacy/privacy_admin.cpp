// The operator queue of privacy requests: due dates and days left, extension by up to two
// months with reasons (Art. 12(3); the requester is told), refusal with reasons and complaint
// information (Art. 12(4)), completion — every step recorded in the request's history.
#include "base/clock.h"
#include "core/privacy/privacy_service.h"
#include "core/privacy/request_util.h"

namespace mailjuke::core::privacy {
namespace {

std::string opActor(const Principal& op) { return "operator:" + op.user_id; }

Status checkReason(const std::string& reason) {
  if (reason.empty() || reason.size() > 4000)
    return Error::invalid("reason", "must be 1-4000 characters");
  return {};
}

}  // namespace

Result<Page> PrivacyService::queue(const QueueQuery& q) {
  return ctx_.db.read<Page>([&](store::Tx& tx) -> Result<Page> {
    std::string sql = "SELECT id, due_at FROM privacy_requests WHERE ";
    store::Params params;
    if (q.status) {
      sql += "status = ?";
      params.push_back(*q.status);
    } else {
      sql += "status IN ('open', 'processing')";
    }
    if (q.cursor) {
      auto sep = q.cursor->find('_');
      if (sep == std::string::npos) return Error::invalid("cursor", "is invalid");
      int64_t due = 0;
      try {
        due = std::stoll(q.cursor->substr(0, sep));
      } catch (...) {
        return Error::invalid("cursor", "is invalid");
      }
      sql += " AND (due_at > ? OR (due_at = ? AND id > ?))";
      params.push_back(due);
      params.push_back(due);
      params.push_back(q.cursor->substr(sep + 1));
    }
    sql += " ORDER BY due_at, id LIMIT " + std::to_string(q.limit + 1);
    MJ_TRY_ASSIGN(auto rows, tx.query(sql, params));
    Page page;
    for (size_t i = 0; i < rows.size() && int(i) < q.limit; ++i) {
      MJ_TRY_ASSIGN(auto j, requestJson(tx, rows[i].text(0), false, true));
      page.data.push_back(j);
    }
    if (int(rows.size()) > q.limit)
      page.next_cursor =
          std::to_string(rows[q.limit - 1].integer(1)) + "_" + rows[q.limit - 1].text(0);
    return page;
  });
}

Result<Json> PrivacyService::adminGet(const std::string& id) {
  return ctx_.db.read<Json>([&](store::Tx& tx) { return requestJson(tx, id, true, true); });
}

Result<Json> PrivacyService::extend(const std::string& id, int months, const std::string& reason,
                                    const Principal& op) {
  if (months < 1 || months > 2) return Error::invalid("months", "must be 1 or 2");
  MJ_TRY(checkReason(reason));
  int64_t now = ctx_.clock.nowSeconds();
  return ctx_.db.write<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT status, received_at, due_at FROM privacy_requests "
                                        "WHERE id = ?",
                                        {id}));
    if (!row) return Error::notFound("privacy request");
    if (row->text(0) != "open" && row->text(0) != "processing")
      return Error::make(ErrorCode::kConflict, "only open requests can be extended");
    int64_t first_due = addMonths(row->integer(1), 1);
    // Art. 12(3): the person must be told within the first month; at most two more months.
    if (now > first_due)
      return Error::make(ErrorCode::kConflict, "an extension must be given within the first month");
    int64_t new_due = addMonths(row->integer(2), months);
    if (new_due > addMonths(row->integer(1), 3))
      return Error::invalid("months", "the deadline cannot go beyond 3 months after receipt");
    MJ_TRY(tx.exec("UPDATE privacy_requests SET due_at = ?, updated_at = ? WHERE id = ?",
                   {new_due, now, id}));
    MJ_TRY(addRequestEvent(tx, id, opActor(op), "extended",
                           "to " + formatDate(new_due) + ": " + reason, now));
    MJ_TRY(tellRequester(tx, id, "Your privacy request needs more time",
                         "We need more time to answer your privacy request " + id +
                             ". The new deadline is " + formatDate(new_due) + ".\n\nWhy: " + reason,
                         now));
    return requestJson(tx, id, true, true);
  });
}

Result<Json> PrivacyService::refuse(const std::string& id, const std::string& reason,
                                    const Principal& op) {
  MJ_TRY(checkReason(reason));
  int64_t now = ctx_.clock.nowSeconds();
  return ctx_.db.write<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT status FROM privacy_requests WHERE id = ?", {id}));
    if (!row) return Error::notFound("privacy request");
    if (row->text(0) != "open" && row->text(0) != "processing")
      return Error::make(ErrorCode::kConflict, "only open requests can be refused");
    MJ_TRY(
        tx.exec("UPDATE privacy_requests SET status = 'refused', resolution = ?, updated_at = ? "
                "WHERE id = ?",
                {reason, now, id}));
    MJ_TRY(addRequestEvent(tx, id, opActor(op), "refused", reason, now));
    MJ_TRY(tellRequester(
        tx, id, "Your privacy request",
        "We cannot act on your privacy request " + id + ".\n\nWhy: " + reason +
            "\n\nYou may complain to your local data protection supervisory authority and seek a "
            "judicial remedy (GDPR Art. 77-79).",
        now));
    return requestJson(tx, id, true, true);
  });
}

Result<Json> PrivacyService::complete(const std::string& id, const std::string& note,
                                      const Principal& op) {
  if (note.size() > 4000) return Error::invalid("note", "must be at most 4000 characters");
  int64_t now = ctx_.clock.nowSeconds();
  return ctx_.db.write<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT status FROM privacy_requests WHERE id = ?", {id}));
    if (!row) return Error::notFound("privacy request");
    if (row->text(0) != "open" && row->text(0) != "processing")
      return Error::make(ErrorCode::kConflict, "only open requests can be completed");
    MJ_TRY(
        tx.exec("UPDATE privacy_requests SET status = 'completed', resolution = ?, updated_at = "
                "? WHERE id = ?",
                {note, now, id}));
    MJ_TRY(addRequestEvent(tx, id, opActor(op), "completed", note, now));
    MJ_TRY(tellRequester(
        tx, id, "Your privacy request is complete",
        "Your privacy request " + id + " is complete." + (note.empty() ? "" : "\n\n" + note), now));
    return requestJson(tx, id, true, true);
  });
}

Status PrivacyService::cancelWorkspaceDeletion(const std::string& ws, const Principal& op) {
  int64_t now = ctx_.clock.nowSeconds();
  (void)op;
  return ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    MJ_TRY_ASSIGN(auto n, tx.exec("UPDATE workspace_deletions SET cancelled_at = ? WHERE "
                                  "workspace_id = ? AND cancelled_at IS NULL AND completed_at IS "
                                  "NULL",
                                  {now, ws}));
    if (n == 0) return Error::notFound("scheduled workspace deletion");
    // An owner's erasure request ends with it (its history keeps why).
    MJ_TRY_ASSIGN(auto req, tx.queryOne("SELECT request_id FROM workspace_deletions WHERE "
                                        "workspace_id = ? AND request_id IS NOT NULL",
                                        {ws}));
    if (req) {
      MJ_TRY(
          tx.exec("UPDATE privacy_requests SET status = 'cancelled', updated_at = ? WHERE id "
                  "= ? AND status = 'processing'",
                  {now, req->text(0)}));
      MJ_TRY(addRequestEvent(tx, req->text(0), "operator", "cancelled",
                             "the platform operator cancelled the deletion", now));
    }
    // The workspace lives on: its books are no longer kept for a purge.
    MJ_TRY(
        tx.exec("DELETE FROM legal_holds WHERE scope = 'workspace' AND scope_id = ? AND "
                "purged_at IS NULL",
                {ws}));
    return {};
  });
}

}  // namespace mailjuke::core::privacy
