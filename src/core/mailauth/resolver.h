// The DNS lookups mail authentication and outbound delivery need, behind an interface so tests
// can inject answers. Thread-safe; lookups block (use the worker pool).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"

namespace mailjuke::core::mailauth {

enum class LookupStatus { kOk, kNxDomain, kNoData, kTempFail };

template <class T>
struct Lookup {
  LookupStatus status = LookupStatus::kOk;
  std::vector<T> values;  // empty unless kOk
};

struct MxHost {
  uint16_t preference = 0;
  std::string host;  // without the trailing dot; "" for a null MX (RFC 7505)
};

class Resolver {
 public:
  virtual ~Resolver() = default;
  virtual Lookup<std::string> txt(const std::string& name) = 0;   // character-strings joined
  virtual Lookup<std::string> a(const std::string& name) = 0;     // dotted quads
  virtual Lookup<std::string> aaaa(const std::string& name) = 0;  // RFC 5952 text
  virtual Lookup<MxHost> mx(const std::string& name) = 0;         // sorted by preference
};

// Asks one recursive or authoritative server ("ip:port") over UDP, with TCP on truncation.
std::unique_ptr<Resolver> makeStubResolver(
    std::string server, std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));

}  // namespace mailjuke::core::mailauth
