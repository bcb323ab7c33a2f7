// Fuzzes the pure request-side parsers of proto/http: query strings, cookies, path splitting
// and routing, and the problem+json writer with arbitrary detail text.
#include <cstddef>
#include <cstdint>
#include <string>

#include "base/encoding.h"
#include "proto/http/message.h"
#include "proto/http/problem.h"
#include "proto/http/router.h"

namespace {
struct Route {
  std::string method, pattern;
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mailjuke;
  std::string input(reinterpret_cast<const char*>(data), size);
  // Layout: path '?' query '\n' cookie header.
  auto nl = input.find('\n');
  std::string target = input.substr(0, nl);
  std::string cookie = nl == std::string::npos ? "" : input.substr(nl + 1);
  auto q = target.find('?');
  std::string path = target.substr(0, q);

  http::Request req;
  req.path = path;
  if (q != std::string::npos)
    (void)http::parseQuery(std::string_view(target).substr(q + 1), req.query);
  req.headers.add("Cookie", cookie);
  (void)req.cookie("mj_session");
  (void)req.cookie("");
  (void)req.queryParam("limit");

  static http::Router<Route> router = [] {
    http::Router<Route> r;
    r.add({"GET", "/api/v1/workspaces/{ws}"});
    r.add({"POST", "/api/v1/workspaces/{ws}/members/{mem}"});
    r.add({"GET", "/{a}/{b}"});
    return r;
  }();
  auto m = router.match("GET", path);
  if (m.route) (void)m.params.size();
  (void)isValidUtf8(input);
  (void)urlDecode(target);
  auto res = http::problem(422, input);
  return res.status == 422 ? 0 : 1;
}
