// Socket tests: a real SmtpServer on 127.0.0.1:0 with a fake backend and a generated certificate.
#include "server/smtp/smtp_server.h"

#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <thread>

#include "base/encoding.h"
#include "net/asio.h"
#include "net/tls.h"
#include "server/smtp/fake_backend.h"

namespace mailjuke::smtp {
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
  // One reply (all its lines); "" when the connection closed or timed out.
  std::string reply() {
    std::string out;
    for (;;) {
      boost::system::error_code ec;
      size_t n = tls ? asio::read_until(*tls, asio::dynamic_buffer(buf), "\r\n", ec)
                     : asio::read_until(sock, asio::dynamic_buffer(buf), "\r\n", ec);
      if (ec) return out;
      std::string line = buf.substr(0, n);
      buf.erase(0, n);
      out += line;
      if (line.size() < 4 || line[3] != '-') return out;
    }
  }
  std::string cmd(const std::string& line) {
    send(line + "\r\n");
    return reply();
  }
};

class SmtpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/mj-smtp-test-XXXXXX";
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
  void start(SmtpServerOptions o = {}) {
    o.mx_listen = "127.0.0.1:0";
    o.submission_listen = "127.0.0.1:0";
    o.submissions_listen = "127.0.0.1:0";
    o.tls_cert_file = dir_ + "/tls/cert.pem";
    o.tls_key_file = dir_ + "/tls/key.pem";
    server_ = std::make_unique<SmtpServer>(rt_, o, be_);
    auto r = server_->start();
    ASSERT_TRUE(r.ok()) << r.error().message;
    ports_ = *r;
  }
  std::string addr(const char* name) { return ports_.at(name).get<std::string>(); }

  net::Runtime rt_{2, 2};
  testing::FakeBackend be_;
  std::unique_ptr<SmtpServer> server_;
  Json ports_;
  std::string dir_;
};

bool has(const std::string& out, std::string_view what) {
  return out.find(what) != std::string::npos;
}
std::string plain() { return base64Encode(std::string("\0user@hosted.test\0secret", 24)); }

TEST_F(SmtpServerTest, GeneratesCertificateAndReportsPorts) {
  start();
  for (auto name : {"smtp_mx", "smtp_submission", "smtps"})
    EXPECT_EQ(addr(name).rfind("127.0.0.1:", 0), 0u) << name;
  struct stat st {};
  ASSERT_EQ(::stat((dir_ + "/tls/key.pem").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/tls/cert.pem"));
  // A second load reuses the files.
  auto again = net::serverTlsContext(dir_ + "/tls/cert.pem", dir_ + "/tls/key.pem", "x");
  EXPECT_TRUE(again.ok());
}

TEST_F(SmtpServerTest, SubmissionStartTlsAuthAndSubmit) {
  start();
  Client c(addr("smtp_submission"));
  EXPECT_EQ(c.reply(), "220 mail.mailjuke.test ESMTP MailJuke\r\n");
  auto ehlo = c.cmd("EHLO client.test");
  EXPECT_TRUE(has(ehlo, "250-STARTTLS"));
  EXPECT_FALSE(has(ehlo, "AUTH"));
  EXPECT_TRUE(has(c.cmd("AUTH PLAIN " + plain()), "530 5.7.0"));
  EXPECT_TRUE(has(c.cmd("STARTTLS"), "220 2.0.0"));
  c.startTls();
  EXPECT_GE(SSL_version(c.tls->native_handle()), TLS1_2_VERSION);
  ehlo = c.cmd("EHLO client.test");
  EXPECT_TRUE(has(ehlo, "250-AUTH PLAIN LOGIN"));
  EXPECT_FALSE(has(ehlo, "STARTTLS"));
  EXPECT_TRUE(has(c.cmd("AUTH PLAIN " + plain()), "235 2.7.0"));
  // PIPELINING: the whole envelope in one write, the replies in order.
  c.send("MAIL FROM:<user@hosted.test>\r\nRCPT TO:<a@example.org>\r\nDATA\r\n");
  EXPECT_TRUE(has(c.reply(), "250 2.1.0"));
  EXPECT_TRUE(has(c.reply(), "250 2.1.5"));
  EXPECT_TRUE(has(c.reply(), "354"));
  EXPECT_TRUE(has(c.cmd("Subject: t\r\n\r\nhi\r\n."), "250 2.0.0 Ok: queued as Q1"));
  EXPECT_TRUE(has(c.cmd("QUIT"), "221"));
  ASSERT_EQ(be_.deliveries.size(), 1u);
  EXPECT_TRUE(be_.deliveries[0].submitted);
  EXPECT_EQ(be_.deliveries[0].envelope.client_ip, "127.0.0.1");
}

TEST_F(SmtpServerTest, ImplicitTlsOnSubmissions) {
  start();
  Client c(addr("smtps"));
  c.startTls();
  EXPECT_TRUE(has(c.reply(), "220 mail.mailjuke.test ESMTP"));
  auto ehlo = c.cmd("EHLO client.test");
  EXPECT_TRUE(has(ehlo, "250-AUTH PLAIN LOGIN"));
  EXPECT_FALSE(has(ehlo, "STARTTLS"));
  EXPECT_EQ(c.cmd("AUTH LOGIN"), "334 VXNlcm5hbWU6\r\n");
  EXPECT_EQ(c.cmd(base64Encode("user@hosted.test")), "334 UGFzc3dvcmQ6\r\n");
  EXPECT_TRUE(has(c.cmd(base64Encode("secret")), "235 2.7.0"));
}

TEST_F(SmtpServerTest, MxPipelinedDeliveryAndNoAuth) {
  start();
  Client c(addr("smtp_mx"));
  c.reply();
  EXPECT_FALSE(has(c.cmd("EHLO client.test"), "AUTH"));
  c.send(
      "MAIL FROM:<x@remote.test>\r\nRCPT TO:<user@hosted.test>\r\nRCPT TO:<no@hosted.test>\r\n"
      "DATA\r\n");
  EXPECT_TRUE(has(c.reply(), "250 2.1.0"));
  EXPECT_TRUE(has(c.reply(), "250 2.1.5"));
  EXPECT_TRUE(has(c.reply(), "550 5.1.1"));
  EXPECT_TRUE(has(c.reply(), "354"));
  EXPECT_TRUE(has(c.cmd("hello\r\n."), "250 2.0.0 Ok: queued as"));
  ASSERT_EQ(be_.deliveries.size(), 1u);
  EXPECT_FALSE(be_.deliveries[0].submitted);
}

TEST_F(SmtpServerTest, ShutdownAnswers421) {
  start();
  Client c(addr("smtp_mx"));
  c.reply();
  c.cmd("EHLO client.test");
  server_->shutdown(std::chrono::seconds(2));
  EXPECT_TRUE(has(c.reply(), "421 4.3.2"));
  EXPECT_EQ(c.reply(), "");  // closed
  EXPECT_EQ(server_->openConnections(), 0u);
}

TEST_F(SmtpServerTest, PerIpConnectionCap) {
  SmtpServerOptions o;
  o.max_connections_per_ip = 2;
  start(o);
  Client a(addr("smtp_mx")), b(addr("smtp_mx"));
  EXPECT_TRUE(has(a.reply(), "220"));
  EXPECT_TRUE(has(b.reply(), "220"));
  Client c(addr("smtp_mx"));
  EXPECT_TRUE(has(c.reply(), "421 4.7.0"));
  a.cmd("QUIT");
  EXPECT_EQ(a.reply(), "");
  // The freed slot is usable again (the count drops when the session ends).
  for (int i = 0; i < 200 && server_->openConnections() > 1; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  Client d(addr("smtp_mx"));
  EXPECT_TRUE(has(d.reply(), "220"));
}

TEST_F(SmtpServerTest, SlowClientTimesOutWithoutBlockingOthers) {
  SmtpServerOptions o;
  o.command_timeout = std::chrono::seconds(1);
  start(o);
  Client slow(addr("smtp_mx"));
  slow.reply();
  slow.send("EH");  // and nothing more
  Client fast(addr("smtp_mx"));
  EXPECT_TRUE(has(fast.reply(), "220"));
  EXPECT_TRUE(has(fast.cmd("EHLO fast.test"), "250 SMTPUTF8"));
  EXPECT_TRUE(has(fast.cmd("NOOP"), "250 2.0.0"));
  EXPECT_TRUE(has(slow.reply(), "421 4.4.2"));  // RFC 5321 §4.5.3.2
}

TEST_F(SmtpServerTest, StartTlsDiscardsPlaintextPipelinedAfterIt) {
  start();
  Client c(addr("smtp_submission"));
  c.reply();
  c.cmd("EHLO client.test");
  // RFC 3207 §4.2: the NOOP sent in the clear with STARTTLS must not be answered inside TLS.
  c.send("STARTTLS\r\nNOOP\r\n");
  EXPECT_EQ(c.reply(), "220 2.0.0 Ready to start TLS\r\n");
  c.startTls();
  EXPECT_TRUE(has(c.cmd("RSET"), "250 2.0.0 Ok\r\n"));
  EXPECT_EQ(c.cmd("MAIL FROM:<user@hosted.test>"), "503 5.5.1 Error: send HELO/EHLO first\r\n");
}

TEST_F(SmtpServerTest, TotalConnectionCap) {
  SmtpServerOptions o;
  o.max_connections = 1;
  start(o);
  Client a(addr("smtp_mx"));
  EXPECT_TRUE(has(a.reply(), "220"));
  Client b(addr("smtp_submission"));
  EXPECT_TRUE(has(b.reply(), "421 4.7.0"));
  EXPECT_EQ(server_->openConnections(), 1u);
}

TEST_F(SmtpServerTest, TricklingClientStillTimesOut) {
  SmtpServerOptions o;
  o.command_timeout = std::chrono::seconds(1);
  start(o);
  Client slow(addr("smtp_mx"));
  slow.reply();
  // One byte every 200 ms never completes a line: the deadline does not move (slowloris).
  auto began = std::chrono::steady_clock::now();
  boost::system::error_code ec;
  for (int i = 0; i < 25 && !ec && slow.sock.available(ec) == 0; ++i) {
    asio::write(slow.sock, asio::buffer("N", 1), ec);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_TRUE(has(slow.reply(), "421 4.4.2"));
  EXPECT_LT(std::chrono::steady_clock::now() - began, std::chrono::seconds(5));
}

}  // namespace
}  // namespace mailjuke::smtp
