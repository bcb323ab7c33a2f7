// Coarse device and browser names from a User-Agent, for the sessions list.
#pragma once

#include <string>
#include <string_view>

namespace mailjuke::core {

struct DeviceInfo {
  std::string device;   // "Windows", "macOS", "iPhone", "Android", "Linux", "Other"
  std::string browser;  // "Chrome", "Firefox", "Safari", "Edge", "curl", "Other"
};
DeviceInfo parseUserAgent(std::string_view ua);

}  // namespace mailjuke::core
