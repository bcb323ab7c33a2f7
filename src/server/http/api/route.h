// What an API route is: method + pattern, who may call it, its body limit, docs, and handler.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/json.h"
#include "base/result.h"
#include "core/access/principal.h"
#include "proto/http/message.h"

namespace mailjuke::api {

enum class Auth {
  kPublic,    // anyone
  kUser,      // a signed-in person (session cookie)
  kAny,       // a person or a workspace API key
  kOperator,  // a signed-in operator (platform staff)
};

struct Ctx {
  http::Request& req;
  core::Principal principal;
  Json body = Json::object();

  const std::string& param(const std::string& name) const { return req.params.at(name); }
  // ?limit= (1..200, default 50) and ?cursor= per API.md; invalid values are 422.
  Result<int> limit() const { return intQuery("limit", 1, 200, 50); }
  // ?name= as a decimal integer in [min, max], `fallback` when absent; otherwise 422.
  Result<int> intQuery(const std::string& name, int min, int max, int fallback) const;
  std::optional<std::string> cursor() const { return req.queryParam("cursor"); }
};

using Handler = std::function<Result<http::Response>(Ctx&)>;
// Answers from memory on the network thread, or nullopt to go to the worker pool and `handler`.
// Must never block (no SQL, no file I/O) and must give the same answer `handler` would.
using FastHandler = std::function<std::optional<http::Response>(Ctx&)>;

struct Route {
  std::string method;
  std::string pattern;
  std::string summary;
  std::string tag;
  Auth auth = Auth::kAny;
  size_t body_limit = 1024 * 1024;
  Handler handler;
  bool json_body = true;  // unsafe methods take application/json
  int success_status = 200;
  FastHandler fast;  // optional; GET routes with an API key only
};

}  // namespace mailjuke::api
