// Billing (API.md "Billing", docs/billing.md): the public plan catalog, a workspace's
// subscription, wallet, billing details and invoices, the Stripe webhook, and the operators'
// fraud review queue.
#include <cstring>
#include <utility>

#include "core/billing/invoice_render.h"
#include "core/billing/plans.h"
#include "server/http/api/api.h"
#include "server/http/api/json_input.h"

namespace mailjuke::api {
namespace {

namespace bl = core::billing;

Result<bl::SubscriptionChange> changeInput(const Ctx& c) {
  MJ_TRY_ASSIGN(auto in, JsonInput::from(c.body, {"plan", "interval", "payment_method"}));
  bl::SubscriptionChange ch;
  MJ_TRY_ASSIGN(ch.plan, in.str("plan", 32));
  MJ_TRY_ASSIGN(auto interval, in.optStr("interval", 16));
  if (interval) {
    ch.interval = bl::parseInterval(*interval);
    if (!ch.interval) return Error::invalid("interval", "must be month or year");
  }
  MJ_TRY_ASSIGN(ch.payment_method, in.optStr("payment_method", 255));
  auto preview = c.req.queryParam("preview");
  if (preview && *preview != "true" && *preview != "false")
    return Error::invalid("preview", "must be true or false");
  ch.preview = preview && *preview == "true";
  return ch;
}

http::Response document(int status, const std::string& type, std::string body,
                        const std::string& filename) {
  auto res = http::Response::text(status, type, std::move(body));
  res.headers.set("content-disposition", "inline; filename=\"" + filename + "\"");
  res.headers.set("cache-control", "private, no-store");
  return res;
}

// POST …/credit-notes body: {amount? | lines?: [{description, amount}], reason}.
Result<bl::CreditNoteInput> creditNoteInput(const Ctx& c) {
  MJ_TRY_ASSIGN(auto in, JsonInput::from(c.body, {"amount", "lines", "reason"}));
  bl::CreditNoteInput out;
  MJ_TRY_ASSIGN(out.reason, in.str("reason", 500));
  MJ_TRY_ASSIGN(out.amount, in.optInt("amount", 1, int64_t(1) << 40));
  if (in.has("lines")) {
    const Json& lines = c.body["lines"];
    if (!lines.is_array() || lines.empty() || lines.size() > 100)
      return Error::invalid("lines", "must be an array of 1 to 100 {description, amount}");
    for (size_t i = 0; i < lines.size(); ++i) {
      const Json& l = lines[i];
      std::string f = "lines[" + std::to_string(i) + "]";
      if (!l.is_object() || !l.contains("description") || !l["description"].is_string())
        return Error::invalid(f + ".description", "is required (a string)");
      if (!l.contains("amount") || !l["amount"].is_number_integer())
        return Error::invalid(f + ".amount", "is required (an integer in minor units)");
      for (const auto& [k, v] : l.items())
        if (k != "description" && k != "amount")
          return Error::invalid(f + "." + k, "unknown field");
      out.lines.push_back({l["description"].get<std::string>(), l["amount"].get<int64_t>()});
    }
  }
  return out;
}

// "{id}", "{id}.html" or "{id}.pdf" → id and format ("" for JSON).
std::pair<std::string, std::string> documentParam(std::string id) {
  std::string format;
  for (const char* ext : {".pdf", ".html"})
    if (id.size() > strlen(ext) && id.ends_with(ext)) {
      format = ext + 1;
      id.resize(id.size() - strlen(ext));
    }
  return {id, format};
}

}  // namespace

void addBillingRefundRoutes(Api& api);  // routes_billing_refunds.cpp

void addBillingRoutes(Api& api) {
  addBillingRefundRoutes(api);
  auto& billing = api.services().billing;
  const auto& settings = api.services().ctx.settings.billing;
  api.add({"GET", "/api/v1/plans",
           "Plan catalog: prices per interval, mailbox and storage limits, "
           "domain prices per TLD, the trial allowance",
           "billing", Auth::kPublic, 0, [&settings](Ctx&) -> Result<http::Response> {
             auto res = jsonResponse(200, bl::catalogJson(settings));
             res.headers.set("cache-control", "public, max-age=300");
             return res;
           }});
  const std::string ws = "/api/v1/workspaces/{ws}";
  api.add({"GET", ws + "/subscription",
           "The subscription (status none without one), its limits and usage", "billing",
           Auth::kAny, 0, [&billing](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto out, billing.subscription(c.principal, c.param("ws")));
             return jsonResponse(200, out);
           }});
  api.add({"PUT", ws + "/subscription",
           "Subscribe or change plan/interval, prorated to the second and invoiced at once "
           "({plan, interval?, payment_method?}); ?preview=true only computes; the same plan "
           "resumes a cancellation or retries a past-due payment",
           "billing", Auth::kAny, 16 * 1024, [&billing](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto in, changeInput(c));
             MJ_TRY_ASSIGN(auto out, billing.changeSubscription(c.principal, c.param("ws"), in));
             return jsonResponse(200, out);
           }});
  api.add({"DELETE", ws + "/subscription", "Cancel at the end of the current period", "billing",
           Auth::kAny, 1024, [&billing](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto out, billing.cancelSubscription(c.principal, c.param("ws")));
             return jsonResponse(200, out);
           }});
  api.add({"GET", ws + "/wallet", "Wallet balance and ledger entries, newest first", "billing",
           Auth::kAny, 0, [&billing](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(int limit, c.limit());
             MJ_TRY_ASSIGN(auto out, billing.wallet(c.principal, c.param("ws"), c.cursor(), limit));
             return jsonResponse(200, out);
           }});
  api.add({"POST", ws + "/wallet/top-ups",
           "Top up the wallet by card ({amount, payment_method}); Idempotency-Key required; 201 "
           "paid, 202 held for review or waiting for confirmation, 402 declined",
           "billing", Auth::kAny, 16 * 1024,
           [&billing](Ctx& c) -> Result<http::Response> {
             if (!c.req.headers.get("idempotency-key"))
               return Error::invalid("Idempotency-Key", "is required on requests that move money");
             MJ_TRY_ASSIGN(auto in, JsonInput::from(c.body, {"amount", "payment_method"}));
             MJ_TRY_ASSIGN(auto amount, in.optInt("amount", 1, int64_t(1) << 40));
             if (!amount) return Error::invalid("amount", "is required (minor units)");
             MJ_TRY_ASSIGN(auto pm, in.str("payment_method", 255));
             MJ_TRY_ASSIGN(auto out, billing.topUp(c.principal, c.param("ws"), *amount, pm));
             return jsonResponse(out.status, out.body);
           },
           true, 201});
  api.add({"POST", ws + "/wallet/top-ups/{pay}/confirm",
           "Confirm a top-up that needed authentication (3-D Secure)", "billing", Auth::kAny, 1024,
           [&billing](Ctx& c) -> Result<http::Response> {
             MJ_TRY(JsonInput::from(c.body, {}));
             MJ_TRY_ASSIGN(auto out,
                           billing.confirmTopUp(c.principal, c.param("ws"), c.param("pay")));
             return jsonResponse(200, out);
           }});
  api.add({"GET", ws + "/billing-details", "The buyer on invoices: name, address, country, VAT ID",
           "billing", Auth::kAny, 0, [&billing](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto out, billing.billingDetails(c.principal, c.param("ws")));
             return jsonResponse(200, out);
           }});
  api.add({"PUT", ws + "/billing-details",
           "Replace the billing details ({legal_name, address, country, vat_id?, email?})",
           "billing", Auth::kAny, 16 * 1024, [&billing](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto in, JsonInput::from(c.body, {"legal_name", "address", "country",
                                                             "vat_id", "email"}));
             bl::BillingDetails d;
             MJ_TRY_ASSIGN(d.legal_name, in.str("legal_name", 200));
             MJ_TRY_ASSIGN(d.address, in.str("address", 1000));
             MJ_TRY_ASSIGN(d.country, in.str("country", 2));
             MJ_TRY_ASSIGN(auto vat, in.optStr("vat_id", 32));
             MJ_TRY_ASSIGN(auto email, in.optStr("email", 320));
             d.vat_id = vat.value_or("");
             d.email = email.value_or("");
             MJ_TRY_ASSIGN(auto out, billing.setBillingDetails(c.principal, c.param("ws"), d));
             return jsonResponse(200, out);
           }});
  api.add({"GET", ws + "/invoices", "Invoices, newest first", "billing", Auth::kAny, 0,
           [&billing](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(int limit, c.limit());
             MJ_TRY_ASSIGN(auto page,
                           billing.invoices(c.principal, c.param("ws"), c.cursor(), limit));
             return http::Response::json(200, page.render());
           }});
  api.add({"GET", ws + "/invoices/{inv}",
           "An invoice with its lines; {inv}.html and {inv}.pdf return the document", "billing",
           Auth::kAny, 0, [&billing](Ctx& c) -> Result<http::Response> {
             std::string inv = c.param("inv");
             std::string format;
             for (const char* ext : {".pdf", ".html"})
               if (inv.size() > strlen(ext) && inv.ends_with(ext)) {
                 format = ext + 1;
                 inv.resize(inv.size() - strlen(ext));
               }
             MJ_TRY_ASSIGN(auto out, billing.invoice(c.principal, c.param("ws"), inv));
             std::string name = out["number"].is_string() ? out["number"].get<std::string>() : inv;
             if (format == "html")
               return document(200, "text/html; charset=utf-8", bl::renderInvoiceHtml(out),
                               name + ".html");
             if (format == "pdf") {
               MJ_TRY_ASSIGN(auto pdf, bl::renderInvoicePdf(out));
               return document(200, "application/pdf", std::move(pdf), name + ".pdf");
             }
             return jsonResponse(200, out);
           }});
  api.add({"POST", "/api/v1/billing/webhooks/stripe",
           "Stripe events (Stripe-Signature verified over the raw body, deduplicated by id)",
           "billing", Auth::kPublic, 256 * 1024,
           [&billing](Ctx& c) -> Result<http::Response> {
             auto sig = c.req.headers.get("stripe-signature");
             if (!sig)
               return Error::make(ErrorCode::kUnauthenticated, "Stripe-Signature is missing");
             MJ_TRY_ASSIGN(auto out, billing.stripeWebhook(*sig, c.req.body));
             return jsonResponse(200, out);
           },
           false});
  api.add({"GET", "/api/v1/admin/fraud-reviews",
           "Payments held by the fraud rules (filter: status=open|approved|denied)", "admin",
           Auth::kOperator, 0, [&billing](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(int limit, c.limit());
             MJ_TRY_ASSIGN(auto page,
                           billing.fraudReviews(c.req.queryParam("status"), c.cursor(), limit));
             return http::Response::json(200, page.render());
           }});
  // Credit notes and auto top-up (issue 6, docs/billing.md).
  api.add({"POST", ws + "/invoices/{inv}/credit-notes",
           "Issue a credit note for an open or paid invoice ({amount? | lines?, reason}); "
           "Idempotency-Key required; a paid invoice's credit goes to the wallet",
           "billing", Auth::kAny, 64 * 1024,
           [&billing](Ctx& c) -> Result<http::Response> {
             if (!c.req.headers.get("idempotency-key"))
               return Error::invalid("Idempotency-Key", "is required on requests that move money");
             MJ_TRY_ASSIGN(auto in, creditNoteInput(c));
             MJ_TRY_ASSIGN(auto out,
                           billing.issueCreditNote(c.principal, c.param("ws"), c.param("inv"), in));
             return jsonResponse(201, out);
           },
           true, 201});
  api.add({"GET", ws + "/invoices/{inv}/credit-notes", "Credit notes of an invoice, newest first",
           "billing", Auth::kAny, 0, [&billing](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(int limit, c.limit());
             MJ_TRY_ASSIGN(auto page, billing.creditNotes(c.principal, c.param("ws"),
                                                          c.param("inv"), c.cursor(), limit));
             return http::Response::json(200, page.render());
           }});
  api.add({"GET", ws + "/credit-notes", "Credit notes, newest first", "billing", Auth::kAny, 0,
           [&billing](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(int limit, c.limit());
             MJ_TRY_ASSIGN(auto page, billing.creditNotes(c.principal, c.param("ws"), std::nullopt,
                                                          c.cursor(), limit));
             return http::Response::json(200, page.render());
           }});
  api.add({"GET", ws + "/credit-notes/{cn}",
           "A credit note with its lines; {cn}.html and {cn}.pdf return the document", "billing",
           Auth::kAny, 0, [&billing](Ctx& c) -> Result<http::Response> {
             auto [cn, format] = documentParam(c.param("cn"));
             MJ_TRY_ASSIGN(auto out, billing.creditNote(c.principal, c.param("ws"), cn));
             std::string name = out["number"].get<std::string>();
             if (format == "html")
               return document(200, "text/html; charset=utf-8", bl::renderInvoiceHtml(out),
                               name + ".html");
             if (format == "pdf") {
               MJ_TRY_ASSIGN(auto pdf, bl::renderInvoicePdf(out));
               return document(200, "application/pdf", std::move(pdf), name + ".pdf");
             }
             return jsonResponse(200, out);
           }});
  api.add({"PUT", ws + "/wallet/auto-top-up",
           "Auto top-up: when a charge leaves the balance below threshold, top up amount with "
           "the saved card, charged off-session ({enabled, threshold, amount, payment_method?: "
           "saved first; default the saved card})",
           "billing", Auth::kAny, 16 * 1024, [&billing](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto in, JsonInput::from(c.body, {"enabled", "threshold", "amount",
                                                             "payment_method"}));
             bl::AutoTopUpInput a;
             MJ_TRY_ASSIGN(a.enabled, in.boolean("enabled"));
             MJ_TRY_ASSIGN(auto threshold, in.optInt("threshold", 0, int64_t(1) << 40));
             MJ_TRY_ASSIGN(auto amount, in.optInt("amount", 1, int64_t(1) << 40));
             if (!threshold) return Error::invalid("threshold", "is required (minor units)");
             if (!amount) return Error::invalid("amount", "is required (minor units)");
             a.threshold = *threshold;
             a.amount = *amount;
             MJ_TRY_ASSIGN(auto pm, in.optStr("payment_method", 255));
             a.payment_method = pm.value_or("");
             MJ_TRY_ASSIGN(auto out, billing.setAutoTopUp(c.principal, c.param("ws"), a));
             return jsonResponse(200, out);
           }});
  api.add({"GET", ws + "/billing/payment-method",
           "The card saved for renewals and auto top-ups (provider, customer, payment_method, "
           "brand, last4, country, saved_at, pending)",
           "billing", Auth::kAny, 0, [&billing](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto out, billing.savedCard(c.principal, c.param("ws")));
             return jsonResponse(200, out);
           }});
  api.add({"PUT", ws + "/billing/payment-method",
           "Replace the card saved for renewals and auto top-ups ({payment_method}); saved on "
           "the provider's customer (a SetupIntent): 200 saved, 202 the customer must confirm "
           "(POST …/billing/payment-method/confirm), 402 declined",
           "billing", Auth::kAny, 16 * 1024, [&billing](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto in, JsonInput::from(c.body, {"payment_method"}));
             MJ_TRY_ASSIGN(auto pm, in.str("payment_method", 255));
             MJ_TRY_ASSIGN(auto out, billing.replaceSavedCard(c.principal, c.param("ws"), pm));
             return jsonResponse(out.status, out.body);
           }});
  api.add({"POST", ws + "/billing/payment-method/confirm",
           "Confirm a card that needed the customer's confirmation before it could be saved: "
           "200 saved, 202 still waiting, 402 declined, 409 none waiting",
           "billing", Auth::kAny, 1024, [&billing](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto out, billing.confirmSavedCard(c.principal, c.param("ws")));
             return jsonResponse(out.status, out.body);
           }});
  for (const char* verb : {"approve", "deny"}) {
    bool approve = std::string(verb) == "approve";
    api.add({"POST", std::string("/api/v1/admin/fraud-reviews/{frv}/") + verb,
             approve ? "Approve a held payment: the card is charged and the wallet credited"
                     : "Deny a held payment ({note?})",
             "admin", Auth::kOperator, 16 * 1024,
             [&billing, approve](Ctx& c) -> Result<http::Response> {
               MJ_TRY_ASSIGN(auto in, JsonInput::from(c.body, {"note"}));
               MJ_TRY_ASSIGN(auto note, in.optStr("note", 2000));
               MJ_TRY_ASSIGN(auto out, billing.decideFraudReview(c.principal, c.param("frv"),
                                                                 approve, note.value_or("")));
               return jsonResponse(200, out);
             }});
  }
}

}  // namespace mailjuke::api
