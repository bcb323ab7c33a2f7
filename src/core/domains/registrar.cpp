#include "core/domains/registrar.h"

#include <spdlog/spdlog.h>

namespace mailjuke::core {
namespace {

class SandboxRegistrar final : public Registrar {
 public:
  explicit SandboxRegistrar(std::map<std::string, int64_t> prices) : prices_(std::move(prices)) {}
  std::string name() const override { return "sandbox"; }

  Result<Availability> check(const std::string& ascii) override {
    Availability a;
    std::string tld = ascii.substr(ascii.rfind('.') + 1);
    auto it = prices_.find(tld);
    if (it == prices_.end()) {
      a.reason = "the ." + tld + " extension is not sold here";
      return a;
    }
    a.yearly_price = {it->second, "usd"};
    if (ascii.substr(0, ascii.find('.')).find("taken") != std::string::npos) {
      a.reason = "already registered";
      return a;
    }
    a.available = true;
    return a;
  }

  Result<int64_t> registerName(const std::string& ascii, int years, int64_t now) override {
    MJ_TRY_ASSIGN(auto a, check(ascii));
    if (!a.available)
      return Error::make(ErrorCode::kConflict, ascii + " is not available: " + a.reason);
    return now + int64_t(years) * 365 * 86400;
  }

  Result<int64_t> renew(const std::string& ascii, int years, int64_t current_expiry) override {
    std::string tld = ascii.substr(ascii.rfind('.') + 1);
    if (!prices_.count(tld))
      return Error::make(ErrorCode::kConflict, "the ." + tld + " extension is not sold here");
    int64_t until = current_expiry + int64_t(years) * 365 * 86400;
    spdlog::info("sandbox registrar: renewed {} for {} year(s) until {}", ascii, years, until);
    return until;
  }

 private:
  std::map<std::string, int64_t> prices_;
};

}  // namespace

std::unique_ptr<Registrar> makeSandboxRegistrar(std::map<std::string, int64_t> tld_prices) {
  return std::make_unique<SandboxRegistrar>(std::move(tld_prices));
}

}  // namespace mailjuke::core
