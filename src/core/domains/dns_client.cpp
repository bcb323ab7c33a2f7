#include "core/domains/dns_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "base/crypto.h"
#include "proto/dns/message.h"

namespace mailjuke::core {
namespace {

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

Result<sockaddr_storage> parseServer(const std::string& server, socklen_t& len) {
  sockaddr_storage ss{};
  auto colon = server.rfind(':');
  if (colon == std::string::npos) return Error::invalid("resolver", "must be ip:port");
  std::string host = server.substr(0, colon);
  int port = 0;
  try {
    port = std::stoi(server.substr(colon + 1));
  } catch (...) {
    return Error::invalid("resolver", "must be ip:port");
  }
  if (port <= 0 || port > 65535) return Error::invalid("resolver", "bad port");
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(uint16_t(port));
    if (inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), &a->sin6_addr) != 1)
      return Error::invalid("resolver", "bad IPv6 address");
    len = sizeof(sockaddr_in6);
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(uint16_t(port));
    if (inet_pton(AF_INET, host.c_str(), &a->sin_addr) != 1)
      return Error::invalid("resolver", "bad IPv4 address");
    len = sizeof(sockaddr_in);
  }
  return ss;
}

bool waitFor(int fd, short events, std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return false;
  pollfd p{fd, events, 0};
  return ::poll(&p, 1, int(left.count())) == 1;
}

Result<std::string> exchangeUdp(const sockaddr_storage& ss, socklen_t len, const std::string& q,
                                uint16_t id, std::chrono::steady_clock::time_point deadline) {
  Fd fd(::socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return Error::make(ErrorCode::kUnavailable, "resolver: no socket");
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&ss), len) != 0 ||
      ::send(fd.get(), q.data(), q.size(), 0) != ssize_t(q.size()))
    return Error::make(ErrorCode::kUnavailable, "resolver: cannot send");
  char buf[65535];
  while (waitFor(fd.get(), POLLIN, deadline)) {
    ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
    if (n < 0 && errno != EAGAIN && errno != EINTR)  // e.g. ECONNREFUSED: nothing listens
      return Error::make(ErrorCode::kUnavailable, std::string("resolver: ") + std::strerror(errno));
    if (n < 12) continue;
    if (((uint8_t(buf[0]) << 8) | uint8_t(buf[1])) != id) continue;  // not our answer
    return std::string(buf, size_t(n));
  }
  return Error::make(ErrorCode::kUnavailable, "resolver: no answer over UDP");
}

Result<std::string> exchangeTcp(const sockaddr_storage& ss, socklen_t len, const std::string& q,
                                std::chrono::steady_clock::time_point deadline) {
  Fd fd(::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (fd.get() < 0) return Error::make(ErrorCode::kUnavailable, "resolver: no socket");
  auto fail = Error::make(ErrorCode::kUnavailable, "resolver: no answer over TCP");
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&ss), len) != 0 && errno != EINPROGRESS)
    return fail;
  if (!waitFor(fd.get(), POLLOUT, deadline)) return fail;
  std::string out;
  out.push_back(char(q.size() >> 8));
  out.push_back(char(q.size() & 0xff));
  out += q;
  size_t sent = 0;
  while (sent < out.size()) {
    ssize_t n = ::send(fd.get(), out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += size_t(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!waitFor(fd.get(), POLLOUT, deadline)) return fail;
    } else {
      return fail;
    }
  }
  std::string in;
  char buf[8192];
  while (in.size() < 2 || in.size() < 2 + ((uint8_t(in[0]) << 8) | uint8_t(in[1]))) {
    if (!waitFor(fd.get(), POLLIN, deadline)) return fail;
    ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
    if (n <= 0) {
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) continue;
      return fail;
    }
    in.append(buf, size_t(n));
  }
  size_t mlen = (uint8_t(in[0]) << 8) | uint8_t(in[1]);
  return in.substr(2, mlen);
}

}  // namespace

std::string txtJoined(std::string_view rdata) {
  std::string out;
  size_t i = 0;
  while (i < rdata.size()) {
    size_t n = uint8_t(rdata[i]);
    out.append(rdata.substr(i + 1, n));
    i += 1 + n;
  }
  return out;
}

Result<DnsAnswer> dnsQuery(const std::string& server, const std::string& name, uint16_t type,
                           std::chrono::milliseconds timeout) {
  socklen_t len = 0;
  MJ_TRY_ASSIGN(auto ss, parseServer(server, len));
  MJ_TRY_ASSIGN(auto qname, dns::Name::parse(name));
  std::string rnd = crypto::randomBytes(2);
  dns::Message q;
  q.header.id = uint16_t((uint8_t(rnd[0]) << 8) | uint8_t(rnd[1]));
  q.header.flags = dns::Flag::kRd;
  q.questions.push_back({qname, type, dns::RrClass::kIn});
  std::string wire = dns::serializeMessage(q);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  MJ_TRY_ASSIGN(auto raw, exchangeUdp(ss, len, wire, q.header.id, deadline));
  MJ_TRY_ASSIGN(auto msg, dns::parseMessage(raw));
  if (msg.header.has(dns::Flag::kTc)) {
    MJ_TRY_ASSIGN(raw, exchangeTcp(ss, len, wire, deadline));
    MJ_TRY_ASSIGN(msg, dns::parseMessage(raw));
  }
  if (msg.header.id != q.header.id || !msg.header.qr())
    return Error::make(ErrorCode::kUnavailable, "resolver: mismatched answer");
  DnsAnswer out;
  out.rcode = msg.rcode();
  out.authoritative = msg.header.has(dns::Flag::kAa);
  for (auto& r : msg.answers)
    if (r.type == type) out.answers.push_back(std::move(r));
  return out;
}

}  // namespace mailjuke::core
