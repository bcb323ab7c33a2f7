#include "core/mail/intake.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdint>
#include <set>

#include "base/clock.h"
#include "base/encoding.h"
#include "base/ids.h"
#include "core/mail/message_edit.h"
#include "core/mail/outbox_bounces.h"
#include "core/mailauth/spf_dmarc.h"
#include "proto/mime/headers.h"

namespace mailjuke::core {
namespace {

std::string domainOf(std::string_view address) {
  auto at = address.rfind('@');
  return at == std::string_view::npos ? std::string() : toLowerAscii(address.substr(at + 1));
}

Result<mime::ParsedHeaders> headersOf(std::string_view message) {
  auto parsed = mime::parseHeaders(message);
  if (!parsed.ok())
    return Error::invalid("message", "the message header is malformed: " + parsed.error().message);
  return parsed;
}

}  // namespace

MailIntake::MailIntake(CoreContext& ctx, MailDirectory& directory, MailStore& store,
                       mailauth::Resolver& resolver, IntakeOptions options)
    : ctx_(ctx),
      directory_(directory),
      store_(store),
      resolver_(resolver),
      options_(std::move(options)) {}

RcptVerdict MailIntake::inboundRecipient(std::string_view address) const {
  // Suspended mailboxes still receive: suspension stops sending and logging in only.
  if (directory_.find(address)) return RcptVerdict::kAccept;
  // Bounces of platform e-mail come back to the platform sender (outbox_bounces.h).
  if (!options_.platform_address.empty() && toLowerAscii(address) == options_.platform_address)
    return RcptVerdict::kAccept;
  if (directory_.hostsDomain(domainOf(address))) return RcptVerdict::kUnknownUser;
  return RcptVerdict::kRelayDenied;
}

Result<bool> MailIntake::mailboxFull(std::string_view address, uint64_t incoming_bytes) const {
  if (!options_.quota_limit) return false;
  auto account = directory_.find(address);
  if (!account) return false;
  MJ_TRY_ASSIGN(int64_t used, store_.usedBytes(account->id));
  const int64_t limit = options_.quota_limit(account->id);
  // Full: not even one more byte fits. With a declared size: that message would not fit (the
  // same test as at the end of DATA, which still runs for undeclared or understated sizes).
  const auto incoming = static_cast<int64_t>(std::min<uint64_t>(incoming_bytes, INT64_MAX / 2));
  return used + std::max<int64_t>(incoming, 1) > limit;
}

bool MailIntake::senderAllowed(const MailAccount& account, std::string_view mail_from) const {
  return toLowerAscii(mail_from) == account.address();
}

Result<bool> MailIntake::dailyLimitReached(const MailAccount& account) {
  if (account.daily_limit <= 0) return false;
  MJ_TRY_ASSIGN(auto counters, store_.counters(account.id, ctx_.clock.nowSeconds()));
  return counters.sent_today >= account.daily_limit;
}

// Splits recipients into local deliveries (hosted mailboxes, each once) and remote recipients;
// forwarding copies go out as separate messages from the forwarding mailbox (forwardCopies).
MailIntake::Routing MailIntake::route(const std::vector<std::string>& recipients) const {
  Routing out;
  std::set<std::string> seen;
  for (const auto& rcpt : recipients) {
    if (auto account = directory_.find(rcpt)) {
      if (!seen.insert(account->id).second) continue;
      out.local.push_back({account->id, "INBOX", {}, true});
      if (account->forward_to && !account->forward_to->empty()) out.forwarding.push_back(account);
    } else if (seen.insert(toLowerAscii(rcpt)).second) {
      out.remote.push_back(rcpt);
    }
  }
  return out;
}

// A forwarded copy is a new message whose envelope sender is the forwarding mailbox, so the
// destination's SPF check sees MailJuke's servers, not the original sender's (RFC 7208 §1.1.3).
void MailIntake::forwardCopies(const Routing& routing, const std::string& message, int64_t now) {
  for (const auto& account : routing.forwarding) {
    AcceptedMessage copy;
    copy.content = message;
    copy.envelope_from = account->address();
    copy.received_at = now;
    if (auto target = directory_.find(*account->forward_to))
      copy.local.push_back({target->id, "INBOX", {}, true});
    else
      copy.remote_recipients.push_back(*account->forward_to);
    // The original is already stored and acknowledged; a lost forwarded copy is logged, never
    // turned into a failure of the delivery that succeeded.
    if (auto r = store_.accept(copy); !r.ok())
      spdlog::warn("forwarding: copy for mailbox {} not stored: {}", account->id,
                   r.error().message);
  }
}

Result<std::string> MailIntake::receive(const SmtpEnvelope& envelope, std::string message) {
  int64_t now = ctx_.clock.nowSeconds();
  // A report for the platform sender: its outbox row is marked bounced. Unless that address is
  // also a hosted mailbox, the message stops here (other recipients still get it).
  if (!options_.platform_address.empty()) {
    SmtpEnvelope rest = envelope;
    rest.rcpt_to.clear();
    for (const auto& r : envelope.rcpt_to)
      if (toLowerAscii(r) != options_.platform_address) rest.rcpt_to.push_back(r);
    if (rest.rcpt_to.size() != envelope.rcpt_to.size()) {
      MJ_TRY_ASSIGN(int marked,
                    bounceOutboxFromReport(ctx_, options_.platform_address, message, now));
      if (marked > 0)
        spdlog::info("outbox: a report marked {} platform message(s) bounced", marked);
      if (!directory_.find(options_.platform_address)) {
        if (rest.rcpt_to.empty()) return newId("dsn");
        return receive(rest, std::move(message));
      }
    }
  }
  MJ_TRY_ASSIGN(auto headers, headersOf(message));
  std::string header_from;
  if (auto* from = headers.find("From")) {
    auto addrs = mime::addresses(mime::unfold(from->value));
    if (addrs.size() == 1) header_from = domainOf(addrs.front());
  }
  // RFC 7208 / RFC 6376 / RFC 7489, recorded in RFC 8601 Authentication-Results; never blocks.
  auto spf = mailauth::checkSpf(envelope.client_ip, envelope.helo, envelope.mail_from, resolver_);
  auto dkim = mailauth::dkimVerify(message, resolver_, now);
  auto dmarc = header_from.empty() ? mailauth::DmarcVerdict{"permerror", "", ""}
                                   : mailauth::checkDmarc(header_from, spf, dkim, resolver_);
  std::string id = newId("msg");
  std::string prefix = mailauth::authenticationResults(options_.hostname, spf, dkim, dmarc) +
                       receivedHeader(envelope, options_.hostname, id, now);

  return store(envelope, withoutForgedResults(message, headers, options_.hostname, prefix), nullptr,
               now);
}

Result<std::string> MailIntake::submit(const SmtpEnvelope& envelope, std::string message) {
  if (!envelope.account) return Error::make(ErrorCode::kUnauthenticated, "not authenticated");
  const MailAccount& account = *envelope.account;
  MJ_TRY_ASSIGN(auto headers, headersOf(message));
  // The From header must name the authenticated mailbox and nobody else (no spoofing).
  auto* from = headers.find("From");
  if (!from || headers.count("From") != 1)
    return Error::make(ErrorCode::kForbidden, "the message needs exactly one From header");
  auto from_addrs = mime::addresses(mime::unfold(from->value));
  if (from_addrs.size() != 1 || toLowerAscii(from_addrs.front()) != account.address())
    return Error::make(ErrorCode::kForbidden,
                       "the From header must be the authenticated mailbox " + account.address());
  int64_t now = ctx_.clock.nowSeconds();
  std::string id = newId("msg");
  // RFC 5322 §3.6: Date and Message-ID are added when the client left them out (RFC 6409 §8).
  std::string added;
  if (!headers.find("Date")) added += "Date: " + formatRfc5322(now) + "\r\n";
  if (!headers.find("Message-ID"))
    added += "Message-ID: <" + id.substr(4) + "@" + account.domain + ">\r\n";
  std::string content = added + message;
  if (auto key = directory_.signingKey(account.domain)) {
    auto signature =
        mailauth::dkimSign(content, {key->domain, key->selector, key->private_pem}, now);
    if (!signature.ok()) return std::move(signature).error();
    content = *signature + content;
  }
  // RFC 8601 §2.7.4: the hosted recipients (and the Sent copy) see how the sender was verified.
  return store(envelope,
               mailauth::submissionAuthResults(options_.hostname, account.address()) +
                   receivedHeader(envelope, options_.hostname, id, now) + content,
               &account, now);
}

// Local deliveries, the outbound queue and (for a submission) the Sent copy and the daily
// limit in one durable accept(); forwarding copies after it.
Result<std::string> MailIntake::store(const SmtpEnvelope& envelope, std::string content,
                                      const MailAccount* sender, int64_t now) {
  Routing routing = route(envelope.rcpt_to);
  if (options_.quota_limit) {
    for (const auto& d : routing.local) {
      MJ_TRY_ASSIGN(int64_t used, store_.usedBytes(d.mailbox_id));
      if (used + int64_t(content.size()) > options_.quota_limit(d.mailbox_id))
        return Error::make(ErrorCode::kPaymentRequired, "mailbox full");
    }
  }
  AcceptedMessage accepted;
  accepted.content = std::move(content);
  accepted.envelope_from = envelope.mail_from;
  accepted.local = routing.local;
  accepted.remote_recipients = routing.remote;
  accepted.received_at = now;
  if (sender) {
    accepted.local.push_back({sender->id, "Sent", {"\\Seen"}, false});
    accepted.sender_mailbox_id = sender->id;
    accepted.daily_limit = sender->daily_limit;
  }
  MJ_TRY_ASSIGN(auto queued, store_.accept(accepted));
  forwardCopies(routing, accepted.content, now);
  return queued;
}

}  // namespace mailjuke::core
