// Socket tests: a real ImapServer on 127.0.0.1:0 with a fake backend and a generated certificate.
#include "server/imap/imap_server.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <filesystem>
#include <optional>

#include "net/asio.h"
#include "net/tls.h"
#include "server/imap/fake_backend.h"

namespace mailjuke::imap {
namespace {
namespace asio = net::asio;
namespace ssl = net::ssl;
using net::tcp;

// A blocking test client; every read gives up after 10 s so a bug fails instead of hanging.
struct Client {
  asio::io_context io;
  tcp::socket sock{io};
  ssl::context ctx{ssl::context::tls_client};
  std::optional<ssl::stream<tcp::socket&>> tls;
  std::string buf;

  explicit Client(const std::string& hostport) {
    auto colon = hostport.rfind(':');
    tcp::endpoint ep(asio::ip::make_address(hostport.substr(0, colon)),
                     static_cast<unsigned short>(std::stoi(hostport.substr(colon + 1))));
    sock.connect(ep);
    timeval tv{10, 0};
    ::setsockopt(sock.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ctx.set_verify_mode(ssl::verify_none);  // self-signed test certificate
  }
  void startTls() {
    tls.emplace(sock, ctx);
    tls->handshake(ssl::stream_base::client);
  }
  void send(const std::string& s) {
    if (tls)
      asio::write(*tls, asio::buffer(s));
    else
      asio::write(sock, asio::buffer(s));
  }
  std::string line() {
    boost::system::error_code ec;
    size_t n = tls ? asio::read_until(*tls, asio::dynamic_buffer(buf), "\r\n", ec)
                   : asio::read_until(sock, asio::dynamic_buffer(buf), "\r\n", ec);
    if (ec) return "";
    std::string l = buf.substr(0, n);
    buf.erase(0, n);
    return l;
  }
  // Everything up to and including the tagged response of `tag` ("" on close or timeout).
  std::string until(const std::string& tag) {
    std::string out;
    for (;;) {
      std::string l = line();
      if (l.empty()) return out;
      out += l;
      if (l.rfind(tag + " ", 0) == 0) return out;
    }
  }
  std::string cmd(const std::string& tag, const std::string& rest) {
    send(tag + " " + rest + "\r\n");
    return until(tag);
  }
};

bool has(const std::string& out, std::string_view what) {
  return out.find(what) != std::string::npos;
}

class ImapServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/mj-imap-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    rt_.start();
  }
  void TearDown() override {
    if (server_) server_->shutdown(std::chrono::seconds(2));
    rt_.stop();
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  void start(ImapServerOptions o = {}) {
    o.listen = "127.0.0.1:0";
    o.imaps_listen = "127.0.0.1:0";
    o.tls_cert_file = dir_ + "/tls/cert.pem";
    o.tls_key_file = dir_ + "/tls/key.pem";
    server_ = std::make_unique<ImapServer>(rt_, o, be_);
    auto r = server_->start();
    ASSERT_TRUE(r.ok()) << r.error().message;
    ports_ = *r;
  }
  std::string addr(const char* name) { return ports_.at(name).get<std::string>(); }

  net::Runtime rt_{2, 2};
  testing::FakeBackend be_;
  std::unique_ptr<ImapServer> server_;
  Json ports_;
  std::string dir_;
};

TEST_F(ImapServerTest, StartTlsLoginSelectFetch) {
  be_.add("f_inbox", "Subject: hi\r\n\r\nbody\r\n");
  start();
  Client c(addr("imap"));
  std::string greeting = c.line();
  EXPECT_TRUE(has(greeting, "* OK [CAPABILITY")) << greeting;
  EXPECT_TRUE(has(greeting, "STARTTLS"));
  EXPECT_TRUE(has(greeting, "LOGINDISABLED"));
  EXPECT_TRUE(has(c.cmd("a", "LOGIN user@hosted.test secret"), "a NO [PRIVACYREQUIRED]"));
  EXPECT_TRUE(has(c.cmd("b", "STARTTLS"), "b OK"));
  c.startTls();
  EXPECT_TRUE(has(c.cmd("c", "LOGIN user@hosted.test secret"), "c OK"));
  std::string sel = c.cmd("d", "SELECT INBOX");
  EXPECT_TRUE(has(sel, "* 1 EXISTS")) << sel;
  std::string f = c.cmd("e", "UID FETCH 1:* (FLAGS BODY.PEEK[])");
  EXPECT_TRUE(has(f, "BODY[] {21}\r\nSubject: hi\r\n\r\nbody\r\n)")) << f;
  EXPECT_TRUE(has(c.cmd("z", "LOGOUT"), "* BYE"));
  EXPECT_EQ(c.line(), "");  // closed
}

TEST_F(ImapServerTest, ImplicitTlsAndPlaintextLoopbackFlag) {
  ImapServerOptions o;
  o.allow_plaintext_auth_on_loopback = true;
  start(o);
  Client s(addr("imaps"));
  s.startTls();
  std::string greeting = s.line();
  EXPECT_TRUE(has(greeting, "AUTH=PLAIN")) << greeting;
  EXPECT_FALSE(has(greeting, "STARTTLS"));
  EXPECT_TRUE(has(s.cmd("a", "AUTHENTICATE PLAIN AHVzZXJAaG9zdGVkLnRlc3QAc2VjcmV0"), "a OK"));
  Client p(addr("imap"));
  EXPECT_TRUE(has(p.line(), "AUTH=PLAIN"));  // loopback development flag
  EXPECT_TRUE(has(p.cmd("a", "LOGIN user@hosted.test secret"), "a OK"));
  EXPECT_TRUE(has(p.cmd("b", "LIST \"\" *"), "* LIST (\\HasNoChildren \\Sent"));
}

TEST_F(ImapServerTest, ConnectionCapAndShutdownSaysBye) {
  ImapServerOptions o;
  o.max_connections_per_ip = 1;
  start(o);
  Client a(addr("imap"));
  EXPECT_TRUE(has(a.line(), "* OK"));
  Client b(addr("imap"));
  EXPECT_TRUE(has(b.line(), "* BYE Too many connections"));
  server_->shutdown(std::chrono::seconds(2));
  EXPECT_TRUE(has(a.line(), "* BYE"));
  server_.reset();
}

}  // namespace
}  // namespace mailjuke::imap
