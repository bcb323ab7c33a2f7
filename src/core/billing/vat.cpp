#include "core/billing/vat.h"

#include <array>

namespace mailjuke::core::billing {
namespace {

constexpr std::array<const char*, 27> kEu = {"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES",
                                             "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU",
                                             "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"};

}  // namespace

bool isEuCountry(const std::string& iso2) {
  for (const char* c : kEu)
    if (iso2 == c) return true;
  return false;
}

std::string normaliseVatId(const std::string& vat_id) {
  std::string out;
  for (char ch : vat_id) {
    if (ch == ' ' || ch == '.' || ch == '-') continue;
    out += (ch >= 'a' && ch <= 'z') ? char(ch - 'a' + 'A') : ch;
  }
  return out;
}

bool looksLikeEuVatId(const std::string& vat_id) {
  std::string v = normaliseVatId(vat_id);
  if (v.size() < 4 || v.size() > 15) return false;
  std::string prefix = v.substr(0, 2);
  if (prefix != "EL" && !isEuCountry(prefix == "GR" ? "" : prefix)) return false;
  bool digit = false;
  for (size_t i = 2; i < v.size(); ++i) {
    char ch = v[i];
    if (ch >= '0' && ch <= '9')
      digit = true;
    else if (!(ch >= 'A' && ch <= 'Z'))
      return false;
  }
  return digit;
}

bool reverseCharge(const std::string& seller_country, const std::string& buyer_country,
                   const std::string& buyer_vat_id) {
  if (!isEuCountry(seller_country) || !isEuCountry(buyer_country)) return false;
  if (seller_country == buyer_country) return false;
  if (!looksLikeEuVatId(buyer_vat_id)) return false;
  std::string prefix = normaliseVatId(buyer_vat_id).substr(0, 2);
  return prefix == buyer_country || (prefix == "EL" && buyer_country == "GR");
}

}  // namespace mailjuke::core::billing
