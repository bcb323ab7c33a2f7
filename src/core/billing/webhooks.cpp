// POST /api/v1/billing/webhooks/stripe: the Stripe-Signature is verified over the raw body
// (stripe_signature.h), the event id is recorded once (a replayed event changes nothing), and
// payment_intent.succeeded / payment_intent.payment_failed / charge.refunded update the payment
// whose provider_ref is the PaymentIntent id. Other event types are acknowledged and ignored.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/billing/billing_service.h"
#include "core/billing/stripe_signature.h"

namespace mailjuke::core::billing {

Result<Json> BillingService::stripeWebhook(std::string_view signature, const std::string& body) {
  const auto& s = ctx_.settings.billing;
  if (s.stripe_webhook_secret.empty())
    return Error::make(ErrorCode::kNotFound, "Stripe webhooks are not configured");
  int64_t now = ctx_.clock.nowSeconds();
  MJ_TRY(verifyStripeSignature(signature, body, s.stripe_webhook_secret, now));
  Json event = Json::parse(body, nullptr, false);
  if (event.is_discarded() || !event.is_object())
    return Error::make(ErrorCode::kMalformed, "the body is not a JSON object");
  if (!event.contains("id") || !event["id"].is_string() || !event.contains("type") ||
      !event["type"].is_string())
    return Error::invalid("id", "an event needs a string id and type");
  std::string id = event["id"].get<std::string>(), type = event["type"].get<std::string>();
  if (id.size() > 255 || type.size() > 255) return Error::invalid("id", "too long");
  const Json* object = nullptr;
  if (event.contains("data") && event["data"].is_object() && event["data"].contains("object") &&
      event["data"]["object"].is_object())
    object = &event["data"]["object"];
  auto str = [&](const char* key) -> std::string {
    return object && object->contains(key) && (*object)[key].is_string()
               ? (*object)[key].get<std::string>()
               : std::string();
  };
  return ctx_.db.write<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY_ASSIGN(int64_t fresh, tx.exec("INSERT INTO stripe_events (id, type, received_at) "
                                         "VALUES (?,?,?) ON CONFLICT (id) DO NOTHING",
                                         {id, type, now}));
    Json out = {{"received", true},
                {"id", id},
                {"type", type},
                {"duplicate", fresh == 0},
                {"applied", false}};
    if (!fresh) return out;
    std::string ref = type == "charge.refunded" ? str("payment_intent") : str("id");
    if (ref.empty()) return out;
    MJ_TRY_ASSIGN(auto pay, tx.queryOne("SELECT id, status, workspace_id, currency, amount, "
                                        "ledger_transaction_id FROM payments WHERE provider = "
                                        "'stripe' AND provider_ref = ?",
                                        {ref}));
    if (!pay) return out;  // not ours (or created elsewhere): acknowledged
    if (type == "payment_intent.succeeded") {
      MJ_TRY(creditPayment(tx, pay->text(0), now));
      out["applied"] = true;
    } else if (type == "payment_intent.payment_failed") {
      std::string code = "card_declined";
      if (object && object->contains("last_payment_error") &&
          (*object)["last_payment_error"].is_object())
        code = (*object)["last_payment_error"].value("code", code);
      MJ_TRY(
          tx.exec("UPDATE payments SET status = 'failed', failure_code = ?, updated_at = ? "
                  "WHERE id = ? AND status = 'requires_action'",
                  {code.substr(0, 64), now, pay->text(0)}));
      out["applied"] = true;
    } else if (type == "charge.refunded" && pay->text(1) == "succeeded") {
      // The money went back to the card: take it out of the wallet (what is left of it).
      const std::string ws = pay->text(2), cur = pay->text(3);
      MJ_TRY_ASSIGN(auto bal, tx.queryOne("SELECT balance FROM ledger_accounts WHERE id = ?",
                                          {walletAccountId(ws, cur)}));
      int64_t take = std::min(pay->integer(4), bal ? bal->integer(0) : 0);
      if (take > 0) {
        NewTransaction t{"provider_refund",
                         cur,
                         ws,
                         "refund:" + pay->text(0),
                         "card refund of " + pay->text(0),
                         {},
                         {}};
        t.legs.push_back({walletAccountId(ws, cur), Side::kDebit, take});
        t.legs.push_back({platformAccountId("cash_clearing", cur), Side::kCredit, take});
        MJ_TRY(ledger_.post(tx, t));
      }
      if (take < pay->integer(4))
        spdlog::warn("billing: refund of {} exceeds the wallet by {}", pay->text(0),
                     pay->integer(4) - take);
      MJ_TRY(tx.exec("UPDATE payments SET status = 'refunded', updated_at = ? WHERE id = ?",
                     {now, pay->text(0)}));
      out["applied"] = true;
    }
    return out;
  });
}

}  // namespace mailjuke::core::billing
