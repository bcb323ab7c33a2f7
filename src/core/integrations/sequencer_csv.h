// Mailbox exports for sequencers, in each tool's exact CSV import format
// (shared/reference/sequencer-formats.md): UTF-8, CRLF, RFC 4180 quoting.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailjuke::core {

enum class CsvFormat { kInstantly11, kInstantly15, kInstantly21, kSmartlead, kGeneric };

// "instantly" with columns 11|15|21 (default 15), "smartlead", "generic"; nullopt otherwise.
std::optional<CsvFormat> parseCsvFormat(std::string_view format, std::string_view columns);
const std::vector<std::string>& csvHeaders(CsvFormat format);

struct MailboxCredentials {
  std::string email, first_name, last_name, password;
  std::string smtp_host, imap_host;
  int smtp_port = 587, imap_port = 993;
  int daily_limit = 30;
  bool warmup_enabled = false;
  int warmup_limit = 10, warmup_increment = 1;
  std::string tracking_domain, signature;
};

std::string csvEscape(std::string_view field);
std::string renderCsv(CsvFormat format, const std::vector<MailboxCredentials>& rows);

}  // namespace mailjuke::core
