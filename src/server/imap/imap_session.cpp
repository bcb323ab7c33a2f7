#include "server/imap/imap_session.h"

#include <algorithm>
#include <exception>

#include "proto/imap/writer.h"

namespace mailjuke::imap {

ImapSession::ImapSession(SessionOptions options, ImapBackend& backend)
    : opt_(std::move(options)), backend_(backend), reader_(opt_.limits), tls_(opt_.tls_active) {}

void ImapSession::greet() {
  // RFC 9051 §7.1.1: the greeting may carry the capabilities, saving a round trip.
  untagged("OK [CAPABILITY " + capabilities() + "] " + opt_.hostname + " MailJuke IMAP ready");
}

std::string ImapSession::capabilities() const {
  std::string caps =
      "IMAP4rev1 IMAP4rev2 LITERAL+ SASL-IR ENABLE ID NAMESPACE UNSELECT SPECIAL-USE MOVE UIDPLUS "
      "IDLE CONDSTORE ESEARCH LIST-STATUS QUOTA QUOTA=RES-STORAGE";
  if (!tls_ && opt_.tls_available) caps += " STARTTLS";
  // RFC 9051 §6.2.3: no plaintext passwords before TLS.
  caps += mayLogin() ? " AUTH=PLAIN" : " LOGINDISABLED";
  return caps;
}

void ImapSession::feed(std::string_view bytes) {
  if (!closing_) reader_.feed(bytes);
}

void ImapSession::untagged(std::string_view text) {
  out_ += "* ";
  out_.append(text);
  out_ += "\r\n";
}

void ImapSession::tagged(std::string_view status, std::string_view text) {
  out_ += cmd_.tag.empty() ? "*" : cmd_.tag;
  out_ += ' ';
  out_.append(status);
  out_ += ' ';
  out_.append(text);
  out_ += "\r\n";
}

void ImapSession::bad(std::string_view text) {
  tagged("BAD", text);
  if (++errors_ >= opt_.max_errors && !closing_) {
    untagged("BYE Too many errors");
    closing_ = true;
  }
}

void ImapSession::timedOut() {
  untagged("BYE Autologout; idle for too long");
  closing_ = true;
}

void ImapSession::shutdownNow() {
  untagged("BYE Server shutting down");
  closing_ = true;
}

void ImapSession::tlsEstablished() {
  // RFC 9051 §6.2.1: anything the client sent before the handshake is discarded.
  tls_ = true;
  reader_ = CommandReader(opt_.limits);
}

void ImapSession::runBlocking() {
  work_threw_ = false;
  // Writes made here are this session's own: its change notifications do not wake it.
  core::MailChanges::Scope origin(this);
  // One catch-all per blocking call: a throwing backend becomes a NO, not a dead session.
  try {
    if (work_) work_();
  } catch (const std::exception&) {
    work_threw_ = true;
  } catch (...) {
    work_threw_ = true;
  }
  work_ = nullptr;
}

ImapSession::Step ImapSession::process(bool stopping) {
  if (then_) {
    auto then = std::move(then_);
    then_ = nullptr;
    if (work_threw_) {
      work_threw_ = false;
      // While idling no command is waiting for an answer (the next reload retries).
      if (!idling_) tagged("NO", "[UNAVAILABLE] Temporary failure, try again");
    } else {
      then();
    }
  }
  for (;;) {
    if (closing_) return Step::kClose;
    if (work_) return Step::kBlocking;
    if (tls_pending_) {
      tls_pending_ = false;
      return Step::kStartTls;
    }
    if (stopping && !sasl_pending_) {
      shutdownNow();
      return Step::kClose;
    }
    if (!watch_ && account_) {
      // Change notifications for the session's mailbox (IDLE, untagged updates).
      watch_ = backend_.watch(account_->id, this, [w = watch_state_] {
        w->dirty.store(true);
        if (w->wake) w->wake();
      });
    }
    if (refreshDue()) {
      // RFC 2177: while idling, report changes as they happen.
      refresh(true, nullptr);
      continue;
    }
    // The tag is read before framing: after kTooLong the reader has already skipped the line.
    std::string tag = reader_.currentTag();
    switch (reader_.next()) {
      case CommandReader::Event::kNeedMore:
        return Step::kNeedInput;
      case CommandReader::Event::kContinue:
        out_ += "+ Ready for literal data\r\n";  // RFC 9051 §7.5
        return Step::kNeedInput;
      case CommandReader::Event::kTooLong:
        cmd_ = Command{tag.empty() ? std::string("*") : tag, "", false, {}};
        sasl_pending_ = false;
        bad("[TOOBIG] Command line or literal too long");
        break;
      case CommandReader::Event::kCommand:
        ++progress_;
        handle(reader_.command());
        break;
    }
  }
}

void ImapSession::handle(const std::string& wire) {
  if (sasl_pending_) {
    sasl_pending_ = false;
    saslResponse(wire);
    return;
  }
  if (idling_) {
    // RFC 2177 §3: "DONE" ends IDLE; anything else is a protocol error.
    idling_ = false;
    std::string w = wire;
    for (char& c : w) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (w == "DONE") return tagged("OK", "IDLE terminated");
    return bad("Expected DONE");
  }
  auto parsed = parseCommand(wire);
  if (!parsed.ok()) {
    // A best-effort tag so the client can match the BAD (RFC 9051 §7.1.3).
    auto sp = wire.find(' ');
    cmd_ = Command{sp == std::string::npos ? std::string("*") : wire.substr(0, sp), "", false, {}};
    if (cmd_.tag.find_first_of("+(){%*\"\\]") != std::string::npos || cmd_.tag.size() > 64)
      cmd_.tag = "*";
    bad(parsed.error().message);
    return;
  }
  cmd_ = std::move(parsed).value();
  guarded([this] { dispatch(); });
}

void ImapSession::guarded(const std::function<void()>& f) {
  // One catch-all per command: a bug in one handler answers NO and keeps the session.
  try {
    f();
  } catch (const std::exception&) {
    work_ = nullptr;
    then_ = nullptr;
    tagged("NO", "[SERVERBUG] Internal error");
  }
}

void ImapSession::dispatch() {
  const std::string& n = cmd_.name;
  if (cmd_.uid && n != "FETCH" && n != "STORE" && n != "SEARCH" && n != "COPY" && n != "MOVE" &&
      n != "EXPUNGE")
    return bad("Unknown UID command");
  if (n == "NOOP") return cmdNoop();
  if (n == "IDLE" && state_ != State::kNotAuthenticated) return cmdIdle();
  if (n == "CAPABILITY" || n == "LOGOUT" || n == "ID") return cmdSimple();
  if (state_ == State::kNotAuthenticated) {
    if (n == "STARTTLS") return cmdStartTls();
    if (n == "LOGIN") return cmdLogin();
    if (n == "AUTHENTICATE") return cmdAuthenticate();
    static const char* kAfterLogin[] = {"SELECT", "EXAMINE", "LIST",   "LSUB",      "STATUS",
                                        "FETCH",  "STORE",   "SEARCH", "ENABLE",    "NAMESPACE",
                                        "CREATE", "DELETE",  "RENAME", "SUBSCRIBE", "UNSUBSCRIBE",
                                        "APPEND", "EXPUNGE", "CLOSE",  "UNSELECT",  "CHECK",
                                        "IDLE",   "COPY",    "MOVE",   "GETQUOTA",  "GETQUOTAROOT"};
    for (const char* k : kAfterLogin)
      if (n == k) return bad("Log in first");
    return bad("Unknown command");
  }
  if (n == "STARTTLS" || n == "LOGIN" || n == "AUTHENTICATE") return bad("Already logged in");
  if (n == "ENABLE" || n == "NAMESPACE") return cmdSimple();
  if (n == "LIST" || n == "LSUB") return cmdList();
  if (n == "STATUS") return cmdStatus();
  if (n == "CREATE" || n == "DELETE" || n == "RENAME" || n == "SUBSCRIBE" || n == "UNSUBSCRIBE")
    return cmdMailbox();
  if (n == "APPEND") return cmdAppend();
  if (n == "GETQUOTA" || n == "GETQUOTAROOT" || n == "SETQUOTA") return cmdQuota();
  if (n == "SELECT" || n == "EXAMINE") return cmdSelect();
  if (n == "FETCH" || n == "STORE" || n == "SEARCH" || n == "EXPUNGE" || n == "CLOSE" ||
      n == "UNSELECT" || n == "CHECK" || n == "COPY" || n == "MOVE") {
    if (state_ != State::kSelected) return bad("No mailbox selected");
    if (n != "CHECK" && n != "CLOSE" && n != "UNSELECT") {
      // RFC 9051 §7.4.1: report what others changed before answering; no EXPUNGE during
      // FETCH, STORE or SEARCH (their UID forms may: they do not use sequence numbers).
      const bool allow = cmd_.uid || (n != "FETCH" && n != "STORE" && n != "SEARCH");
      if (watch_state_->dirty.load() || (expunge_pending_ && allow))
        return refresh(allow, [this] { guarded([this] { dispatchSelected(); }); });
    }
    return dispatchSelected();
  }
  bad("Unknown command");
}

void ImapSession::dispatchSelected() {
  const std::string& n = cmd_.name;
  {
    // RFC 3501 §6.4.1: CHECK is a checkpoint (every change here is durable when answered);
    // like NOOP it reports changes.
    if (n == "CHECK") return cmdNoop();
    if (n == "FETCH") return cmdFetch();
    if (n == "STORE") return cmdStore();
    if (n == "SEARCH") return cmdSearch();
    if (n == "EXPUNGE") return cmdExpunge();
    if (n == "COPY" || n == "MOVE") return cmdCopy();
    return cmdClose();
  }
}

std::vector<size_t> ImapSession::resolve(const SequenceSet& set) const {
  // Per range, not per message: mbsync sends one "UID FETCH n" per message, thousands of them
  // on a large folder, so a scan of the whole folder per command would be quadratic.
  std::vector<size_t> out;
  const auto& msgs = selected_->messages;
  if (msgs.empty()) return out;
  // RFC 9051 §6.4.9: with UIDs '*' is the largest UID in use and UIDs not in the folder are
  // ignored; "4:2" is "2:4".
  const uint32_t largest =
      cmd_.uid ? static_cast<uint32_t>(msgs.back().uid) : static_cast<uint32_t>(msgs.size());
  bool ascending = true;
  for (const auto& r : set) {
    uint32_t lo = r.first == kStar ? largest : r.first;
    uint32_t hi = r.last == kStar ? largest : r.last;
    if (lo > hi) std::swap(lo, hi);
    size_t from = 0, to = 0;  // [from, to) in msgs
    if (cmd_.uid) {
      auto byUid = [](const core::ImapMessage& m, int64_t uid) { return m.uid < uid; };
      from = size_t(std::lower_bound(msgs.begin(), msgs.end(), int64_t(lo), byUid) - msgs.begin());
      to = size_t(std::lower_bound(msgs.begin() + from, msgs.end(), int64_t(hi) + 1, byUid) -
                  msgs.begin());
    } else {
      from = std::min<size_t>(lo == 0 ? 0 : lo - 1, msgs.size());
      to = std::min<size_t>(hi, msgs.size());
    }
    for (size_t i = from; i < to; ++i) {
      if (!out.empty() && i <= out.back()) ascending = false;
      out.push_back(i);
    }
  }
  if (!ascending) {
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
  }
  return out;
}

std::string ImapSession::mailboxName(const std::string& utf8) const {
  std::string out;
  appendAString(out, encodeMailboxName(utf8));  // RFC 3501 §5.1.3 for rev1 clients
  return out;
}

std::optional<std::string> ImapSession::mailboxArg(const Token& t) {
  auto s = t.astring();
  if (!s) {
    bad("Expected a mailbox name");
    return std::nullopt;
  }
  auto decoded = decodeMailboxName(*s);
  if (!decoded) {
    bad("Mailbox name is not valid modified UTF-7");
    return std::nullopt;
  }
  return decoded;
}

}  // namespace mailjuke::imap
