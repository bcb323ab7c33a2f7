#include "core/billing/plans.h"

#include <charconv>
#include <vector>

#include "base/encoding.h"

namespace mailjuke::core::billing {
namespace {

std::vector<std::string> splitColon(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t c = s.find(':', start);
    out.push_back(s.substr(start, c == std::string::npos ? std::string::npos : c - start));
    if (c == std::string::npos) break;
    start = c + 1;
  }
  return out;
}

std::optional<int64_t> number(const std::string& s, int64_t max) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 0 || v > max) return std::nullopt;
  return v;
}

}  // namespace

Result<PlanSettings> parsePlan(const std::string& text) {
  auto parts = splitColon(text);
  auto bad = [&](const std::string& why) {
    return Error::invalid(
        "plans",
        "'" + text + "': " + why + " (expected id:Name:mailboxes:monthly:storage_mib[:yearly])");
  };
  if (parts.size() != 5 && parts.size() != 6) return bad("wrong number of fields");
  PlanSettings p;
  p.id = parts[0];
  if (p.id.empty() || p.id.size() > 32 ||
      p.id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") != std::string::npos)
    return bad("the id must be 1 to 32 lower-case letters, digits, - or _");
  p.name = parts[1];
  if (p.name.empty() || p.name.size() > 64) return bad("the name must be 1 to 64 characters");
  auto mailboxes = number(parts[2], 1000000);
  auto monthly = number(parts[3], int64_t(1) << 40);
  auto storage = number(parts[4], int64_t(1) << 30);
  if (!mailboxes || *mailboxes < 1) return bad("mailboxes must be 1 to 1000000");
  if (!monthly) return bad("the monthly price must be a non-negative integer in minor units");
  if (!storage) return bad("storage must be a non-negative integer in MiB");
  p.mailboxes = *mailboxes;
  p.monthly_price = *monthly;
  p.yearly_price = *monthly * 10;
  p.storage_bytes_per_mailbox = *storage * 1024 * 1024;
  if (parts.size() == 6) {
    auto yearly = number(parts[5], int64_t(1) << 44);
    if (!yearly) return bad("the yearly price must be a non-negative integer in minor units");
    p.yearly_price = *yearly;
  }
  return p;
}

const PlanSettings* findPlan(const BillingSettings& s, const std::string& id) {
  for (const auto& p : s.plans)
    if (p.id == id) return &p;
  return nullptr;
}

int64_t planPrice(const PlanSettings& p, Interval interval) {
  return interval == Interval::kYear ? p.yearly_price : p.monthly_price;
}

std::optional<Interval> parseInterval(const std::string& text) {
  if (text == "month") return Interval::kMonth;
  if (text == "year") return Interval::kYear;
  return std::nullopt;
}

const char* intervalName(Interval i) { return i == Interval::kYear ? "year" : "month"; }

Json money(int64_t amount, const std::string& currency) {
  return {{"amount", amount}, {"currency", toLowerAscii(currency)}};
}

Json catalogJson(const BillingSettings& s) {
  Json plans = Json::array();
  for (const auto& p : s.plans)
    plans.push_back({{"id", p.id},
                     {"name", p.name},
                     {"mailboxes", p.mailboxes},
                     {"storage_bytes_per_mailbox", p.storage_bytes_per_mailbox},
                     {"prices",
                      {{"month", money(p.monthly_price, s.currency)},
                       {"year", money(p.yearly_price, s.currency)}}}});
  Json domains = Json::array();
  for (const auto& [tld, price] : s.domain_prices)
    domains.push_back({{"tld", tld}, {"yearly", money(price, s.currency)}});
  return {
      {"data", plans},
      {"domain_prices", domains},
      {"currency", toLowerAscii(s.currency)},
      {"trial",
       {{"mailboxes", s.trial_mailboxes}, {"storage_bytes_per_mailbox", s.trial_storage_bytes}}}};
}

}  // namespace mailjuke::core::billing
