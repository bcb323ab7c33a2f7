#include "core/mail/message_edit.h"

#include "base/clock.h"
#include "base/encoding.h"

namespace mailjuke::core {
namespace {

// The authserv-id of an Authentication-Results value: the first token before ';'.
std::string_view authservId(std::string_view value) {
  auto end = value.find(';');
  value = value.substr(0, end);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t' ||
                            value.front() == '\r' || value.front() == '\n'))
    value.remove_prefix(1);
  auto stop = value.find_first_of(" \t\r\n");
  return value.substr(0, stop);
}

}  // namespace

std::string receivedHeader(const SmtpEnvelope& envelope, const std::string& hostname,
                           const std::string& id, int64_t now) {
  bool authenticated = envelope.account != nullptr;
  std::string protocol = "ESMTP";
  if (envelope.tls) protocol += "S";
  if (authenticated) protocol += "A";
  std::string from = envelope.helo.empty() ? "unknown" : envelope.helo;
  std::string out = "Received: from " + from;
  if (!authenticated) out += " ([" + envelope.client_ip + "])";
  out += "\r\n\tby " + hostname + " with " + protocol + " id " + id;
  if (envelope.rcpt_to.size() == 1) out += "\r\n\tfor <" + envelope.rcpt_to.front() + ">";
  out += "; " + formatRfc5322(now) + "\r\n";
  return out;
}

std::string withoutForgedResults(std::string_view message, const mime::ParsedHeaders& headers,
                                 std::string_view authserv_id, std::string_view prefix) {
  std::string out(prefix);
  out.reserve(prefix.size() + message.size());
  size_t copied = 0;
  for (const auto& field : headers.fields) {
    if (toLowerAscii(field.name) != "authentication-results") continue;
    if (toLowerAscii(authservId(field.value)) != toLowerAscii(authserv_id)) continue;
    size_t start = size_t(field.raw.data() - message.data());
    out.append(message.substr(copied, start - copied));
    copied = start + field.raw.size();
  }
  out.append(message.substr(copied));
  return out;
}

}  // namespace mailjuke::core
