#include "server/http/api/api.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <mutex>

#include "base/crypto.h"
#include "base/encoding.h"
#include "base/ids.h"
#include "base/json_writer.h"
#include "proto/http/problem.h"

namespace mailjuke::api {
namespace {

bool isUnsafe(const std::string& m) {
  return m == "POST" || m == "PUT" || m == "PATCH" || m == "DELETE";
}

bool sameOrigin(const http::Request& req, const std::string& public_url) {
  auto origin = req.headers.get("origin");
  if (!origin) return false;
  if (*origin == public_url) return true;
  auto host = req.headers.get("host");
  if (!host) return false;
  return *origin == "http://" + std::string(*host) || *origin == "https://" + std::string(*host);
}

// The access log: bare JSON lines on stdout, written through stdio's buffer and flushed every
// second (and by every other log line), not with a write(2) per request.
class AccessLogSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t line;
    formatter_->format(msg, line);
    std::fwrite(line.data(), 1, line.size(), stdout);
  }
  void flush_() override { std::fflush(stdout); }
};

std::string sanitizeRequestId(std::optional<std::string_view> given) {
  if (given && !given->empty() && given->size() <= 128) {
    bool ok = true;
    for (char c : *given)
      if (!(isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) ok = false;
    if (ok) return std::string(*given);
  }
  return newId("req");
}
}  // namespace

http::Response jsonResponse(int status, const Json& body) {
  return http::Response::json(status, body.dump(-1, ' ', false, Json::error_handler_t::replace));
}

Api::Api(ApiOptions options, Services services)
    : options_(std::move(options)), services_(services), limiter_(options_.rate_limit_per_minute) {
  addSystemRoutes(*this);
  addAuthRoutes(*this);
  addMeRoutes(*this);
  addWorkspaceRoutes(*this);
  addAdminRoutes(*this);
  addDomainRoutes(*this);
  addMailboxRoutes(*this);
  addJobRoutes(*this);
  addMailQueueRoutes(*this);
  addPrivacyRoutes(*this);
  addPrivacyAdminRoutes(*this);
  addBillingRoutes(*this);
  addStaticRoutes(*this);
}

size_t Api::bodyLimit(const std::string& method, const std::string& target) {
  auto m = router_.match(method, target.substr(0, target.find('?')));
  return m.route ? m.route->body_limit : 1024 * 1024;
}

std::string Api::sessionCookie(const http::Request& req, const std::string& value,
                               bool clear) const {
  bool tls = req.tls || options_.public_url.rfind("https://", 0) == 0;
  std::string c = sessionCookieName(tls) + "=" + value + "; Path=/; HttpOnly; SameSite=Lax";
  if (tls) c += "; Secure";
  if (clear) c += "; Max-Age=0";
  return c;
}

Result<core::Principal> Api::authenticate(http::Request& req, const Route& route) {
  std::string ua(req.headers.get("user-agent").value_or(""));
  core::Principal anon;
  anon.ip = req.remote_ip;
  anon.user_agent = ua;
  auto authz = req.headers.get("authorization");
  if (authz && authz->rfind("Bearer ", 0) == 0) {
    if (route.auth == Auth::kUser || route.auth == Auth::kOperator)
      return Error::make(ErrorCode::kUnauthenticated,
                         "this route needs a signed-in person, not an API key");
    return services_.workspaces.authenticateKey(std::string(authz->substr(7)), req.remote_ip, ua);
  }
  auto cookie = req.cookie(sessionCookieName(true));
  if (!cookie) cookie = req.cookie(sessionCookieName(false));
  if (cookie) {
    auto p = services_.accounts.authenticateSession(*cookie, req.remote_ip, ua);
    if (!p.ok()) {
      if (route.auth == Auth::kPublic) return anon;
      return std::move(p).error();
    }
    // CSRF: cookie-authenticated unsafe requests need a matching Origin and X-CSRF-Token.
    if (isUnsafe(req.method) && route.auth != Auth::kPublic) {
      auto token = req.headers.get("x-csrf-token");
      MJ_TRY_ASSIGN(std::string expected, services_.accounts.csrfToken(p->session_id));
      if (!sameOrigin(req, options_.public_url) || !token ||
          !crypto::constantTimeEqual(*token, expected))
        return Error::make(ErrorCode::kForbidden, "missing or invalid CSRF token or Origin");
    }
    if (route.auth == Auth::kOperator && !p->is_operator)
      return Error::make(ErrorCode::kForbidden, "operators only");
    return p;
  }
  if (route.auth == Auth::kPublic) return anon;
  return Error::make(ErrorCode::kUnauthenticated, "sign in or send an API key");
}

Result<http::Response> Api::dispatch(http::Request& req, const Route& route,
                                     std::string& principal_key,
                                     std::optional<RateLimiter::Decision>& rate) {
  if (req.malformed_query) return Error::make(ErrorCode::kMalformed, "malformed query string");
  Ctx ctx{req};
  if (isUnsafe(req.method) && route.json_body && !req.body.empty()) {
    auto ct = req.headers.get("content-type").value_or("");
    std::string type = toLowerAscii(ct.substr(0, ct.find(';')));
    while (!type.empty() && type.back() == ' ') type.pop_back();
    if (type != "application/json")
      return Error::make(ErrorCode::kUnsupportedMedia, "send the body as application/json");
    if (!isValidUtf8(req.body))
      return Error::make(ErrorCode::kMalformed, "the body is not valid UTF-8");
    ctx.body = Json::parse(req.body, nullptr, false);
    if (ctx.body.is_discarded())
      return Error::make(ErrorCode::kMalformed, "the body is not valid JSON");
    if (!ctx.body.is_object()) return Error::invalid("body", "must be a JSON object");
  }
  MJ_TRY_ASSIGN(ctx.principal, authenticate(req, route));
  principal_key = ctx.principal.kind == core::Principal::Kind::kAnonymous ? "ip:" + req.remote_ip
                                                                          : ctx.principal.actorId();
  rate = limiter_.take(principal_key, services_.ctx.clock.nowSeconds());
  if (!rate->allowed) {
    Error e = Error::make(ErrorCode::kRateLimited, "request budget exhausted for this minute");
    e.retry_after_seconds = int(rate->reset_seconds);
    return e;
  }
  if (req.method == "POST" && req.headers.get("idempotency-key") &&
      ctx.principal.kind != core::Principal::Kind::kAnonymous)
    return idempotent(ctx, route, principal_key);
  return route.handler(ctx);
}

void Api::finish(http::Request& req, http::Response& res, const std::string& route,
                 double seconds) {
  auto& h = res.headers;
  h.set("x-request-id", req.request_id);
  h.set("x-content-type-options", "nosniff");
  h.set("referrer-policy", "strict-origin-when-cross-origin");
  h.set("x-frame-options", "DENY");
  h.set("cross-origin-opener-policy", "same-origin");
  h.set("permissions-policy", "camera=(), microphone=(), geolocation=()");
  if (!h.get("content-security-policy"))
    h.set("content-security-policy",
          "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
          "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
          "form-action 'self'");
  if (req.tls || options_.public_url.rfind("https://", 0) == 0)
    h.set("strict-transport-security", "max-age=31536000; includeSubDomains");
  if (!h.get("cache-control") && req.path.rfind("/api/", 0) == 0)
    h.set("cache-control", "no-store");
  metrics_.observe(route, res.status, seconds);
  std::string path;
  appendJsonString(path, req.path.substr(0, 256));
  static auto access_log = [] {
    auto logger = std::make_shared<spdlog::logger>("access", std::make_shared<AccessLogSink>());
    logger->set_pattern("%v");
    spdlog::register_logger(logger);
    spdlog::flush_every(std::chrono::seconds(1));
    return logger;
  }();
  access_log->info(
      R"({{"time":"{}","type":"access","request_id":"{}","method":"{}","path":{},"route":"{}","status":{},"bytes":{},"ms":{:.3f},"ip":"{}"}})",
      formatRfc3339(services_.ctx.clock.nowSeconds()), req.request_id, req.method.substr(0, 16),
      path, route, res.status, res.body.size(), seconds * 1000, req.remote_ip);
}

http::Response Api::handle(http::Request& req) {
  auto start = std::chrono::steady_clock::now();
  req.request_id = sanitizeRequestId(req.headers.get("x-request-id"));
  // Web forwarding for customer domains, before routing (a 301 keeps path and query).
  if (auto host = req.headers.get("host")) {
    if (auto target = services_.forwards.lookup(*host)) {
      std::string url = *target;
      if (!url.empty() && url.back() == '/') url.pop_back();
      http::Response res = http::Response::empty(301);
      res.headers.set("location", url + (req.target.rfind('/', 0) == 0 ? req.target : "/"));
      finish(req, res, "forward", 0);
      return res;
    }
  }
  auto m = router_.match(req.method, req.path);
  std::string route_name = m.route ? m.route->pattern : "unmatched";
  http::Response res;
  std::string principal_key;
  std::optional<RateLimiter::Decision> rate;
  try {
    if (!m.route) {
      res = m.path_matched ? http::problem(405, "method " + req.method + " is not allowed here")
                           : http::problem(404, "no such resource");
      if (m.path_matched) res.status = 405;
    } else {
      req.params = m.params;
      auto r = dispatch(req, *m.route, principal_key, rate);
      res = r.ok() ? std::move(r).value() : http::problem(r.error());
      if (!r.ok() && r.error().code == ErrorCode::kInternal)
        spdlog::error("request {} failed: {}", req.request_id, r.error().message);
    }
  } catch (const std::exception& e) {
    spdlog::error("request {} threw: {}", req.request_id, e.what());
    res = http::problem(Error::internal(e.what()));
  }
  complete(req, res, route_name, rate, start);
  return res;
}

std::optional<http::Response> Api::handleFast(http::Request& req) {
  auto start = std::chrono::steady_clock::now();
  if (req.method != "GET" || req.malformed_query) return std::nullopt;
  auto authz = req.headers.get("authorization");
  if (!authz || authz->rfind("Bearer ", 0) != 0) return std::nullopt;
  if (auto host = req.headers.get("host"); host && services_.forwards.lookup(*host))
    return std::nullopt;
  auto m = router_.match(req.method, req.path);
  if (!m.route || !m.route->fast || m.route->auth == Auth::kUser ||
      m.route->auth == Auth::kOperator)
    return std::nullopt;
  Ctx ctx{req};
  auto principal =
      services_.workspaces.cachedKey(std::string(authz->substr(7)), req.remote_ip,
                                     std::string(req.headers.get("user-agent").value_or("")));
  if (!principal) return std::nullopt;
  ctx.principal = std::move(*principal);
  req.params = m.params;
  auto res = m.route->fast(ctx);
  if (!res) return std::nullopt;
  req.request_id = sanitizeRequestId(req.headers.get("x-request-id"));
  std::optional<RateLimiter::Decision> rate =
      limiter_.take(ctx.principal.actorId(), services_.ctx.clock.nowSeconds());
  if (!rate->allowed) {
    Error e = Error::make(ErrorCode::kRateLimited, "request budget exhausted for this minute");
    e.retry_after_seconds = int(rate->reset_seconds);
    res = http::problem(e);
  }
  complete(req, *res, m.route->pattern, rate, start);
  return res;
}

void Api::complete(http::Request& req, http::Response& res, const std::string& route,
                   const std::optional<RateLimiter::Decision>& rate,
                   std::chrono::steady_clock::time_point start) {
  if (rate) {
    res.headers.set("ratelimit-limit", std::to_string(rate->limit));
    res.headers.set("ratelimit-remaining", std::to_string(rate->remaining));
    res.headers.set("ratelimit-reset", std::to_string(rate->reset_seconds));
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  finish(req, res, route, secs);
}

http::Response Api::reject(http::Request& req, int status, const std::string& detail) {
  req.request_id = sanitizeRequestId(std::nullopt);
  auto res = http::problem(status, detail);
  res.status = status;
  finish(req, res, "rejected", 0);
  return res;
}

}  // namespace mailjuke::api
