#include "core/billing/fraud.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "base/encoding.h"
#include "core/billing/billing_options.h"

namespace mailjuke::core::billing {
namespace {

// Well-known throw-away mailbox services (extended by [billing]
// disposable_email_domains).
constexpr std::array<std::string_view, 40> kDisposable = {
    "10minutemail.com",  "20minutemail.com",  "33mail.com",        "anonbox.net",
    "burnermail.io",     "discard.email",     "dispostable.com",   "emailondeck.com",
    "fakeinbox.com",     "getairmail.com",    "getnada.com",       "guerrillamail.com",
    "guerrillamail.de",  "guerrillamail.net", "guerrillamail.org", "harakirimail.com",
    "incognitomail.org", "mailcatch.com",     "maildrop.cc",       "mailinator.com",
    "mailnesia.com",     "mintemail.com",     "mohmal.com",        "mytemp.email",
    "sharklasers.com",   "spam4.me",          "spambox.us",        "spamgourmet.com",
    "temp-mail.org",     "tempail.com",       "tempmail.com",      "tempmailo.com",
    "tempr.email",       "throwawaymail.com", "trash-mail.com",    "trashmail.com",
    "trashmail.de",      "yopmail.com",       "yopmail.fr",        "mailpoof.com",
};

std::string upper(std::string s) {
  for (auto& c : s)
    if (c >= 'a' && c <= 'z') c = char(c - 'a' + 'A');
  return s;
}

bool listed(std::string_view domain) {
  if (std::find(kDisposable.begin(), kDisposable.end(), domain) != kDisposable.end()) return true;
  const auto& extra = billingOptions().disposable_email_domains;
  return std::find(extra.begin(), extra.end(), domain) != extra.end();
}

}  // namespace

bool isCountryCardToken(const std::string& pm) {
  return pm.size() == 6 && pm.rfind("tok_", 0) == 0 && pm[4] >= 'a' && pm[4] <= 'z' &&
         pm[5] >= 'a' && pm[5] <= 'z';
}

std::optional<std::string> cardCountry(const std::string& pm) {
  if (isCountryCardToken(pm)) return upper(pm.substr(4));
  if (pm == "tok_visa" || pm == "tok_fraud" || pm == "tok_3ds_required" ||
      pm == "tok_chargeDeclined")
    return "US";
  return std::nullopt;
}

bool isDisposableEmailDomain(const std::string& email_or_domain) {
  std::string d = toLowerAscii(email_or_domain.substr(email_or_domain.rfind('@') + 1));
  while (!d.empty() && d.back() == '.') d.pop_back();
  // The domain itself and every parent with at least two labels (x.mailinator.com too).
  for (std::string_view v = d; v.find('.') != std::string_view::npos;
       v.remove_prefix(v.find('.') + 1))
    if (listed(v)) return true;
  return false;
}

Result<std::vector<std::string>> fraudRules(store::Tx& tx, const BillingSettings& s,
                                            const std::string& ws, int64_t amount,
                                            const std::string& payment_method,
                                            const std::optional<std::string>& card, int64_t now) {
  std::vector<std::string> hits;
  if (payment_method == "tok_fraud") hits.push_back("test_card_fraud");
  MJ_TRY_ASSIGN(auto recent, tx.queryOne("SELECT COUNT(*) FROM payments WHERE workspace_id = ? "
                                         "AND purpose = 'top_up' AND created_at > ?",
                                         {ws, now - 3600}));
  if (recent->integer(0) >= s.fraud_topups_per_hour) hits.push_back("velocity");
  MJ_TRY_ASSIGN(auto paid, tx.queryOne("SELECT COUNT(*) FROM payments WHERE workspace_id = ? AND "
                                       "status = 'succeeded'",
                                       {ws}));
  if (paid->integer(0) == 0 && amount > s.fraud_first_topup_limit)
    hits.push_back("large_first_top_up");
  MJ_TRY_ASSIGN(auto declined, tx.queryOne("SELECT COUNT(*) FROM payments WHERE workspace_id = ? "
                                           "AND status = 'failed' AND created_at > ?",
                                           {ws, now - 86400}));
  if (declined->integer(0) >= s.fraud_declines_per_day) hits.push_back("many_declines");
  // Issue 6: card country and disposable e-mail.
  MJ_TRY_ASSIGN(auto details, tx.queryOne("SELECT country, email FROM billing_details WHERE "
                                          "workspace_id = ?",
                                          {ws}));
  if (details && card && !details->text(0).empty() && upper(details->text(0)) != *card)
    hits.push_back("card_country_mismatch");
  bool disposable =
      details && !details->text(1).empty() && isDisposableEmailDomain(details->text(1));
  MJ_TRY_ASSIGN(auto owners, tx.query("SELECT u.email FROM memberships m JOIN users u ON u.id = "
                                      "m.user_id WHERE m.workspace_id = ? AND m.role = 'owner'",
                                      {ws}));
  for (const auto& o : owners) disposable = disposable || isDisposableEmailDomain(o.text(0));
  if (disposable) hits.push_back("disposable_email");
  return hits;
}

}  // namespace mailjuke::core::billing
