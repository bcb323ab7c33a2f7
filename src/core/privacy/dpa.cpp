#include "core/privacy/dpa.h"

#include "base/clock.h"

namespace mailjuke::core::privacy {

Result<Json> dpaStatus(store::Tx& tx, const std::string& workspace_id,
                       const std::string& current_version) {
  MJ_TRY_ASSIGN(auto rows, tx.query("SELECT version, accepted_at, accepted_by FROM "
                                    "dpa_acceptances WHERE workspace_id = ? ORDER BY "
                                    "accepted_at DESC, id DESC LIMIT 100",
                                    {workspace_id}));
  Json history = Json::array();
  for (const auto& r : rows)
    history.push_back({{"version", r.text(0)},
                       {"accepted_at", formatRfc3339(r.integer(1))},
                       {"accepted_by", r.text(2)}});
  Json latest_version = rows.empty() ? Json(nullptr) : Json(rows[0].text(0));
  Json latest_at = rows.empty() ? Json(nullptr) : Json(formatRfc3339(rows[0].integer(1)));
  bool up_to_date = false;
  for (const auto& r : rows) up_to_date |= r.text(0) == current_version;
  return Json{{"version", latest_version},
              {"accepted_at", latest_at},
              {"current_version", current_version},
              {"up_to_date", up_to_date},
              {"history", history}};
}

}  // namespace mailjuke::core::privacy
