// The HTTP application: routes, authentication, CSRF, rate limits, idempotency, security
// headers, access log and metrics around every handler.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "core/accounts/account_service.h"
#include "core/billing/billing_service.h"
#include "core/domains/domain_bulk.h"
#include "core/domains/domain_service.h"
#include "core/domains/forward_map.h"
#include "core/jobs/job_service.h"
#include "core/mail/mail_queue.h"
#include "core/mailboxes/mailbox_bulk.h"
#include "core/mailboxes/mailbox_service.h"
#include "core/privacy/privacy_service.h"
#include "core/workspaces/workspace_service.h"
#include "proto/http/router.h"
#include "server/http/api/metrics.h"
#include "server/http/api/route.h"
#include "server/http/http_server.h"

namespace mailjuke::api {

struct ApiOptions {
  std::string public_url;
  std::string web_root;  // static files for the site and dashboard
  int64_t rate_limit_per_minute = 6000;
};

struct Services {
  core::CoreContext& ctx;
  core::AccountService& accounts;
  core::WorkspaceService& workspaces;
  core::DomainService& domains;
  core::JobService& jobs;
  core::DomainBulk& domain_bulk;
  const core::ForwardMap& forwards;
  core::MailboxService& mailboxes;
  core::MailboxBulk& mailbox_bulk;
  core::MailQueue& mail_queue;
  core::privacy::PrivacyService& privacy;
  core::billing::BillingService& billing;
};

class Api final : public server::HttpHandler {
 public:
  Api(ApiOptions options, Services services);

  size_t bodyLimit(const std::string& method, const std::string& target) override;
  http::Response handle(http::Request& request) override;
  std::optional<http::Response> handleFast(http::Request& request) override;
  http::Response reject(http::Request& request, int status, const std::string& detail) override;

  Metrics& metrics() { return metrics_; }
  const http::Router<Route>& router() const { return router_; }
  void add(Route r) { router_.add(std::move(r)); }
  Services& services() { return services_; }
  const ApiOptions& options() const { return options_; }
  // Cookie attributes for the session cookie (secure + __Host- prefix under TLS).
  std::string sessionCookie(const http::Request& req, const std::string& value, bool clear) const;
  static std::string sessionCookieName(bool tls) {
    return tls ? "__Host-mj_session" : "mj_session";
  }

 private:
  Result<http::Response> dispatch(http::Request& req, const Route& route,
                                  std::string& principal_key,
                                  std::optional<RateLimiter::Decision>& rate);
  Result<core::Principal> authenticate(http::Request& req, const Route& route);
  Result<http::Response> idempotent(Ctx& ctx, const Route& route, const std::string& principal_key);
  void finish(http::Request& req, http::Response& res, const std::string& route, double seconds);
  // Rate-limit headers, then finish().
  void complete(http::Request& req, http::Response& res, const std::string& route,
                const std::optional<RateLimiter::Decision>& rate,
                std::chrono::steady_clock::time_point start);

  ApiOptions options_;
  Services services_;
  http::Router<Route> router_;
  Metrics metrics_;
  RateLimiter limiter_;
};

// Route registration, one file per area.
void addSystemRoutes(Api& api);
void addAuthRoutes(Api& api);
void addMeRoutes(Api& api);
void addWorkspaceRoutes(Api& api);
void addAdminRoutes(Api& api);
void addDomainRoutes(Api& api);
void addMailboxRoutes(Api& api);
void addJobRoutes(Api& api);
void addMailQueueRoutes(Api& api);
void addPrivacyRoutes(Api& api);
void addPrivacyAdminRoutes(Api& api);
void addBillingRoutes(Api& api);
void addStaticRoutes(Api& api);
// The OpenAPI 3.1 document generated from the registered routes.
Json openApiDocument(const Api& api);

// Helpers for handlers.
http::Response jsonResponse(int status, const Json& body);

}  // namespace mailjuke::api
