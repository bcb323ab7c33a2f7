#include "proto/dns/types.h"

#include <array>
#include <charconv>
#include <utility>

namespace mailjuke::dns {
namespace {

constexpr std::array<std::pair<uint16_t, std::string_view>, 20> kTypeNames = {{
    {RrType::kA, "A"},         {RrType::kNs, "NS"},       {RrType::kCname, "CNAME"},
    {RrType::kSoa, "SOA"},     {RrType::kPtr, "PTR"},     {RrType::kHinfo, "HINFO"},
    {RrType::kMx, "MX"},       {RrType::kTxt, "TXT"},     {RrType::kAaaa, "AAAA"},
    {RrType::kSrv, "SRV"},     {RrType::kOpt, "OPT"},     {RrType::kDs, "DS"},
    {RrType::kRrsig, "RRSIG"}, {RrType::kTsig, "TSIG"},   {RrType::kIxfr, "IXFR"},
    {RrType::kAxfr, "AXFR"},   {RrType::kMailb, "MAILB"}, {RrType::kMaila, "MAILA"},
    {RrType::kAny, "ANY"},     {RrType::kCaa, "CAA"},
}};

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 32);
    if (y >= 'a' && y <= 'z') y = static_cast<char>(y - 32);
    if (x != y) return false;
  }
  return true;
}

}  // namespace

std::string typeToString(uint16_t type) {
  for (const auto& [code, name] : kTypeNames)
    if (code == type) return std::string(name);
  return "TYPE" + std::to_string(type);
}

std::optional<uint16_t> typeFromString(std::string_view text) {
  for (const auto& [code, name] : kTypeNames)
    if (equalsIgnoreCase(text, name)) return code;
  // RFC 3597 §5: TYPEnnn.
  if (text.size() > 4 && equalsIgnoreCase(text.substr(0, 4), "TYPE")) {
    unsigned value = 0;
    auto digits = text.substr(4);
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec == std::errc() && ptr == digits.data() + digits.size() && value <= 0xFFFF)
      return static_cast<uint16_t>(value);
  }
  return std::nullopt;
}

std::string rcodeToString(uint16_t rcode) {
  switch (rcode) {
    case Rcode::kNoError:
      return "NOERROR";
    case Rcode::kFormErr:
      return "FORMERR";
    case Rcode::kServFail:
      return "SERVFAIL";
    case Rcode::kNxDomain:
      return "NXDOMAIN";
    case Rcode::kNotImp:
      return "NOTIMP";
    case Rcode::kRefused:
      return "REFUSED";
    case Rcode::kNotAuth:
      return "NOTAUTH";
    case Rcode::kBadVers:
      return "BADVERS";
    default:
      return "RCODE" + std::to_string(rcode);
  }
}

}  // namespace mailjuke::dns
