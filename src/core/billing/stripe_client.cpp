#include "core/billing/stripe_client.h"

#include <spdlog/spdlog.h>

#include <cctype>
#include <chrono>
#include <thread>

#include "base/encoding.h"

namespace mailjuke::core::billing {
namespace {

std::string str(const Json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>()
                                                                : std::string();
}

// An intent's payment_method: an id, or the object when expanded; `fallback` when absent.
std::string paymentMethodId(const Json& intent, const std::string& fallback) {
  if (!intent.is_object() || !intent.contains("payment_method")) return fallback;
  const Json& pm = intent["payment_method"];
  std::string id = pm.is_string() ? pm.get<std::string>() : str(pm, "id");
  return id.empty() ? fallback : id;
}

// A SetupIntent answer (or its error) → saved | requires_action | declined, with the card's
// brand, last4 and country when payment_method was expanded.
SavedCard setupOutcome(const StripeAnswer& answer, const std::string& payment_method) {
  SavedCard out;
  const Json& o = answer.object;
  out.provider_ref = str(o, "id");
  if (answer.kind != StripeAnswer::Kind::kOk) {
    out.status = "declined";
    out.failure_code = answer.code.empty() ? "setup_failed" : answer.code;
    return out;
  }
  std::string status = str(o, "status");
  out.payment_method = paymentMethodId(o, payment_method);
  if (o.contains("payment_method") && o["payment_method"].is_object()) {
    const Json& pm = o["payment_method"];
    if (pm.contains("card") && pm["card"].is_object()) {
      out.brand = str(pm["card"], "brand");
      out.last4 = str(pm["card"], "last4");
      out.country = str(pm["card"], "country");
      for (auto& ch : out.country)
        ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      if (out.brand.size() > 32) out.brand.clear();
      if (out.last4.size() > 4) out.last4.clear();
      if (out.country.size() != 2) out.country.clear();
    }
  }
  if (status == "succeeded") {
    out.status = "saved";
  } else if (status == "requires_action" || status == "requires_confirmation" ||
             status == "processing") {
    out.status = "requires_action";
  } else {
    out.status = "declined";
    if (o.contains("last_setup_error") && o["last_setup_error"].is_object()) {
      out.failure_code = str(o["last_setup_error"], "decline_code");
      if (out.failure_code.empty()) out.failure_code = str(o["last_setup_error"], "code");
    }
    if (out.failure_code.empty()) out.failure_code = status.empty() ? "setup_failed" : status;
    if (out.failure_code.size() > 64) out.failure_code.resize(64);
  }
  return out;
}

class StripeProvider final : public PaymentProvider {
 public:
  StripeProvider(StripeConfig config, StripeTransport transport)
      : config_(std::move(config)), transport_(std::move(transport)) {
    while (!config_.api_base.empty() && config_.api_base.back() == '/') config_.api_base.pop_back();
  }

  std::string name() const override { return "stripe"; }

  Result<ChargeOutcome> charge(const ChargeRequest& r) override {
    MJ_TRY_ASSIGN(auto answer,
                  send("POST", "/v1/payment_intents", chargeForm(r), r.idempotency_key));
    if (answer.kind == StripeAnswer::Kind::kOk) {
      ChargeOutcome out = intentOutcome(answer.object);
      if (r.save_for_future && out.status == "succeeded")
        out.saved_payment_method = paymentMethodId(answer.object, r.payment_method);
      return out;
    }
    return ChargeOutcome{"declined", str(answer.object, "id"),
                         answer.code.empty() ? "card_declined" : answer.code, ""};
  }

  // POST /v1/customers name, email, metadata[workspace_id]; the key is derived from the
  // workspace, so a retry within Stripe's key lifetime gets the same customer.
  Result<std::string> createCustomer(const CustomerRequest& r) override {
    std::vector<std::pair<std::string, std::string>> form;
    if (!r.name.empty()) form.push_back({"name", r.name});
    if (!r.email.empty()) form.push_back({"email", r.email});
    form.push_back({"metadata[workspace_id]", r.workspace_id});
    MJ_TRY_ASSIGN(auto answer, send("POST", "/v1/customers", form, r.idempotency_key));
    std::string id = str(answer.object, "id");
    if (answer.kind != StripeAnswer::Kind::kOk || !id.starts_with("cus_"))
      return Error::make(ErrorCode::kUnavailable,
                         "Stripe did not create a customer (" +
                             (answer.code.empty() ? answer.message : answer.code) + ")");
    return id;
  }

  Result<SavedCard> saveCard(const SaveCardRequest& r) override {
    MJ_TRY_ASSIGN(auto answer, send("POST", "/v1/setup_intents", setupForm(r), r.idempotency_key));
    return setupOutcome(answer, r.payment_method);
  }

  Result<SavedCard> confirmSavedCard(const std::string& provider_ref) override {
    if (!provider_ref.starts_with("seti_") ||
        provider_ref.find_first_of("/?#%&") != std::string::npos)
      return Error::invalid("setup", "no Stripe SetupIntent to confirm");
    MJ_TRY_ASSIGN(
        auto answer,
        send("GET", "/v1/setup_intents/" + provider_ref + "?expand%5B%5D=payment_method", {}, ""));
    return setupOutcome(answer, "");
  }

  Result<ChargeOutcome> confirm(const std::string& provider_ref) override {
    if (provider_ref.empty() || provider_ref.find_first_of("/?#%") != std::string::npos)
      return Error::invalid("payment", "no Stripe PaymentIntent to confirm");
    MJ_TRY_ASSIGN(auto answer, send("GET", "/v1/payment_intents/" + provider_ref, {}, ""));
    if (answer.kind == StripeAnswer::Kind::kOk) return intentOutcome(answer.object);
    return ChargeOutcome{"declined", provider_ref,
                         answer.code.empty() ? "payment_failed" : answer.code};
  }

  Result<RefundOutcome> refund(const RefundRequest& r) override {
    MJ_TRY_ASSIGN(auto answer, send("POST", "/v1/refunds",
                                    {{"payment_intent", r.provider_ref},
                                     {"amount", std::to_string(r.amount)},
                                     {"reason", "requested_by_customer"},
                                     {"metadata[mailjuke_refund]", r.idempotency_key},
                                     {"metadata[mailjuke_payment]", r.payment_id}},
                                    r.idempotency_key));
    if (answer.kind != StripeAnswer::Kind::kOk)
      return RefundOutcome{"failed", "", answer.code.empty() ? "refund_failed" : answer.code};
    std::string status = str(answer.object, "status"), ref = str(answer.object, "id");
    if (status == "succeeded") return RefundOutcome{"succeeded", ref, ""};
    if (status == "pending" || status == "requires_action")
      return RefundOutcome{"pending", ref, ""};
    std::string reason = str(answer.object, "failure_reason");
    return RefundOutcome{"failed", ref, reason.empty() ? status : reason};
  }

  // GET /v1/payment_methods/{pm} → card.country. One attempt: the charge must not wait for
  // retries of a lookup that only feeds a fraud rule.
  Result<std::optional<std::string>> cardCountry(const std::string& payment_method) override {
    if (!payment_method.starts_with("pm_") || payment_method.size() > 255 ||
        payment_method.find_first_not_of(
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != std::string::npos)
      return std::optional<std::string>();
    MJ_TRY_ASSIGN(auto answer, send("GET", "/v1/payment_methods/" + payment_method, {}, "", 1));
    if (answer.kind != StripeAnswer::Kind::kOk)
      return Error::make(ErrorCode::kUnavailable,
                         "Stripe did not return payment method " + payment_method + " (" +
                             (answer.code.empty() ? answer.message : answer.code) + ")");
    const Json& o = answer.object;
    std::string country =
        o.contains("card") && o["card"].is_object() ? str(o["card"], "country") : std::string();
    if (country.size() != 2 || !std::isalpha(static_cast<unsigned char>(country[0])) ||
        !std::isalpha(static_cast<unsigned char>(country[1])))
      return std::optional<std::string>();
    for (auto& ch : country) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return std::optional<std::string>(country);
  }

 private:
  // Sends with retries; returns the first answer that is not worth retrying.
  Result<StripeAnswer> send(const std::string& method, const std::string& path,
                            const std::vector<std::pair<std::string, std::string>>& form,
                            const std::string& idempotency_key, int max_attempts = 0) {
    if (config_.secret_key.empty())
      return Error::make(ErrorCode::kUnavailable,
                         "card payments are not configured ([billing] stripe_secret_key)");
    StripeHttpRequest req{method, config_.api_base + path, {}, {}};
    req.headers.push_back({"Authorization", "Bearer " + config_.secret_key});
    if (!idempotency_key.empty()) req.headers.push_back({"Idempotency-Key", idempotency_key});
    if (method == "POST") {
      req.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
      req.body = formEncode(form);
    }
    std::string last;
    int64_t delay = config_.retry_delay_ms;
    int attempts = std::max(1, max_attempts > 0 ? max_attempts : config_.max_attempts);
    for (int attempt = 1; attempt <= attempts; ++attempt) {
      if (attempt > 1) {
        std::this_thread::sleep_for(std::chrono::milliseconds(delay));
        delay *= 2;
      }
      auto res = transport_(req);
      if (!res.ok()) {
        last = res.error().message;
      } else {
        StripeAnswer answer = classifyStripeAnswer(res->status, res->body);
        if (answer.kind == StripeAnswer::Kind::kAuth)
          return Error::make(ErrorCode::kUnavailable, "Stripe refused our API key (HTTP " +
                                                          std::to_string(res->status) +
                                                          "); check [billing] stripe_secret_key");
        if (answer.kind != StripeAnswer::Kind::kRetry) return answer;
        last = "HTTP " + std::to_string(res->status) +
               (answer.message.empty() ? "" : ": " + answer.message);
      }
      spdlog::warn("stripe: {} {} attempt {}/{} failed: {}", method, path, attempt, attempts, last);
    }
    return Error::make(ErrorCode::kUnavailable,
                       "the payment provider did not answer after " + std::to_string(attempts) +
                           " attempts (" + last + "); nothing was credited, try again later");
  }

  StripeConfig config_;
  StripeTransport transport_;
};

}  // namespace

std::vector<std::pair<std::string, std::string>> chargeForm(const ChargeRequest& r) {
  std::vector<std::pair<std::string, std::string>> form = {{"amount", std::to_string(r.amount)},
                                                           {"currency", toLowerAscii(r.currency)},
                                                           {"payment_method", r.payment_method},
                                                           {"payment_method_types[]", "card"},
                                                           {"confirm", "true"}};
  if (!r.customer.empty()) form.push_back({"customer", r.customer});
  if (r.off_session)
    form.push_back({"off_session", "true"});
  else if (r.save_for_future)
    form.push_back({"setup_future_usage", "off_session"});
  form.push_back({"description", r.description});
  form.push_back({"metadata[mailjuke_payment]", r.idempotency_key});
  form.push_back({"metadata[workspace]", r.workspace_id});
  return form;
}

std::vector<std::pair<std::string, std::string>> setupForm(const SaveCardRequest& r) {
  return {{"customer", r.customer},           {"payment_method", r.payment_method},
          {"payment_method_types[]", "card"}, {"confirm", "true"},
          {"usage", "off_session"},           {"expand[]", "payment_method"}};
}

std::string formEncode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [k, v] : fields) {
    if (!out.empty()) out += '&';
    out += urlEncode(k) + "=" + urlEncode(v);
  }
  return out;
}

StripeAnswer classifyStripeAnswer(int http_status, std::string_view body) {
  StripeAnswer a;
  Json j = Json::parse(body, nullptr, false);
  bool object = !j.is_discarded() && j.is_object();
  if (http_status >= 200 && http_status < 300) {
    if (!object) {
      a.message = "the answer is not a JSON object";
      return a;  // kRetry: the same key gives the same (hopefully complete) answer
    }
    a.kind = StripeAnswer::Kind::kOk;
    a.object = std::move(j);
    return a;
  }
  const Json* err = object && j.contains("error") && j["error"].is_object() ? &j["error"] : nullptr;
  if (err) {
    a.code = str(*err, "decline_code");
    if (a.code.empty()) a.code = str(*err, "code");
    a.message = str(*err, "message");
    if (err->contains("payment_intent") && (*err)["payment_intent"].is_object())
      a.object = (*err)["payment_intent"];
  }
  if (a.code.size() > 64) a.code.resize(64);
  if (a.message.size() > 500) a.message.resize(500);
  bool card_error = err && str(*err, "type") == "card_error";
  if (http_status == 401 || http_status == 403) {
    a.kind = StripeAnswer::Kind::kAuth;
  } else if (http_status == 409 || http_status == 429 || http_status >= 500 || http_status < 200 ||
             (http_status >= 300 && http_status < 400)) {
    a.kind = StripeAnswer::Kind::kRetry;
  } else if (http_status == 402 || card_error) {
    a.kind = StripeAnswer::Kind::kCardError;
  } else {
    a.kind = StripeAnswer::Kind::kRejected;
    if (a.code.empty()) a.code = "invalid_request";
  }
  return a;
}

ChargeOutcome intentOutcome(const Json& intent) {
  std::string id = str(intent, "id"), status = str(intent, "status");
  if (status == "succeeded") {
    ChargeOutcome out{"succeeded", id, ""};
    // setup_future_usage=off_session: Stripe attached the card to the customer on success (also
    // when 3-D Secure or processing delayed it), so it is the card to charge off-session.
    if (str(intent, "setup_future_usage") == "off_session")
      out.saved_payment_method = paymentMethodId(intent, "");
    return out;
  }
  if (status == "requires_action" || status == "requires_confirmation")
    return {"requires_action", id, ""};
  if (status == "processing" || status == "requires_capture") return {"processing", id, ""};
  std::string code;
  if (intent.is_object() && intent.contains("last_payment_error") &&
      intent["last_payment_error"].is_object()) {
    code = str(intent["last_payment_error"], "decline_code");
    if (code.empty()) code = str(intent["last_payment_error"], "code");
  }
  if (code.empty()) code = status == "canceled" ? "canceled" : "payment_failed";
  if (code.size() > 64) code.resize(64);
  return {"declined", id, code};
}

std::unique_ptr<PaymentProvider> makeStripeProvider(StripeConfig config,
                                                    StripeTransport transport) {
  return std::make_unique<StripeProvider>(std::move(config), std::move(transport));
}

}  // namespace mailjuke::core::billing
