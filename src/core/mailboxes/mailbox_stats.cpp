// Daily sending, bounce and delivery counts (mailbox_counters) as a zero-filled series.
#include <map>

#include "core/mailboxes/mailbox_service.h"
#include "core/workspaces/workspace_service.h"

namespace mailjuke::core {

Result<Json> MailboxService::dailyStats(const Principal& p, const std::string& ws,
                                        const std::string& mbx, int days) {
  if (days < 1 || days > 366) return Error::invalid("days", "must be between 1 and 366");
  const int64_t now = ctx_.clock.nowSeconds();
  std::vector<std::string> dates;
  for (int i = days - 1; i >= 0; --i) dates.push_back(formatDate(now - int64_t(i) * 86400));
  return ctx_.db.read<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kMailboxesRead));
    std::string sql =
        "SELECT c.day, SUM(c.sent), SUM(c.bounced), SUM(c.received) FROM mailbox_counters c "
        "JOIN mailboxes m ON m.id = c.mailbox_id WHERE m.workspace_id = ? AND c.day >= ? AND "
        "c.day <= ?";
    store::Params params{ws, dates.front(), dates.back()};
    if (!mbx.empty()) {
      MJ_TRY(loadMailbox(tx, ws, mbx));  // 404 for another workspace's mailbox
      sql += " AND m.id = ?";
      params.push_back(mbx);
    }
    sql += " GROUP BY c.day";
    MJ_TRY_ASSIGN(auto rows, tx.query(sql, params));
    std::map<std::string, std::array<int64_t, 3>> by_day;
    for (const auto& r : rows) by_day[r.text(0)] = {r.integer(1), r.integer(2), r.integer(3)};
    Json data = Json::array();
    Json totals = {{"sent", 0}, {"bounced", 0}, {"received", 0}};
    for (const auto& d : dates) {
      auto it = by_day.find(d);
      std::array<int64_t, 3> v = it == by_day.end() ? std::array<int64_t, 3>{} : it->second;
      data.push_back({{"date", d}, {"sent", v[0]}, {"bounced", v[1]}, {"received", v[2]}});
      totals["sent"] = totals["sent"].get<int64_t>() + v[0];
      totals["bounced"] = totals["bounced"].get<int64_t>() + v[1];
      totals["received"] = totals["received"].get<int64_t>() + v[2];
    }
    return Json{{"days", days}, {"data", std::move(data)}, {"totals", std::move(totals)}};
  });
}

}  // namespace mailjuke::core
