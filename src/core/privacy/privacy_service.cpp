#include "core/privacy/privacy_service.h"

#include <algorithm>
#include <ctime>
#include <filesystem>

#include "base/clock.h"
#include "base/crypto.h"
#include "base/ids.h"
#include "core/audit/audit_log.h"
#include "core/jobs/job_runner.h"
#include "core/notify/outbox.h"
#include "core/privacy/anonymous_export.h"
#include "core/privacy/erasure.h"
#include "core/privacy/export.h"
#include "core/privacy/flags.h"
#include "core/privacy/request_util.h"
#include "core/privacy/workspace_erasure.h"

namespace mailjuke::core::privacy {
namespace {

constexpr const char* kRequestColumns =
    "id, user_id, email, type, status, details, received_at, due_at, progress_done, "
    "progress_total, export_path, export_expires_at, resolution, updated_at";

bool isOpen(const std::string& status) {
  return status == "open" || status == "processing" || status == "pending_verification";
}

}  // namespace

int64_t addMonths(int64_t t, int months) {
  time_t tt = time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  int day = tm.tm_mday;
  tm.tm_mday = 1;
  tm.tm_mon += months;
  timegm(&tm);  // normalises month/year
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int y = tm.tm_year + 1900;
  int last = kDays[tm.tm_mon] + (tm.tm_mon == 1 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)));
  tm.tm_mday = std::min(day, last);
  return int64_t(timegm(&tm));
}

Result<Json> PrivacyService::requestJson(store::Tx& tx, const std::string& id, bool with_history,
                                         bool admin) {
  MJ_TRY_ASSIGN(auto row, tx.queryOne(std::string("SELECT ") + kRequestColumns +
                                          " FROM privacy_requests WHERE id = ?",
                                      {id}));
  if (!row) return Error::notFound("privacy request");
  int64_t now = ctx_.clock.nowSeconds();
  int64_t due = row->integer(7);
  Json details = Json::parse(row->text(5), nullptr, false);
  if (!details.is_object()) details = Json::object();
  Json j = {{"id", row->text(0)},
            {"type", row->text(3)},
            {"status", row->text(4)},
            {"received_at", formatRfc3339(row->integer(6))},
            {"due_at", formatRfc3339(due)},
            {"due_date", formatDate(due)},
            {"days_left", (due - now + 86399) / 86400},
            {"overdue", isOpen(row->text(4)) && now > due},
            {"progress", {{"done", row->integer(8)}, {"total", row->integer(9)}}},
            {"details", details},
            {"resolution", row->optText(12) ? Json(*row->optText(12)) : Json(nullptr)},
            {"download_url", nullptr},
            {"download_expires_at", nullptr},
            {"updated_at", formatRfc3339(row->integer(13))}};
  if (!row->isNull(10) && row->integer(11) > now) {
    j["download_url"] = "/api/v1/me/privacy/requests/" + row->text(0) + "/download";
    j["download_expires_at"] = formatRfc3339(row->integer(11));
  }
  if (admin)
    j["requester"] = {{"user_id", row->optText(1) ? Json(*row->optText(1)) : Json(nullptr)},
                      {"email", row->optText(2) ? Json(*row->optText(2)) : Json(nullptr)}};
  if (with_history) {
    MJ_TRY_ASSIGN(auto events,
                  tx.query("SELECT actor, action, note, created_at FROM privacy_request_events "
                           "WHERE request_id = ? ORDER BY created_at, seq, id",
                           {id}));
    Json h = Json::array();
    for (const auto& e : events)
      h.push_back({{"actor", e.text(0)},
                   {"action", e.text(1)},
                   {"note", e.optText(2) ? Json(*e.optText(2)) : Json(nullptr)},
                   {"at", formatRfc3339(e.integer(3))}});
    j["history"] = h;
  }
  return j;
}

Result<Json> PrivacyService::createRequest(const Principal& p, const RequestInput& in) {
  if (!validRequestType(in.type))
    return Error::invalid(
        "type", "must be access, portability, rectification, erasure, restriction or objection");
  if (in.type == "objection" &&
      (!in.purpose || (*in.purpose != "product_analytics" && *in.purpose != "marketing")))
    return Error::invalid("purpose", "must be product_analytics or marketing");
  if (in.type == "rectification" && !in.name && !in.company && !in.message)
    return Error::invalid("message", "say what should be corrected (or give name / company)");
  if (in.workspace_id && in.type != "erasure")
    return Error::invalid("workspace_id", "only an erasure request names a workspace");
  if (in.workspace_id && in.workspace_id->empty())
    return Error::invalid("workspace_id", "must name a workspace");
  const bool workspace_erasure = in.type == "erasure" && in.workspace_id.has_value();
  // Identity check proportional to the request: the password again, plus TOTP when enabled.
  MJ_TRY(accounts_.reauthenticate(p.user_id, in.password, in.totp_code));
  if (in.type == "rectification" && (in.name || in.company))
    MJ_TRY(accounts_.updateMe(p, in.name, in.company, std::nullopt, std::nullopt));

  int64_t now = ctx_.clock.nowSeconds();
  std::string id = newId("prq");
  Json details = Json::object();
  if (in.purpose) details["purpose"] = *in.purpose;
  if (in.message) details["message"] = *in.message;
  if (in.name) details["name"] = *in.name;
  if (in.company) details["company"] = *in.company ? Json(**in.company) : Json(nullptr);
  const std::string actor = "user:" + p.user_id;
  bool run_export = in.type == "access" || in.type == "portability";
  MJ_TRY_ASSIGN(Json out, ctx_.db.write<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY_ASSIGN(auto u, tx.queryOne("SELECT email FROM users WHERE id = ?", {p.user_id}));
    if (!u) return Error::notFound("account");
    std::string status = "completed";
    if (run_export || workspace_erasure) status = "processing";
    if (workspace_erasure) details["workspace_id"] = *in.workspace_id;
    if (in.type == "rectification" && in.message) status = "open";  // an operator task
    MJ_TRY(
        tx.exec("INSERT INTO privacy_requests (id, user_id, type, status, details, "
                "received_at, due_at, updated_at) VALUES (?,?,?,?,?,?,?,?)",
                {id, p.user_id, in.type, status, details.dump(), now, addMonths(now, 1), now}));
    MJ_TRY(addRequestEvent(tx, id, actor, "received", "identity re-authenticated", now));
    Json outcome = Json::object();
    if (in.type == "restriction") {
      MJ_TRY(setFlag(tx, p.user_id, "restriction", "all", now));
      MJ_TRY(addRequestEvent(tx, id, "system", "completed",
                             "processing restricted to storage and legal claims", now));
    } else if (in.type == "objection") {
      MJ_TRY(setFlag(tx, p.user_id, "objection", *in.purpose, now));
      if (*in.purpose == "marketing")  // Art. 21(3): absolute
        MJ_TRY(suppress(tx, ctx_.secret_key, u->text(0), "objection", now));
      MJ_TRY(addRequestEvent(tx, id, "system", "completed", "objection to " + *in.purpose, now));
    } else if (in.type == "rectification") {
      if (in.name || in.company)
        MJ_TRY(addRequestEvent(tx, id, "system", "applied", "profile corrected at once", now));
      if (!in.message) MJ_TRY(addRequestEvent(tx, id, "system", "completed", "", now));
    } else if (workspace_erasure) {
      MJ_TRY_ASSIGN(outcome,
                    scheduleWorkspaceErasure(tx, ctx_, settings_, p, *in.workspace_id, id, now));
    } else if (in.type == "erasure") {
      MJ_TRY_ASSIGN(outcome, eraseAccount(tx, ctx_, settings_, p.user_id, now));
      MJ_TRY(addRequestEvent(tx, id, "system", "completed", outcome.dump(), now));
      MJ_TRY(tx.exec("UPDATE privacy_requests SET resolution = ? WHERE id = ?",
                     {std::string("account erased; invoices and ledger kept restricted for the "
                                  "legal period"),
                      id}));
      // The confirmation goes to the address the person had; the outbox purges it once sent.
      MJ_TRY(enqueueEmail(tx,
                          {"privacy_request", u->text(0), "", "Your account has been erased",
                           "Your " + ctx_.settings.platform_name +
                               " account and its personal data have been erased (request " + id +
                               "). Invoices and bookkeeping records are kept, restricted, for "
                               "the period the law requires, then deleted."},
                          now));
    }
    if (in.type != "erasure" || workspace_erasure) {
      Principal actor_p = p;
      Json data = {{"type", in.type}};
      if (workspace_erasure) data["workspace_id"] = *in.workspace_id;
      MJ_TRY(recordAudit(tx, actor_p, {"", "privacy.request", "privacy_request", id, data}, now));
    }
    MJ_TRY_ASSIGN(Json j, requestJson(tx, id, false, false));
    if (in.type == "erasure") j["outcome"] = outcome;
    return j;
  }));
  if (run_export) {
    if (runner_) {
      std::string rid = id;
      runner_->submit([this, rid] { (void)runExport(rid); });
    } else {
      MJ_TRY(runExport(id));
      return ctx_.db.read<Json>([&](store::Tx& tx) { return requestJson(tx, id, false, false); });
    }
  }
  return out;
}

Status PrivacyService::runExport(const std::string& id) {
  MJ_TRY_ASSIGN(auto row, ctx_.db.read<std::optional<store::Row>>([&](store::Tx& tx) {
    return tx.queryOne("SELECT user_id, status, email FROM privacy_requests WHERE id = ?", {id});
  }));
  if (!row || row->isNull(0)) return Error::notFound("privacy request");
  std::string path = settings_.export_dir + "/" + id + "-" + crypto::randomToken(12) + ".zip";
  auto progress = [&](int done, int total) {
    (void)ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
      MJ_TRY(
          tx.exec("UPDATE privacy_requests SET progress_done = ?, progress_total = ? WHERE id = ?",
                  {int64_t(done), int64_t(total), id}));
      return {};
    });
  };
  auto sum = writeExport(ctx_, row->text(0), path, progress);
  int64_t now = ctx_.clock.nowSeconds();
  return ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    if (!sum.ok()) {
      MJ_TRY(tx.exec("UPDATE privacy_requests SET status = 'open', updated_at = ? WHERE id = ?",
                     {now, id}));
      return addRequestEvent(tx, id, "system", "export_failed", sum.error().message, now);
    }
    int64_t expires = now + settings_.export_valid_days * 86400;
    MJ_TRY(
        tx.exec("UPDATE privacy_requests SET status = 'completed', export_path = ?, "
                "export_expires_at = ?, updated_at = ? WHERE id = ?",
                {path, expires, now, id}));
    MJ_TRY(addRequestEvent(tx, id, "system", "completed",
                           std::to_string(sum->files) + " files, " + std::to_string(sum->rows) +
                               " rows; download valid until " + formatRfc3339(expires),
                           now));
    if (!row->isNull(2))  // asked without a login: a signed link, no sign-in needed
      return tellRequester(tx, id, "Your data export is ready",
                           "Your export (request " + id + ") is ready. Download it until " +
                               formatRfc3339(expires) +
                               " (anyone with this link can, so keep it private):\n\n" +
                               ctx_.settings.public_url + "/api/v1/privacy/requests/" + id +
                               "/download?t=" + exportDownloadToken(ctx_.secret_key, id),
                           now);
    return tellRequester(tx, id, "Your data export is ready",
                         "Your export (request " + id + ") is ready. Sign in and download it at " +
                             ctx_.settings.public_url + "/api/v1/me/privacy/requests/" + id +
                             "/download until " + formatRfc3339(expires) + ".",
                         now);
  });
}

Result<Json> PrivacyService::getRequest(const Principal& p, const std::string& id) {
  return ctx_.db.read<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT user_id FROM privacy_requests WHERE id = ?", {id}));
    if (!row || row->text(0) != p.user_id) return Error::notFound("privacy request");
    return requestJson(tx, id, true, false);
  });
}

Result<Json> PrivacyService::cancelRequest(const Principal& p, const std::string& id) {
  int64_t now = ctx_.clock.nowSeconds();
  return ctx_.db.write<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY(cancelWorkspaceErasure(tx, p, id, now));
    return requestJson(tx, id, true, false);
  });
}

Result<std::string> PrivacyService::exportPath(const Principal& p, const std::string& id) {
  int64_t now = ctx_.clock.nowSeconds();
  MJ_TRY_ASSIGN(auto row, ctx_.db.read<std::optional<store::Row>>([&](store::Tx& tx) {
    return tx.queryOne(
        "SELECT user_id, export_path, export_expires_at FROM privacy_requests WHERE "
        "id = ?",
        {id});
  }));
  if (!row || row->text(0) != p.user_id) return Error::notFound("privacy request");
  if (row->isNull(1)) return Error::notFound("export");
  if (row->integer(2) <= now || !std::filesystem::exists(row->text(1)))
    return Error::make(ErrorCode::kGone, "the download link has expired (5 days)");
  return row->text(1);
}

}  // namespace mailjuke::core::privacy
