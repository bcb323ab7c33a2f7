#include "core/privacy/analytics.h"

#include "base/clock.h"
#include "base/crypto.h"
#include "base/encoding.h"
#include "base/ids.h"
#include "core/privacy/flags.h"

namespace mailjuke::core::privacy {
namespace {

constexpr int64_t kDay = 86400;

bool validEvent(const std::string& e) {
  if (e.empty() || e.size() > 64) return false;
  for (char c : e)
    if (!((c >= 'a' && c <= 'z') || c == '_')) return false;
  return true;
}

}  // namespace

bool isAnalyticsDay(const std::string& d) {
  if (d.size() != 10) return false;
  int64_t t = parseRfc3339(d + "T00:00:00Z");
  return t >= 0 && formatDate(t) == d;
}

std::string analyticsSubject(const std::string& secret_key, const std::string& user_id) {
  return hexEncode(crypto::hmacSha256(crypto::hmacSha256(secret_key, "analytics"), user_id))
      .substr(0, 32);
}

Result<bool> recordUsage(CoreContext& ctx, const std::string& user_id,
                         const std::string& workspace_id, const std::string& event, bool gpc) {
  if (!validEvent(event)) return Error::invalid("event", "must be 1-64 of [a-z_]");
  if (gpc || user_id.empty()) return false;  // Sec-GPC: 1 is an opt-out
  int64_t now = ctx.clock.nowSeconds();
  return ctx.db.write<bool>([&](store::Tx& tx) -> Result<bool> {
    MJ_TRY_ASSIGN(bool allowed, mayProcess(tx, user_id, Purpose::kProductAnalytics));
    if (!allowed) return false;
    MJ_TRY(tx.exec(
        "INSERT INTO analytics_events (id, subject_hmac, workspace_id, event, created_at) VALUES "
        "(?,?,?,?,?)",
        {newId("ane"), analyticsSubject(ctx.secret_key, user_id),
         workspace_id.empty() ? store::Value(nullptr) : store::Value(workspace_id), event, now}));
    return true;
  });
}

Result<int64_t> aggregateAnalytics(store::Tx& tx, int64_t now) {
  int64_t today = now - now % kDay;
  MJ_TRY_ASSIGN(auto first, tx.queryOne("SELECT MIN(created_at) FROM analytics_events WHERE "
                                        "aggregated = 0 AND created_at < ?",
                                        {today}));
  if (!first || first->isNull(0)) return int64_t(0);
  int64_t n = 0;
  // A day's rows all arrive during that day, so a complete day is counted once, exactly.
  for (int64_t start = first->integer(0) - first->integer(0) % kDay; start < today; start += kDay) {
    MJ_TRY_ASSIGN(auto groups,
                  tx.query("SELECT event, COUNT(*), COUNT(DISTINCT workspace_id), COUNT(DISTINCT "
                           "subject_hmac) FROM analytics_events WHERE aggregated = 0 AND "
                           "created_at >= ? AND created_at < ? GROUP BY event",
                           {start, start + kDay}));
    for (const auto& g : groups) {
      MJ_TRY(tx.exec(
          "INSERT INTO analytics_daily (day, event, events, workspaces, people) VALUES "
          "(?,?,?,?,?) ON CONFLICT (day, event) DO UPDATE SET events = analytics_daily.events + "
          "excluded.events, workspaces = analytics_daily.workspaces + excluded.workspaces, "
          "people = analytics_daily.people + excluded.people",
          {formatDate(start), g.text(0), g.integer(1), g.integer(2), g.integer(3)}));
      n += g.integer(1);
    }
    MJ_TRY(
        tx.exec("UPDATE analytics_events SET aggregated = 1 WHERE aggregated = 0 AND "
                "created_at >= ? AND created_at < ?",
                {start, start + kDay}));
  }
  return n;
}

Result<Json> analyticsReport(store::Tx& tx, const std::string& from, const std::string& to,
                             const std::optional<std::string>& event) {
  if (!isAnalyticsDay(from)) return Error::invalid("from", "must be a date YYYY-MM-DD");
  if (!isAnalyticsDay(to)) return Error::invalid("to", "must be a date YYYY-MM-DD");
  if (to < from) return Error::invalid("to", "must not be before from");
  if (event && !validEvent(*event)) return Error::invalid("event", "must be 1-64 of [a-z_]");
  std::string sql =
      "SELECT day, event, events, workspaces, people FROM analytics_daily WHERE day >= ? AND "
      "day <= ?";
  store::Params p{from, to};
  if (event) {
    sql += " AND event = ?";
    p.push_back(*event);
  }
  MJ_TRY_ASSIGN(auto rows, tx.query(sql + " ORDER BY day, event LIMIT 10000", p));
  Json data = Json::array();
  for (const auto& r : rows) {
    // Account-level events (no workspace) are grouped by people instead.
    int64_t size = r.integer(3) > 0 ? r.integer(3) : r.integer(4);
    if (size < kAnalyticsMinGroup || r.integer(4) < kAnalyticsMinGroup) {
      data.push_back({{"day", r.text(0)}, {"event", r.text(1)}, {"suppressed", true}});
      continue;
    }
    data.push_back({{"day", r.text(0)},
                    {"event", r.text(1)},
                    {"events", r.integer(2)},
                    {"workspaces", r.integer(3)},
                    {"people", r.integer(4)}});
  }
  return Json{{"from", from}, {"to", to}, {"min_group", kAnalyticsMinGroup}, {"data", data}};
}

}  // namespace mailjuke::core::privacy
