// Transport-neutral HTTP request/response values. The server (server/http) fills a Request from
// Beast and writes a Response back; handlers never see sockets.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mailjuke::http {

// Header names are stored in lower case.
class Headers {
 public:
  void set(std::string name, std::string value);
  void add(std::string name, std::string value);
  std::optional<std::string_view> get(std::string_view name) const;
  const std::vector<std::pair<std::string, std::string>>& all() const { return items_; }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

struct Request {
  std::string method;  // upper case
  std::string target;  // as received
  std::string path;    // decoded path without the query
  std::multimap<std::string, std::string> query;
  bool malformed_query = false;  // an escape in the query string was invalid
  Headers headers;
  std::string body;
  std::string remote_ip;
  bool tls = false;
  std::map<std::string, std::string> params;  // path parameters from the route, e.g. {ws}
  std::string request_id;

  std::optional<std::string> queryParam(const std::string& name) const;
  std::optional<std::string> cookie(std::string_view name) const;
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;

  static Response json(int status, std::string body);
  static Response text(int status, std::string content_type, std::string body);
  static Response empty(int status);
};

// Splits "a=1&b=x%20y" into decoded pairs; false when an escape is invalid.
bool parseQuery(std::string_view query, std::multimap<std::string, std::string>& out);
const char* statusReason(int status);

}  // namespace mailjuke::http
