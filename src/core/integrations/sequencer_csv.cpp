#include "core/integrations/sequencer_csv.h"

#include <functional>
#include <map>

namespace mailjuke::core {
namespace {
using Row = MailboxCredentials;
using Getter = std::function<std::string(const Row&)>;

std::string num(int n) { return std::to_string(n); }
std::string yesno(bool b) { return b ? "TRUE" : "FALSE"; }

// Every column any format uses, by its header text.
const std::map<std::string, Getter>& columns() {
  static const std::map<std::string, Getter> kColumns = {
      {"Email", [](const Row& r) { return r.email; }},
      {"First Name", [](const Row& r) { return r.first_name; }},
      {"Last Name", [](const Row& r) { return r.last_name; }},
      {"IMAP Username", [](const Row& r) { return r.email; }},
      {"IMAP Password", [](const Row& r) { return r.password; }},
      {"IMAP Host", [](const Row& r) { return r.imap_host; }},
      {"IMAP Port", [](const Row& r) { return num(r.imap_port); }},
      {"SMTP Username", [](const Row& r) { return r.email; }},
      {"SMTP Password", [](const Row& r) { return r.password; }},
      {"SMTP Host", [](const Row& r) { return r.smtp_host; }},
      {"SMTP Port", [](const Row& r) { return num(r.smtp_port); }},
      {"Daily Limit", [](const Row& r) { return num(r.daily_limit); }},
      {"Warmup Enabled", [](const Row& r) { return yesno(r.warmup_enabled); }},
      {"Warmup Limit", [](const Row& r) { return num(r.warmup_limit); }},
      {"Warmup Increment", [](const Row& r) { return num(r.warmup_increment); }},
      {"Tracking Domain", [](const Row& r) { return r.tracking_domain; }},
      {"Warmup Filter Tag", [](const Row&) { return std::string(); }},
      {"Warmup On Weekdays", [](const Row&) { return std::string("TRUE"); }},
      {"Warmup Open Rate", [](const Row&) { return std::string(); }},
      {"Warmup Spam Protection Rate", [](const Row&) { return std::string(); }},
      {"Warmup Mark As Important Rate", [](const Row&) { return std::string(); }},
      {"from_name",
       [](const Row& r) { return r.first_name + (r.last_name.empty() ? "" : " " + r.last_name); }},
      {"from_email", [](const Row& r) { return r.email; }},
      {"user_name", [](const Row& r) { return r.email; }},
      {"password", [](const Row& r) { return r.password; }},
      {"smtp_host", [](const Row& r) { return r.smtp_host; }},
      {"smtp_port", [](const Row& r) { return num(r.smtp_port); }},
      {"imap_host", [](const Row& r) { return r.imap_host; }},
      {"imap_port", [](const Row& r) { return num(r.imap_port); }},
      {"max_email_per_day", [](const Row& r) { return num(r.daily_limit); }},
      {"custom_tracking_url", [](const Row& r) { return r.tracking_domain; }},
      {"warmup_enabled", [](const Row& r) { return yesno(r.warmup_enabled); }},
      {"total_warmup_per_day", [](const Row& r) { return num(r.warmup_limit); }},
      {"daily_rampup", [](const Row& r) { return num(r.warmup_increment); }},
      {"reply_rate_percentage", [](const Row&) { return std::string(); }},
      {"bcc", [](const Row&) { return std::string(); }},
      {"signature", [](const Row& r) { return r.signature; }},
      {"different_reply_to_address", [](const Row&) { return std::string(); }},
      {"imap_user_name", [](const Row& r) { return r.email; }},
      {"imap_password", [](const Row& r) { return r.password; }},
      {"smtp_username", [](const Row& r) { return r.email; }},
      {"smtp_password", [](const Row& r) { return r.password; }},
      {"imap_username", [](const Row& r) { return r.email; }},
  };
  return kColumns;
}

std::vector<std::string> split(std::string_view csv) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= csv.size()) {
    size_t comma = csv.find(',', start);
    if (comma == std::string_view::npos) comma = csv.size();
    out.emplace_back(csv.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}
}  // namespace

std::optional<CsvFormat> parseCsvFormat(std::string_view format, std::string_view cols) {
  if (format == "instantly") {
    if (cols.empty() || cols == "15") return CsvFormat::kInstantly15;
    if (cols == "11") return CsvFormat::kInstantly11;
    if (cols == "21") return CsvFormat::kInstantly21;
    return std::nullopt;
  }
  if (!cols.empty()) return std::nullopt;
  if (format == "smartlead") return CsvFormat::kSmartlead;
  if (format == "generic") return CsvFormat::kGeneric;
  return std::nullopt;
}

const std::vector<std::string>& csvHeaders(CsvFormat f) {
  static const std::string kInstantly11 =
      "Email,First Name,Last Name,IMAP Username,IMAP Password,IMAP Host,IMAP Port,SMTP Username,"
      "SMTP Password,SMTP Host,SMTP Port";
  static const std::string kInstantly15 =
      kInstantly11 + ",Daily Limit,Warmup Enabled,Warmup Limit,Warmup Increment";
  static const std::vector<std::string>
      k11 = split(kInstantly11),
      k15 = split(kInstantly15),
      k21 = split(kInstantly15 +
                  ",Tracking Domain,Warmup Filter Tag,Warmup On Weekdays,Warmup Open Rate,"
                  "Warmup Spam Protection Rate,Warmup Mark As Important Rate"),
      kSmart = split(
          "from_name,from_email,user_name,password,smtp_host,smtp_port,imap_host,imap_port,max_"
          "email_per_day,"
          "custom_tracking_url,warmup_enabled,total_warmup_per_day,daily_rampup,reply_rate_"
          "percentage,bcc,"
          "signature,different_reply_to_address,imap_user_name,imap_password"),
      kGeneric = split(
          "from_name,from_email,smtp_host,smtp_port,smtp_username,smtp_password,imap_host,imap_"
          "port,"
          "imap_username,imap_password");
  switch (f) {
    case CsvFormat::kInstantly11:
      return k11;
    case CsvFormat::kInstantly15:
      return k15;
    case CsvFormat::kInstantly21:
      return k21;
    case CsvFormat::kSmartlead:
      return kSmart;
    case CsvFormat::kGeneric:
      return kGeneric;
  }
  return k15;
}

std::string csvEscape(std::string_view field) {
  // RFC 4180 §2: quote fields containing comma, quote, CR or LF; double the quotes. A leading
  // =, +, - or @ is also quoted with a leading apostrophe to defuse spreadsheet formulas.
  std::string f(field);
  if (!f.empty() && (f[0] == '=' || f[0] == '+' || f[0] == '-' || f[0] == '@')) f = "'" + f;
  if (f.find_first_of(",\"\r\n") == std::string::npos && f == std::string(field)) return f;
  std::string out = "\"";
  for (char c : f) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string renderCsv(CsvFormat format, const std::vector<MailboxCredentials>& rows) {
  const auto& headers = csvHeaders(format);
  std::string out;
  for (size_t i = 0; i < headers.size(); ++i) out += (i ? "," : "") + headers[i];
  out += "\r\n";
  for (const auto& r : rows) {
    for (size_t i = 0; i < headers.size(); ++i)
      out += (i ? "," : "") + csvEscape(columns().at(headers[i])(r));
    out += "\r\n";
  }
  return out;
}

}  // namespace mailjuke::core
