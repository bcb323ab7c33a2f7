#include "core/privacy/consents.h"

#include "base/clock.h"
#include "base/ids.h"
#include "core/privacy/flags.h"

namespace mailjuke::core::privacy {

const std::vector<std::string>& consentPurposes() {
  static const std::vector<std::string> purposes = {"analytics", "marketing_email", "preferences"};
  return purposes;
}

Status recordConsent(store::Tx& tx, const ConsentEvent& e, int64_t now) {
  MJ_TRY(tx.exec(
      "INSERT INTO consent_events (id, user_id, purpose, granted, notice_version, method, ip, "
      "user_agent, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
      {newId("cns"), e.user_id, e.purpose, int64_t(e.granted ? 1 : 0), e.notice_version, e.method,
       e.ip.empty() ? store::Value(nullptr) : store::Value(truncateIp(e.ip)),
       e.user_agent.empty() ? store::Value(nullptr) : store::Value(e.user_agent.substr(0, 512)),
       now}));
  return {};
}

Result<std::vector<std::string>> honourGpc(store::Tx& tx, const ConsentEvent& who,
                                           const Json& explicit_choices, int64_t now) {
  std::vector<std::string> withdrawn;
  MJ_TRY_ASSIGN(auto state, consentState(tx, who.user_id));
  for (const char* purpose : {"analytics", "marketing_email"}) {
    if (explicit_choices.is_object() && explicit_choices.contains(purpose)) continue;
    if (!state[purpose]["granted"].get<bool>()) continue;
    ConsentEvent e = who;
    e.purpose = purpose;
    e.granted = false;
    e.method = "gpc";
    MJ_TRY(recordConsent(tx, e, now));
    withdrawn.push_back(purpose);
  }
  return withdrawn;
}

Result<Json> consentState(store::Tx& tx, const std::string& user_id) {
  Json out = Json::object();
  for (const auto& p : consentPurposes())
    out[p] = {{"granted", false}, {"notice_version", nullptr}, {"updated_at", nullptr}};
  MJ_TRY_ASSIGN(auto rows, tx.query("SELECT purpose, granted, notice_version, created_at FROM "
                                    "consent_events WHERE user_id = ? ORDER BY created_at, id",
                                    {user_id}));
  for (const auto& r : rows) {
    if (r.text(0) == "privacy_policy") continue;
    out[r.text(0)] = {{"granted", r.boolean(1)},
                      {"notice_version", r.text(2)},
                      {"updated_at", formatRfc3339(r.integer(3))}};
  }
  return out;
}

Result<Json> consentHistory(store::Tx& tx, const std::string& user_id) {
  Json out = Json::array();
  MJ_TRY_ASSIGN(auto rows, tx.query("SELECT id, purpose, granted, notice_version, method, ip, "
                                    "user_agent, created_at FROM consent_events WHERE user_id = ? "
                                    "ORDER BY created_at, id",
                                    {user_id}));
  for (const auto& r : rows)
    out.push_back({{"id", r.text(0)},
                   {"purpose", r.text(1)},
                   {"granted", r.boolean(2)},
                   {"notice_version", r.text(3)},
                   {"method", r.text(4)},
                   {"ip", r.optText(5) ? Json(*r.optText(5)) : Json(nullptr)},
                   {"user_agent", r.optText(6) ? Json(*r.optText(6)) : Json(nullptr)},
                   {"at", formatRfc3339(r.integer(7))}});
  return out;
}

}  // namespace mailjuke::core::privacy
