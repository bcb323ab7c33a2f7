// The registrar port: availability, price and registration of domain names. Real registrars
// plug in behind this interface; `sandbox` is built in and deterministic.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "base/result.h"

namespace mailjuke::core {

struct Money {
  int64_t amount = 0;  // minor units
  std::string currency = "usd";
};

struct Availability {
  bool available = false;
  std::string reason;  // when unavailable
  Money yearly_price;
};

class Registrar {
 public:
  virtual ~Registrar() = default;
  virtual std::string name() const = 0;
  virtual Result<Availability> check(const std::string& ascii_name) = 0;
  // Registers for `years`; returns the expiry (Unix seconds).
  virtual Result<int64_t> registerName(const std::string& ascii_name, int years, int64_t now) = 0;
  // Renews a name registered here for `years` from its current expiry; returns the new expiry
  // (Unix seconds). The billing renewal run calls it before the renewal is committed, so a
  // refusal charges nothing.
  virtual Result<int64_t> renew(const std::string& ascii_name, int years,
                                int64_t current_expiry) = 0;
};

// Sandbox: a name whose first label contains "taken" is unavailable; yearly prices per TLD
// (minor units), e.g. {"com": 1200, "io": 3900}; TLDs without a price are not sold. Renewals
// of names with a sold TLD succeed and are recorded in the log.
std::unique_ptr<Registrar> makeSandboxRegistrar(std::map<std::string, int64_t> tld_prices);

}  // namespace mailjuke::core
