#include "core/mailauth/resolver.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <thread>

#include "proto/dns/message.h"
#include "proto/dns/rdata.h"

namespace mailjuke::core::mailauth {
namespace {

// A one-socket UDP DNS server on 127.0.0.1:<ephemeral> answering from a fixed table.
class TinyDnsServer {
 public:
  struct Entry {
    uint16_t rcode = 0;
    std::vector<std::pair<uint16_t, std::string>> records;  // type, rdata text
  };
  explicit TinyDnsServer(std::map<std::string, Entry> table) : table_(std::move(table)) {
    fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    address_ = "127.0.0.1:" + std::to_string(ntohs(a.sin_port));
    thread_ = std::thread([this] { loop(); });
  }
  ~TinyDnsServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  const std::string& address() const { return address_; }

 private:
  void loop() {
    char buf[4096];
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) != 1) continue;
      sockaddr_in from{};
      socklen_t len = sizeof from;
      ssize_t n = ::recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
      auto q = dns::parseMessage(std::string_view(buf, n > 0 ? size_t(n) : 0));
      if (!q || q->questions.empty()) continue;
      dns::Message r;
      r.header.id = q->header.id;
      r.header.flags = dns::Flag::kQr | dns::Flag::kRd | dns::Flag::kRa;
      r.questions = q->questions;
      std::string name = q->questions[0].name.toString();
      auto it = table_.find(name);
      if (it == table_.end()) {
        r.header.flags |= dns::Rcode::kNxDomain;
      } else {
        r.header.flags |= it->second.rcode;
        for (const auto& [type, text] : it->second.records) {
          if (type != q->questions[0].type) continue;
          auto rdata = dns::parseRdataText(type, text, dns::Name());
          if (rdata)
            r.answers.push_back({q->questions[0].name, type, dns::RrClass::kIn, 60, *rdata});
        }
      }
      std::string wire = dns::serializeMessage(r);
      ::sendto(fd_, wire.data(), wire.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
    }
  }
  std::map<std::string, Entry> table_;
  int fd_ = -1;
  std::string address_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST(MailauthResolver, AnswersEachTypeFromARealServer) {
  using dns::RrType;
  TinyDnsServer server({
      {"example.com.",
       {0,
        {{RrType::kTxt, "\"v=spf1 \" \"ip4:192.0.2.0/24 -all\""},
         {RrType::kTxt, "other"},
         {RrType::kA, "192.0.2.1"},
         {RrType::kAaaa, "2001:db8:0:0:0:0:0:1"},
         {RrType::kMx, "20 mx2.example.com."},
         {RrType::kMx, "10 mx1.example.com."}}}},
      {"nullmx.example.com.", {0, {{RrType::kMx, "0 ."}}}},
      {"broken.example.com.", {2, {}}},
  });
  auto r = makeStubResolver(server.address(), std::chrono::milliseconds(2000));
  auto txt = r->txt("example.com");
  ASSERT_EQ(txt.status, LookupStatus::kOk);
  EXPECT_EQ(txt.values, (std::vector<std::string>{"v=spf1 ip4:192.0.2.0/24 -all", "other"}));
  EXPECT_EQ(r->a("example.com").values, std::vector<std::string>{"192.0.2.1"});
  EXPECT_EQ(r->aaaa("example.com.").values, std::vector<std::string>{"2001:db8::1"});
  auto mx = r->mx("example.com");
  ASSERT_EQ(mx.values.size(), 2u);
  EXPECT_EQ(mx.values[0].host, "mx1.example.com");
  EXPECT_EQ(mx.values[0].preference, 10);
  EXPECT_EQ(mx.values[1].host, "mx2.example.com");
  auto null_mx = r->mx("nullmx.example.com");
  ASSERT_EQ(null_mx.values.size(), 1u);
  EXPECT_EQ(null_mx.values[0].host, "");
  EXPECT_EQ(r->a("nullmx.example.com").status, LookupStatus::kNoData);
  EXPECT_EQ(r->txt("missing.example.com").status, LookupStatus::kNxDomain);
  EXPECT_EQ(r->txt("broken.example.com").status, LookupStatus::kTempFail);  // SERVFAIL
  EXPECT_EQ(r->txt("bad..name").status, LookupStatus::kNxDomain);
}

TEST(MailauthResolver, NoServerIsTempFail) {
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  std::string address = "127.0.0.1:" + std::to_string(ntohs(a.sin_port));
  ::close(fd);  // nothing listens there now
  auto r = makeStubResolver(address, std::chrono::milliseconds(300));
  EXPECT_EQ(r->txt("example.com").status, LookupStatus::kTempFail);
  EXPECT_EQ(makeStubResolver("not-an-address")->a("example.com").status, LookupStatus::kTempFail);
}

}  // namespace
}  // namespace mailjuke::core::mailauth
