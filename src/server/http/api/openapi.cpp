// OpenAPI 3.1, generated from the route table so it can never miss a registered route.
#include <set>

#include "server/http/api/api.h"

namespace mailjuke::api {

Json openApiDocument(const Api& api) {
  Json paths = Json::object();
  for (const auto& r : api.router().routes()) {
    if (r.tag == "static") continue;
    Json op = {
        {"summary", r.summary}, {"tags", {r.tag}}, {"operationId", r.method + " " + r.pattern}};
    Json params = Json::array();
    for (size_t i = r.pattern.find('{'); i != std::string::npos; i = r.pattern.find('{', i + 1)) {
      auto end = r.pattern.find('}', i);
      params.push_back({{"name", r.pattern.substr(i + 1, end - i - 1)},
                        {"in", "path"},
                        {"required", true},
                        {"schema", {{"type", "string"}}}});
    }
    if (!params.empty()) op["parameters"] = params;
    switch (r.auth) {
      case Auth::kPublic:
        op["security"] = Json::array();
        break;
      case Auth::kUser:
        op["security"] = {{{"session", Json::array()}}};
        break;
      case Auth::kOperator:
        op["security"] = {{{"session", Json::array()}}};
        op["x-operator-only"] = true;
        break;
      case Auth::kAny:
        op["security"] = {{{"session", Json::array()}}, {{"apiKey", Json::array()}}};
        break;
    }
    if (r.method == "POST" || r.method == "PUT" || r.method == "PATCH")
      op["requestBody"] = {{"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}};
    op["responses"] = {{std::to_string(r.success_status), {{"description", "Success"}}},
                       {"default",
                        {{"description", "Problem details (RFC 9457)"},
                         {"content",
                          {{"application/problem+json",
                            {{"schema", {{"$ref", "#/components/schemas/Problem"}}}}}}}}}};
    std::string method = r.method;
    for (auto& c : method) c = char(std::tolower(c));
    paths[r.pattern][method] = op;
  }
  Json field = {
      {"type", "object"},
      {"properties", {{"field", {{"type", "string"}}}, {"message", {{"type", "string"}}}}}};
  Json problem = {{"type", "object"},
                  {"properties",
                   {{"type", {{"type", "string"}}},
                    {"title", {{"type", "string"}}},
                    {"status", {{"type", "integer"}}},
                    {"detail", {{"type", "string"}}},
                    {"errors", {{"type", "array"}, {"items", field}}}}}};
  Json schemes = {{"session", {{"type", "apiKey"}, {"in", "cookie"}, {"name", "mj_session"}}},
                  {"apiKey", {{"type", "http"}, {"scheme", "bearer"}}}};
  Json doc;
  doc["openapi"] = "3.1.0";
  doc["info"] = {{"title", "MailJuke API"}, {"version", "1.0.0"}};
  doc["paths"] = paths;
  doc["components"]["securitySchemes"] = schemes;
  doc["components"]["schemas"]["Problem"] = problem;
  return doc;
}

}  // namespace mailjuke::api
