// The public site and dashboard: static files from web/ with content types and ETags.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/crypto.h"
#include "base/encoding.h"
#include "proto/http/problem.h"
#include "server/http/api/api.h"

namespace mailjuke::api {
namespace {
const char* contentType(const std::string& ext) {
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json") return "application/json; charset=utf-8";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".webmanifest") return "application/manifest+json";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

Result<http::Response> serveFile(const Api& api, const http::Request& req, std::string rel) {
  namespace fs = std::filesystem;
  if (rel.empty() || rel.back() == '/') rel += "index.html";
  if (rel.find("..") != std::string::npos || rel.find('\0') != std::string::npos)
    return Error::notFound("file");
  fs::path root = fs::weakly_canonical(api.options().web_root);
  fs::path file = fs::weakly_canonical(root / rel);
  std::error_code ec;
  if (file.string().rfind(root.string(), 0) != 0 || !fs::is_regular_file(file, ec)) {
    // Client-side routes of the single-page app fall back to index.html.
    if (rel.find('.') == std::string::npos) file = root / "index.html";
    if (!fs::is_regular_file(file, ec)) return Error::notFound("page");
  }
  std::ifstream in(file, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string body = ss.str();
  std::string etag = "\"" + crypto::sha256Hex(body).substr(0, 32) + "\"";
  if (auto inm = req.headers.get("if-none-match"); inm && *inm == etag) {
    auto r = http::Response::empty(304);
    r.headers.set("etag", etag);
    return r;
  }
  auto r = http::Response::text(200, contentType(file.extension().string()), std::move(body));
  r.headers.set("etag", etag);
  r.headers.set("cache-control", "no-cache");
  return r;
}
}  // namespace

void addStaticRoutes(Api& api) {
  auto page = [&api](Ctx& c) -> Result<http::Response> {
    std::string rel = c.req.path.size() > 1 ? c.req.path.substr(1) : "";
    if (rel.rfind("api/", 0) == 0) return Error::notFound("API route");
    // Libraries installed by npm in web/ (scripts/install-deps.sh) are served from
    // /vendor/<package>/...; only the packages the pages import, never the rest of node_modules.
    if (rel.rfind("vendor/", 0) == 0) {
      std::string pkg = rel.substr(
          7, rel.find('/', 7) == std::string::npos ? std::string::npos : rel.find('/', 7) - 7);
      if (pkg != "htm" && pkg != "uplot") return Error::notFound("file");
      return serveFile(api, c.req, "node_modules/" + rel.substr(7));
    }
    return serveFile(api, c.req, rel);
  };
  api.add({"GET", "/", "Home page", "static", Auth::kPublic, 0, page, false});
  for (const char* pattern : {"/{a}", "/{a}/{b}", "/{a}/{b}/{c}", "/{a}/{b}/{c}/{d}"})
    api.add({"GET", pattern, "Site and dashboard files", "static", Auth::kPublic, 0, page, false});
}

}  // namespace mailjuke::api
