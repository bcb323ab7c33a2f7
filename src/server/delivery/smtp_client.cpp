#include "server/delivery/smtp_client.h"

#include <boost/asio/ssl.hpp>

#include "proto/smtp/data_reader.h"

namespace mailjuke::delivery {

namespace asio = net::asio;
using net::awaitable;
using net::tcp;

struct SmtpSession::Impl {
  asio::ssl::context ctx{asio::ssl::context::tls_client};
  std::unique_ptr<asio::ssl::stream<tcp::socket&>> stream;
};

std::string SmtpReply::text() const {
  std::string out = code ? std::to_string(code) : std::string("000");
  for (size_t i = 0; i < lines.size(); ++i) {
    out += i == 0 ? " " : "; ";
    out += lines[i];
  }
  return out;
}

SmtpSession::SmtpSession(asio::any_io_executor executor, ClientOptions options)
    : options_(std::move(options)), socket_(executor), timer_(executor) {}

SmtpSession::~SmtpSession() = default;

void SmtpSession::close() {
  usable_ = false;
  boost::system::error_code ec;
  socket_.close(ec);
  timer_.cancel();
}

// A watchdog per operation: on expiry the socket closes, so the pending operation fails.
void SmtpSession::arm(std::chrono::milliseconds timeout) {
  timer_.expires_after(timeout);
  std::weak_ptr<SmtpSession> weak = weak_from_this();
  timer_.async_wait([weak](boost::system::error_code ec) {
    if (ec) return;
    if (auto self = weak.lock()) {
      boost::system::error_code ignored;
      self->usable_ = false;
      self->socket_.close(ignored);
    }
  });
}

void SmtpSession::disarm() { timer_.cancel(); }

awaitable<bool> SmtpSession::write(std::string data) {
  boost::system::error_code ec;
  arm(options_.command_timeout);
  if (tls_) {
    co_await asio::async_write(*tls_->stream, asio::buffer(data),
                               asio::redirect_error(net::use_awaitable, ec));
  } else {
    co_await asio::async_write(socket_, asio::buffer(data),
                               asio::redirect_error(net::use_awaitable, ec));
  }
  disarm();
  if (ec) usable_ = false;
  co_return !ec;
}

// RFC 5321 §4.2.1: "ddd-text" continues, "ddd text" (or "ddd") ends the reply.
awaitable<SmtpReply> SmtpSession::readReply() {
  SmtpReply reply;
  arm(options_.command_timeout);
  for (int n = 0; n < 1000; ++n) {
    boost::system::error_code ec;
    size_t len;
    if (tls_) {
      len = co_await asio::async_read_until(*tls_->stream, asio::dynamic_buffer(buffer_, 65536),
                                            "\n", asio::redirect_error(net::use_awaitable, ec));
    } else {
      len = co_await asio::async_read_until(socket_, asio::dynamic_buffer(buffer_, 65536), "\n",
                                            asio::redirect_error(net::use_awaitable, ec));
    }
    if (ec) break;
    std::string line = buffer_.substr(0, len);
    buffer_.erase(0, len);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    if (line.size() < 3 || !isdigit(static_cast<unsigned char>(line[0])) ||
        !isdigit(static_cast<unsigned char>(line[1])) ||
        !isdigit(static_cast<unsigned char>(line[2])))
      break;
    int code = std::stoi(line.substr(0, 3));
    reply.lines.push_back(line.size() > 4 ? line.substr(4) : "");
    if (line.size() > 3 && line[3] == '-') continue;
    disarm();
    reply.code = code;
    co_return reply;
  }
  disarm();
  usable_ = false;
  reply.code = 0;
  if (reply.lines.empty()) reply.lines.push_back("connection lost or timed out");
  co_return reply;
}

// Arguments by value and awaits in plain statements: g++ 12 miscompiles temporaries that live
// across a co_await inside one full expression.
awaitable<SmtpReply> SmtpSession::command(std::string line) {
  line += "\r\n";
  bool written = co_await write(std::move(line));
  SmtpReply reply;
  if (!written) {
    reply.lines.push_back("connection lost");
    co_return reply;
  }
  reply = co_await readReply();
  co_return reply;
}

// EHLO, HELO when EHLO is refused (RFC 5321 §4.1.4); records SIZE and STARTTLS.
awaitable<bool> SmtpSession::hello() {
  SmtpReply r = co_await command("EHLO " + options_.helo);
  size_ext_ = starttls_ext_ = false;
  if (r.code == 250) {
    for (size_t i = 1; i < r.lines.size(); ++i) {
      std::string kw = r.lines[i].substr(0, r.lines[i].find(' '));
      for (auto& c : kw) c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
      if (kw == "SIZE") size_ext_ = true;
      if (kw == "STARTTLS") starttls_ext_ = true;
    }
    co_return true;
  }
  if (r.code == 0) co_return false;
  r = co_await command("HELO " + options_.helo);
  co_return r.code == 250;
}

awaitable<std::shared_ptr<SmtpSession>> SmtpSession::open(asio::any_io_executor executor,
                                                          tcp::endpoint endpoint,
                                                          ClientOptions options,
                                                          SmtpReply& failure) {
  std::shared_ptr<SmtpSession> s(new SmtpSession(executor, std::move(options)));
  s->peer_ = endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
  boost::system::error_code ec;
  s->arm(s->options_.connect_timeout);
  co_await s->socket_.async_connect(endpoint, asio::redirect_error(net::use_awaitable, ec));
  s->disarm();
  if (ec) {
    failure = SmtpReply{0, {"connect to " + s->peer_ + ": " + ec.message()}};
    co_return nullptr;
  }
  s->usable_ = true;
  SmtpReply greeting = co_await s->readReply();
  if (greeting.code != 220) {
    failure = greeting;
    s->close();
    co_return nullptr;
  }
  if (!co_await s->hello()) {
    failure = SmtpReply{0, {"EHLO/HELO refused by " + s->peer_}};
    s->close();
    co_return nullptr;
  }
  // RFC 3207: opportunistic; the certificate is not verified (RFC 7435) and a refused STARTTLS
  // leaves the session in plain text.
  if (s->options_.try_starttls && s->starttls_ext_) {
    SmtpReply r = co_await s->command("STARTTLS");
    if (r.code == 220) {
      s->tls_ = std::make_unique<Impl>();
      s->tls_->ctx.set_verify_mode(asio::ssl::verify_none);
      s->tls_->stream = std::make_unique<asio::ssl::stream<tcp::socket&>>(s->socket_, s->tls_->ctx);
      s->buffer_.clear();  // RFC 3207 §4.2: discard anything received before TLS
      s->arm(s->options_.command_timeout);
      co_await s->tls_->stream->async_handshake(asio::ssl::stream_base::client,
                                                asio::redirect_error(net::use_awaitable, ec));
      s->disarm();
      if (ec || !co_await s->hello()) {
        failure = SmtpReply{0, {"TLS handshake with " + s->peer_ + " failed"}};
        s->close();
        co_return nullptr;  // the caller reconnects without STARTTLS
      }
    } else if (r.code == 0) {
      failure = r;
      s->close();
      co_return nullptr;
    }
  }
  co_return s;
}

awaitable<TransactionResult> SmtpSession::send(const std::string& envelope_from,
                                               const std::vector<std::string>& recipients,
                                               const std::string& message) {
  TransactionResult result;
  auto all = [&](RecipientState state, const std::string& why) {
    result.recipients.clear();
    for (const auto& r : recipients) result.recipients.push_back({r, state, why});
  };
  auto stateOf = [](const SmtpReply& r) {
    return r.permanent() ? RecipientState::kPermanent : RecipientState::kTemporary;
  };
  if (used_) {
    SmtpReply r = co_await command("RSET");
    if (r.code != 250) {
      usable_ = false;
      all(RecipientState::kTemporary, r.text());
      result.try_next_host = true;
      co_return result;
    }
  }
  used_ = true;
  std::string mail = "MAIL FROM:<" + envelope_from + ">";
  if (size_ext_) mail += " SIZE=" + std::to_string(message.size());  // RFC 1870
  SmtpReply r = co_await command(mail);
  if (!r.positive()) {
    all(stateOf(r), r.text());
    result.try_next_host = !r.permanent();
    co_return result;
  }
  std::vector<size_t> accepted;
  for (size_t i = 0; i < recipients.size(); ++i) {
    SmtpReply rr = co_await command("RCPT TO:<" + recipients[i] + ">");
    if (rr.code == 0) {
      all(RecipientState::kTemporary, rr.text());
      co_return result;
    }
    // 250 and 251 (user not local; will forward) both accept (§4.2.2).
    if (rr.positive()) {
      accepted.push_back(i);
      result.recipients.push_back({recipients[i], RecipientState::kTemporary, ""});
    } else {
      result.recipients.push_back({recipients[i], stateOf(rr), rr.text()});
    }
  }
  auto settle = [&](RecipientState state, const std::string& why) {
    for (size_t i : accepted) {
      for (auto& o : result.recipients)
        if (o.address == recipients[i]) {
          o.state = state;
          o.reply = why;
        }
    }
  };
  if (accepted.empty()) {
    co_await command("RSET");
    co_return result;
  }
  r = co_await command("DATA");
  if (r.code != 354) {
    settle(stateOf(r), r.text());
    if (r.code == 0) usable_ = false;
    co_return result;
  }
  // §4.5.2 transparency; dotStuff ends the data with CRLF.CRLF.
  bool written = co_await write(smtp::dotStuff(message));
  if (!written) {
    settle(RecipientState::kTemporary, "connection lost during DATA");
    co_return result;
  }
  r = co_await readReply();
  settle(r.positive() ? RecipientState::kDelivered : stateOf(r), r.text());
  co_return result;
}

awaitable<void> SmtpSession::quit() {
  if (usable_) co_await command("QUIT");
  close();
}

}  // namespace mailjuke::delivery
