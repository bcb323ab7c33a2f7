// POST /api/v1/billing/webhooks/stripe: the Stripe-Signature is verified over the raw body
// (stripe_signature.h), the event id is recorded once (a replayed event changes nothing), and
// payment_intent.succeeded / payment_intent.payment_failed / charge.refunded update the payment
// whose provider_ref is the PaymentIntent id (or whose id is the intent's
// metadata[mailjuke_payment]). charge.refunded only takes out of the wallet what was refunded
// beyond the refunds we recorded ourselves (refunds.cpp), so our own refund never subtracts twice.
// charge.refund.updated / refund.updated / refund.failed with a failed or canceled refund put its
// money back into the wallet (refund_updates.cpp).
// Other event types are acknowledged and ignored.
#include <algorithm>

#include "core/billing/billing_service.h"
#include "core/billing/stripe_client.h"
#include "core/billing/stripe_signature.h"

namespace mailjuke::core::billing {
namespace {

std::string textOf(const Json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>()
                                                                : std::string();
}

}  // namespace

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
    if (type == "charge.refund.updated" || type == "refund.updated" || type == "refund.failed") {
      // The object is a Refund (refund_updates.cpp): failed or canceled goes back to the wallet.
      if (!object) return out;
      MJ_TRY_ASSIGN(bool applied, applyRefundUpdate(tx, *object, now));
      out["applied"] = applied;
      return out;
    }
    std::string ref = type == "charge.refunded" ? str("payment_intent") : str("id");
    // Our PaymentIntents carry metadata[mailjuke_payment]: it finds the payment even when the
    // event overtakes the answer to our own request (or that answer never came).
    std::string ours;
    if (object && object->contains("metadata") && (*object)["metadata"].is_object())
      ours = textOf((*object)["metadata"], "mailjuke_payment");
    if (ref.empty() && ours.empty()) return out;
    MJ_TRY_ASSIGN(auto pay, tx.queryOne("SELECT id, status, workspace_id, currency, amount, "
                                        "ledger_transaction_id FROM payments WHERE provider = "
                                        "'stripe' AND provider_ref = ?",
                                        {ref}));
    if (!pay && !ours.empty() && type != "charge.refunded") {
      MJ_TRY_ASSIGN(pay, tx.queryOne("SELECT id, status, workspace_id, currency, amount, "
                                     "ledger_transaction_id FROM payments WHERE provider = "
                                     "'stripe' AND id = ?",
                                     {ours}));
      if (pay && !ref.empty())
        MJ_TRY(tx.exec("UPDATE payments SET provider_ref = ? WHERE id = ? AND provider_ref IS NULL",
                       {ref, ours}));
      int64_t created = event.contains("created") && event["created"].is_number_integer()
                            ? event["created"].get<int64_t>()
                            : 0;
      if (!pay && ours.starts_with("pay_") && created > now - 600)
        // Ours, but our request has not recorded it yet: not acknowledged, so Stripe retries.
        return Error::make(ErrorCode::kConflict, "payment " + ours + " is not recorded yet");
    }
    if (!pay) return out;  // not ours (or created elsewhere): acknowledged
    if (type == "payment_intent.succeeded") {
      MJ_TRY(creditPayment(tx, pay->text(0), now));
      // The card saved by a payment that was waiting (3-D Secure, processing); a late event
      // for a payment settled long ago must not replace a card saved since.
      std::string saved = object ? intentOutcome(*object).saved_payment_method : "";
      if (!saved.empty() && pay->text(1) == "requires_action")
        MJ_TRY(storeSavedCard(tx, pay->text(2), {"saved", saved}, now));
      out["applied"] = true;
    } else if (type == "payment_intent.processing") {
      MJ_TRY(
          tx.exec("UPDATE payments SET provider_status = 'processing', updated_at = ? WHERE "
                  "id = ? AND status = 'requires_action'",
                  {now, pay->text(0)}));
      out["applied"] = true;
    } else if (type == "payment_intent.payment_failed") {
      std::string code = "card_declined";
      if (object && object->contains("last_payment_error") &&
          (*object)["last_payment_error"].is_object()) {
        const Json& e = (*object)["last_payment_error"];
        std::string found = textOf(e, "decline_code");
        if (found.empty()) found = textOf(e, "code");
        if (!found.empty()) code = found;
      }
      MJ_TRY(
          tx.exec("UPDATE payments SET status = 'failed', failure_code = ?, updated_at = ? "
                  "WHERE id = ? AND status = 'requires_action'",
                  {code.substr(0, 64), now, pay->text(0)}));
      out["applied"] = true;
    } else if (type == "charge.refunded" &&
               (pay->text(1) == "succeeded" || pay->text(1) == "refunded")) {
      int64_t amount = pay->integer(4);
      int64_t refunded = amount;  // older payloads without amount_refunded: the whole payment
      if (object && object->contains("amount_refunded") &&
          (*object)["amount_refunded"].is_number_integer())
        refunded = std::clamp((*object)["amount_refunded"].get<int64_t>(), int64_t(0), amount);
      MJ_TRY(applyProviderRefund(tx, pay->text(0), refunded, str("id"), now));
      out["applied"] = true;
    }
    return out;
  });
}

}  // namespace mailjuke::core::billing
