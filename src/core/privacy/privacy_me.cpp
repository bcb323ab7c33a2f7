// GET /api/v1/me/privacy, PUT /api/v1/me/consents, policy acknowledgement.
#include "base/clock.h"
#include "core/privacy/consents.h"
#include "core/privacy/flags.h"
#include "core/privacy/policy.h"
#include "core/privacy/privacy_service.h"
#include "core/privacy/records.h"

namespace mailjuke::core::privacy {

Result<Json> PrivacyService::myPrivacy(const Principal& p) {
  int64_t now = ctx_.clock.nowSeconds();
  return ctx_.db.read<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY_ASSIGN(auto u, tx.queryOne("SELECT email FROM users WHERE id = ?", {p.user_id}));
    if (!u) return Error::notFound("account");
    MJ_TRY_ASSIGN(auto consents, consentState(tx, p.user_id));
    MJ_TRY_ASSIGN(auto history, consentHistory(tx, p.user_id));
    MJ_TRY_ASSIGN(auto held, holdings(tx, p.user_id, u->text(0)));
    MJ_TRY_ASSIGN(auto flags, processingFlags(tx, p.user_id));
    MJ_TRY_ASSIGN(auto policy, currentPolicyVersion(tx, now));
    bool acknowledged = true;
    if (policy) {
      // A banner until the newest material version is acknowledged.
      MJ_TRY_ASSIGN(auto material,
                    tx.queryOne("SELECT version FROM policy_versions WHERE material = 1 AND "
                                "effective_at <= ? ORDER BY effective_at DESC LIMIT 1",
                                {now}));
      if (material) {
        MJ_TRY_ASSIGN(auto ack, tx.queryOne("SELECT 1 FROM consent_events WHERE user_id = ? AND "
                                            "purpose = 'privacy_policy' AND notice_version = ?",
                                            {p.user_id, material->text(0)}));
        acknowledged = ack.has_value();
      }
    }
    MJ_TRY_ASSIGN(auto open, tx.query("SELECT id, type, status, received_at, due_at FROM "
                                      "privacy_requests WHERE user_id = ? ORDER BY received_at "
                                      "DESC, id DESC LIMIT 50",
                                      {p.user_id}));
    Json requests = Json::array();
    for (const auto& r : open)
      requests.push_back({{"id", r.text(0)},
                          {"type", r.text(1)},
                          {"status", r.text(2)},
                          {"received_at", formatRfc3339(r.integer(3))},
                          {"due_at", formatRfc3339(r.integer(4))}});
    return Json{{"consents", consents},
                {"consent_history", history},
                {"requests", requests},
                {"flags",
                 {{"restricted", flags.restricted},
                  {"objects_to_product_analytics", flags.objects_analytics},
                  {"objects_to_marketing", flags.objects_marketing}}},
                {"policy",
                 {{"current_version", policy ? Json(*policy) : Json(nullptr)},
                  {"acknowledged", acknowledged}}},
                {"holdings", held}};
  });
}

Result<Json> PrivacyService::setConsents(const Principal& p, const Json& choices,
                                         const std::optional<std::string>& notice_version) {
  if (!choices.is_object() || choices.empty())
    return Error::invalid("consents", "give at least one purpose");
  for (const auto& [k, v] : choices.items()) {
    bool known = false;
    for (const auto& purpose : consentPurposes()) known |= purpose == k;
    if (!known) return Error::invalid(k, "unknown consent purpose");
    if (!v.is_boolean()) return Error::invalid(k, "must be true or false");
  }
  int64_t now = ctx_.clock.nowSeconds();
  return ctx_.db.write<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY_ASSIGN(auto policy, currentPolicyVersion(tx, now));
    std::string version = notice_version.value_or(policy.value_or("unversioned"));
    for (const auto& [k, v] : choices.items())
      MJ_TRY(recordConsent(
          tx, {p.user_id, k, v.get<bool>(), version, "settings", p.ip, p.user_agent}, now));
    MJ_TRY_ASSIGN(auto state, consentState(tx, p.user_id));
    MJ_TRY_ASSIGN(auto history, consentHistory(tx, p.user_id));
    return Json{{"consents", state}, {"consent_history", history}};
  });
}

Result<Json> PrivacyService::acknowledgePolicy(const Principal& p,
                                               const std::optional<std::string>& version) {
  int64_t now = ctx_.clock.nowSeconds();
  return ctx_.db.write<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY_ASSIGN(auto policy, currentPolicyVersion(tx, now));
    if (!policy) return Error::notFound("privacy policy");
    if (version && *version != *policy)
      return Error::invalid("version", "is not the current version (" + *policy + ")");
    MJ_TRY(recordConsent(
        tx, {p.user_id, "privacy_policy", true, *policy, "policy_banner", p.ip, p.user_agent},
        now));
    return Json{{"version", *policy}, {"acknowledged", true}};
  });
}

}  // namespace mailjuke::core::privacy
