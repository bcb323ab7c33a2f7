#include "core/mail/dsn.h"

#include <ctime>

#include "base/ids.h"
#include "proto/mime/headers.h"

namespace mailjuke::core {
namespace {

// RFC 5322 §3.3 date-time in UTC.
std::string rfc5322Date(int64_t t) {
  time_t tt = static_cast<time_t>(t);
  struct tm tm;
  gmtime_r(&tt, &tm);
  char buf[64];
  strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

std::string headerSection(const std::string& message) {
  auto parsed = mime::parseHeaders(message);
  if (parsed.ok() && parsed->has_body_separator) {
    std::string out = message.substr(0, parsed->body_offset);
    // Drop the empty separator line: the part's body is the header fields only.
    if (out.size() >= 2 && out.compare(out.size() - 2, 2, "\r\n") == 0) out.resize(out.size() - 2);
    return out;
  }
  auto end = message.find("\r\n\r\n");
  return end == std::string::npos ? message : message.substr(0, end + 2);
}

// Diagnostic text on one line (RFC 3464 §2.3.6; multiline replies are joined).
std::string oneLine(std::string s) {
  std::string out;
  for (char c : s) {
    if (c == '\r') continue;
    out += c == '\n' ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace

std::string failureStatus(const std::string& reply) {
  if (reply.size() >= 4) {
    size_t p = reply.find_first_not_of(" -", 3);
    if (p != std::string::npos) {
      size_t e = reply.find_first_of(" \r\n", p);
      std::string code = reply.substr(p, e == std::string::npos ? std::string::npos : e - p);
      int dots = 0;
      bool ok = code.size() >= 5 && (code[0] == '4' || code[0] == '5') && code[1] == '.';
      for (char c : code) {
        if (c == '.')
          ++dots;
        else if (c < '0' || c > '9')
          ok = false;
      }
      if (ok && dots == 2) return "5" + code.substr(1);
    }
  }
  if (!reply.empty() && reply[0] == '5') return "5.0.0";
  return "5.4.7";  // RFC 3463: delivery time expired
}

std::string buildDsn(const DsnInput& in) {
  std::string boundary = "=_mj_" + newId("dsn");
  std::string msgid = "<" + newId("dsn") + "@" + in.reporting_mta + ">";
  std::string out;
  out += "From: Mail Delivery System <MAILER-DAEMON@" + in.reporting_mta + ">\r\n";
  out += "To: <" + in.original_envelope_from + ">\r\n";
  out += "Subject: Undelivered Mail Returned to Sender\r\n";
  out += "Date: " + rfc5322Date(in.now) + "\r\n";
  out += "Message-ID: " + msgid + "\r\n";
  out += "Auto-Submitted: auto-replied\r\n";  // RFC 3834
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: multipart/report; report-type=delivery-status;\r\n boundary=\"" + boundary +
         "\"\r\n";
  out += "\r\n";
  out += "This is a MIME-encapsulated delivery status notification.\r\n";
  // Part 1: for people.
  out += "\r\n--" + boundary + "\r\n";
  out += "Content-Type: text/plain; charset=utf-8\r\n\r\n";
  out += "This is the mail system at " + in.reporting_mta + ".\r\n\r\n";
  out += "Your message could not be delivered to one or more recipients:\r\n\r\n";
  for (const auto& r : in.recipients)
    out += "<" + r.address + ">: " + oneLine(r.diagnostic) + "\r\n";
  // Part 2: RFC 3464 §2.2 per-message fields, §2.3 per-recipient fields.
  out += "\r\n--" + boundary + "\r\n";
  out += "Content-Type: message/delivery-status\r\n\r\n";
  out += "Reporting-MTA: dns; " + in.reporting_mta + "\r\n";
  out += "Arrival-Date: " + rfc5322Date(in.arrival_date) + "\r\n";
  for (const auto& r : in.recipients) {
    out += "\r\n";
    out += "Final-Recipient: rfc822; " + r.address + "\r\n";
    out += "Action: failed\r\n";
    out += "Status: " + r.status + "\r\n";
    if (!r.remote_mta.empty()) out += "Remote-MTA: dns; " + r.remote_mta + "\r\n";
    out += "Diagnostic-Code: smtp; " + oneLine(r.diagnostic) + "\r\n";
  }
  // Part 3: the original's header section (RFC 3462 text/rfc822-headers).
  out += "\r\n--" + boundary + "\r\n";
  out += "Content-Type: text/rfc822-headers\r\n\r\n";
  out += headerSection(in.original_message);
  if (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0) out += "\r\n";
  out += "\r\n--" + boundary + "--\r\n";
  return out;
}

std::optional<AcceptedMessage> dsnMessage(const DsnInput& input,
                                          const std::optional<std::string>& sender_mailbox_id) {
  if (input.original_envelope_from.empty()) return std::nullopt;  // RFC 5321 §6.1
  AcceptedMessage m;
  m.content = buildDsn(input);
  m.envelope_from = "";  // null reverse-path (RFC 5321 §4.5.5)
  m.received_at = input.now;
  if (sender_mailbox_id) {
    m.local.push_back({*sender_mailbox_id, "INBOX", {}, false});
  } else {
    m.remote_recipients.push_back(input.original_envelope_from);
  }
  return m;
}

Result<std::string> sendDsn(CoreContext& ctx, MailStore& store, const DsnInput& input,
                            const std::optional<std::string>& sender_mailbox_id,
                            const std::optional<std::string>& counted_mailbox_id) {
  if (counted_mailbox_id) {
    std::string day = formatDate(input.now);
    MJ_TRY(ctx.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
      MJ_TRY(
          tx.exec("INSERT INTO mailbox_counters (mailbox_id, day, sent, bounced, received) VALUES "
                  "(?, ?, 0, 1, 0) ON CONFLICT (mailbox_id, day) DO UPDATE SET bounced = "
                  "mailbox_counters.bounced + 1",
                  {*counted_mailbox_id, day}));
      return {};
    }));
  }
  auto m = dsnMessage(input, sender_mailbox_id);
  if (!m) return std::string();
  return store.accept(*m);
}

}  // namespace mailjuke::core
