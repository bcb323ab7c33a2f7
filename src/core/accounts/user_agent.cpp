#include "core/accounts/user_agent.h"

namespace mailjuke::core {

DeviceInfo parseUserAgent(std::string_view ua) {
  auto has = [&](std::string_view s) { return ua.find(s) != std::string_view::npos; };
  DeviceInfo d;
  if (has("iPhone"))
    d.device = "iPhone";
  else if (has("iPad"))
    d.device = "iPad";
  else if (has("Android"))
    d.device = "Android";
  else if (has("Windows"))
    d.device = "Windows";
  else if (has("Mac OS X") || has("Macintosh"))
    d.device = "macOS";
  else if (has("CrOS"))
    d.device = "ChromeOS";
  else if (has("Linux"))
    d.device = "Linux";
  else
    d.device = "Other";
  // Order matters: Edge and Chrome both claim Safari; Edge claims Chrome.
  if (has("Edg/"))
    d.browser = "Edge";
  else if (has("OPR/"))
    d.browser = "Opera";
  else if (has("Firefox/"))
    d.browser = "Firefox";
  else if (has("Chrome/") || has("Chromium/"))
    d.browser = "Chrome";
  else if (has("Safari/"))
    d.browser = "Safari";
  else if (ua.rfind("curl/", 0) == 0)
    d.browser = "curl";
  else if (has("python"))
    d.browser = "Python";
  else
    d.browser = "Other";
  return d;
}

}  // namespace mailjuke::core
