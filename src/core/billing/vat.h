// VAT on invoices: which buyers get the EU reverse-charge note (VAT Directive Art. 196: B2B
// services to a taxable person in another member state; the buyer accounts for the VAT).
#pragma once

#include <string>

namespace mailjuke::core::billing {

bool isEuCountry(const std::string& iso2);
// A VAT ID that looks valid in form: an EU country prefix (EL for Greece) and 2 to 13
// letters/digits; spaces, dots and dashes are ignored. No VIES lookup.
bool looksLikeEuVatId(const std::string& vat_id);
// "DE 123.456.789" → "DE123456789".
std::string normaliseVatId(const std::string& vat_id);
// Reverse charge: the buyer has a valid-looking EU VAT ID, is in an EU country other than the
// seller's, and the seller is in the EU.
bool reverseCharge(const std::string& seller_country, const std::string& buyer_country,
                   const std::string& buyer_vat_id);

}  // namespace mailjuke::core::billing
