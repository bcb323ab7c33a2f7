// A small blocking HTTPS client for calls to outside APIs (the Stripe provider): one request
// per connection, TLS 1.2+, the server certificate verified against the system trust store or
// a given CA file and matched to the host name or IP address (never disabled), and one deadline
// for the whole exchange. Blocks the calling thread: call it from a worker, never from a
// network thread.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"

namespace mailjuke::net {

struct HttpsRequest {
  std::string method = "GET";
  std::string url;  // https://host[:port]/path?query
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string ca_file;  // PEM; empty: the system's trust store
  std::chrono::milliseconds timeout{10000};
  size_t max_body = 1 << 20;
};

struct HttpsResponse {
  int status = 0;
  std::string body;
};

// kInvalid for a URL that is not https://; kUnavailable for DNS, connect, TLS, certificate,
// timeout or a malformed answer (the message says which).
Result<HttpsResponse> httpsRequest(const HttpsRequest& request);

}  // namespace mailjuke::net
