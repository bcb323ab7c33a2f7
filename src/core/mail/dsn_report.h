// Reading a delivery status notification that came back (RFC 3464 multipart/report;
// report-type=delivery-status, RFC 6522): the per-recipient fields of its
// message/delivery-status part (Final-Recipient, Action, Status, Diagnostic-Code) and the
// Message-ID of the original from the returned header section (text/rfc822-headers or
// message/rfc822). Pure; never throws; bounded by the input (untrusted, from the network).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailjuke::core {

struct DsnReportRecipient {
  std::string address;     // Final-Recipient (else Original-Recipient), "rfc822;" stripped
  std::string action;      // lower case: failed | delayed | delivered | relayed | expanded
  std::string status;      // RFC 3463 "5.1.1"; "" when absent or malformed
  std::string diagnostic;  // Diagnostic-Code without its type ("550 5.1.1 no such user")
};

struct DsnReport {
  std::vector<DsnReportRecipient> recipients;
  std::string original_message_id;  // "id@domain", without the angle brackets; "" if none
};

// nullopt when the message has no message/delivery-status part (an auto-reply or a person's
// answer quoting our Message-ID is not a bounce).
std::optional<DsnReport> parseDsnReport(std::string_view message);

// RFC 3463: a permanent failure the address will not recover from — class 5, except 5.4.7
// (delivery time expired: the destination was only unreachable for a while).
bool isHardBounce(std::string_view status);

}  // namespace mailjuke::core
