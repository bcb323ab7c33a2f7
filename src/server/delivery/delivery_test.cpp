#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "core/mail/mail_queue.h"
#include "core/mail/mail_test_util.h"
#include "net/asio.h"
#include "server/delivery/delivery_engine.h"
#include "server/delivery/fake_smtp_server.h"
#include "server/delivery/mx_route.h"
#include "server/delivery/smtp_client.h"

namespace mailjuke::delivery {
namespace {

using core::mailauth::LookupStatus;
using testing::FakeSmtpServer;

class FakeResolver : public core::mailauth::Resolver {
 public:
  std::map<std::string, core::mailauth::Lookup<core::mailauth::MxHost>> mxs;
  std::map<std::string, core::mailauth::Lookup<std::string>> as;
  core::mailauth::Lookup<std::string> txt(const std::string&) override {
    return {LookupStatus::kNxDomain, {}};
  }
  core::mailauth::Lookup<std::string> a(const std::string& name) override {
    auto it = as.find(name);
    return it == as.end() ? core::mailauth::Lookup<std::string>{LookupStatus::kNxDomain, {}}
                          : it->second;
  }
  core::mailauth::Lookup<std::string> aaaa(const std::string& name) override {
    return {as.count(name) ? LookupStatus::kNoData : LookupStatus::kNxDomain, {}};
  }
  core::mailauth::Lookup<core::mailauth::MxHost> mx(const std::string& name) override {
    auto it = mxs.find(name);
    return it == mxs.end()
               ? core::mailauth::Lookup<core::mailauth::MxHost>{LookupStatus::kNxDomain, {}}
               : it->second;
  }
};

// Runs one coroutine to completion on a private io_context.
template <class T, class F>
T runCoro(F fn) {
  net::asio::io_context io;
  std::optional<T> out;
  net::asio::co_spawn(
      io, [&]() -> net::awaitable<void> { out = co_await fn(io.get_executor()); },
      net::asio::detached);
  io.run();
  return std::move(*out);
}

net::tcp::endpoint local(uint16_t port) { return {net::asio::ip::make_address("127.0.0.1"), port}; }

const std::string kMessage =
    "From: a@hosted.test\r\nTo: b@remote.test\r\nSubject: hi\r\n\r\nline one\r\n.leading dot\r\n"
    "..two dots\r\nend\r\n";

TEST(SmtpClientTest, Delivers251And250WithMultilineRepliesAndNoStartTls) {
  FakeSmtpServer server;
  server.rcpt_replies["fwd@remote.test"] = "251 2.1.5 user not local; will forward\r\n";
  server.start();
  auto result = runCoro<TransactionResult>(
      [&](net::asio::any_io_executor ex) -> net::awaitable<TransactionResult> {
        SmtpReply failure;
        ClientOptions opts;
        auto ep = local(server.port());
        auto s = co_await SmtpSession::open(ex, ep, opts, failure);
        if (!s) co_return TransactionResult{};
        EXPECT_FALSE(s->tls());
        std::vector<std::string> rcpts = {"b@remote.test", "fwd@remote.test"};
        auto r = co_await s->send("a@hosted.test", rcpts, kMessage);
        co_await s->quit();
        co_return r;
      });
  ASSERT_EQ(result.recipients.size(), 2u);
  for (auto& o : result.recipients) EXPECT_EQ(o.state, RecipientState::kDelivered) << o.address;
  auto got = server.received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].data, kMessage);  // dot-stuffed on the wire, unstuffed by the server
  EXPECT_EQ(got[0].from, "a@hosted.test");
  bool size_sent = false;
  for (auto& c : server.commands())
    if (c == "MAIL FROM:<a@hosted.test> SIZE=" + std::to_string(kMessage.size())) size_sent = true;
  EXPECT_TRUE(size_sent);
  server.stop();
}

TEST(SmtpClientTest, PerRecipientPermanentAndTemporaryOutcomes) {
  FakeSmtpServer server;
  server.rcpt_replies["gone@remote.test"] = "550-5.1.1 no such user\r\n550 5.1.1 really\r\n";
  server.rcpt_replies["later@remote.test"] = "451 4.2.0 greylisted\r\n";
  server.start();
  auto result = runCoro<TransactionResult>([&](net::asio::any_io_executor ex)
                                               -> net::awaitable<TransactionResult> {
    SmtpReply failure;
    ClientOptions opts;
    auto ep = local(server.port());
    auto s = co_await SmtpSession::open(ex, ep, opts, failure);
    if (!s) co_return TransactionResult{};
    std::vector<std::string> rcpts = {"ok@remote.test", "gone@remote.test", "later@remote.test"};
    auto r = co_await s->send("a@hosted.test", rcpts, kMessage);
    co_await s->quit();
    co_return r;
  });
  ASSERT_EQ(result.recipients.size(), 3u);
  EXPECT_EQ(result.recipients[0].state, RecipientState::kDelivered);
  EXPECT_EQ(result.recipients[1].state, RecipientState::kPermanent);
  EXPECT_EQ(result.recipients[1].reply, "550 5.1.1 no such user; 5.1.1 really");
  EXPECT_EQ(result.recipients[2].state, RecipientState::kTemporary);
  ASSERT_EQ(server.received().size(), 1u);
  EXPECT_EQ(server.received()[0].rcpts, std::vector<std::string>{"ok@remote.test"});
}

TEST(SmtpClientTest, DataRefusedAndReuseWithRset) {
  FakeSmtpServer server;
  server.data_replies = {"554 5.7.1 rejected as spam\r\n", "250 ok\r\n"};
  server.start();
  auto results = runCoro<std::vector<TransactionResult>>(
      [&](net::asio::any_io_executor ex) -> net::awaitable<std::vector<TransactionResult>> {
        SmtpReply failure;
        ClientOptions opts;
        auto ep = local(server.port());
        auto s = co_await SmtpSession::open(ex, ep, opts, failure);
        std::vector<TransactionResult> out;
        if (!s) co_return out;
        std::vector<std::string> rcpts = {"b@remote.test"};
        out.push_back(co_await s->send("a@hosted.test", rcpts, kMessage));
        rcpts = {"c@remote.test"};
        out.push_back(co_await s->send("a@hosted.test", rcpts, kMessage));
        co_await s->quit();
        co_return out;
      });
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].recipients[0].state, RecipientState::kPermanent);
  EXPECT_EQ(results[1].recipients[0].state, RecipientState::kDelivered);
  EXPECT_EQ(server.connections(), 1);
  auto cmds = server.commands();
  EXPECT_NE(std::find(cmds.begin(), cmds.end(), "RSET"), cmds.end());
}

TEST(SmtpClientTest, RefusedStartTlsContinuesInPlainText) {
  FakeSmtpServer server;
  server.ehlo = "250-fake.test\r\n250-STARTTLS\r\n250 SIZE 1000\r\n";
  server.starttls_reply = "454 4.7.0 TLS not available\r\n";
  server.start();
  auto result = runCoro<TransactionResult>(
      [&](net::asio::any_io_executor ex) -> net::awaitable<TransactionResult> {
        SmtpReply failure;
        ClientOptions opts;
        auto ep = local(server.port());
        auto s = co_await SmtpSession::open(ex, ep, opts, failure);
        if (!s) co_return TransactionResult{};
        std::vector<std::string> rcpts = {"b@remote.test"};
        auto r = co_await s->send("a@hosted.test", rcpts, kMessage);
        co_await s->quit();
        co_return r;
      });
  ASSERT_EQ(result.recipients.size(), 1u);
  EXPECT_EQ(result.recipients[0].state, RecipientState::kDelivered);
  auto cmds = server.commands();
  EXPECT_NE(std::find(cmds.begin(), cmds.end(), "STARTTLS"), cmds.end());
}

TEST(SmtpClientTest, ConnectFailureIsReported) {
  uint16_t port;
  {
    FakeSmtpServer closed;
    port = closed.port();
  }
  auto failed = runCoro<bool>([&](net::asio::any_io_executor ex) -> net::awaitable<bool> {
    SmtpReply failure;
    ClientOptions opts;
    auto ep = local(port);
    auto s = co_await SmtpSession::open(ex, ep, opts, failure);
    co_return !s && failure.code == 0;
  });
  EXPECT_TRUE(failed);
}

TEST(MxRouteTest, PreferenceOrderImplicitMxAndNullMx) {
  FakeResolver r;
  r.mxs["multi.test"] = {LookupStatus::kOk, {{20, "mx2.multi.test"}, {10, "mx1.multi.test"}}};
  r.as["mx1.multi.test"] = {LookupStatus::kOk, {"192.0.2.1"}};
  r.as["mx2.multi.test"] = {LookupStatus::kOk, {"192.0.2.2"}};
  auto route = resolveRoute(r, "multi.test", "", 2525);
  ASSERT_EQ(route.kind, Route::Kind::kOk);
  ASSERT_EQ(route.hosts.size(), 2u);
  EXPECT_EQ(route.hosts[0].name, "mx1.multi.test");
  EXPECT_EQ(route.hosts[0].port, 2525);
  r.mxs["nomx.test"] = {LookupStatus::kNoData, {}};
  r.as["nomx.test"] = {LookupStatus::kOk, {"192.0.2.3"}};
  route = resolveRoute(r, "nomx.test", "", 25);
  ASSERT_EQ(route.kind, Route::Kind::kOk);
  EXPECT_EQ(route.hosts[0].addresses, std::vector<std::string>{"192.0.2.3"});
  r.mxs["null.test"] = {LookupStatus::kOk, {{0, ""}}};
  EXPECT_EQ(resolveRoute(r, "null.test", "", 25).kind, Route::Kind::kPermanent);
  EXPECT_EQ(resolveRoute(r, "nowhere.test", "", 25).kind, Route::Kind::kPermanent);
  r.mxs["tempfail.test"] = {LookupStatus::kTempFail, {}};
  EXPECT_EQ(resolveRoute(r, "tempfail.test", "", 25).kind, Route::Kind::kTemporary);
  route = resolveRoute(r, "anything.test", "127.0.0.1:2626", 25);
  ASSERT_EQ(route.kind, Route::Kind::kOk);
  EXPECT_EQ(route.hosts[0].port, 2626);
  EXPECT_EQ(route.hosts[0].addresses, std::vector<std::string>{"127.0.0.1"});
}

class DeliveryEngineTest : public core::testing::MailDbTest {
 protected:
  void SetUp() override {
    MailDbTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    resolver_.mxs["remote.test"] = {LookupStatus::kOk, {{10, "mx.remote.test"}}};
    resolver_.as["mx.remote.test"] = {LookupStatus::kOk, {"127.0.0.1"}};
    store_ = std::make_unique<core::MailStore>(*ctx_, *blobs_);
    runtime_ = std::make_unique<net::Runtime>(1, 2);
    runtime_->start();
  }
  void TearDown() override {
    if (engine_) engine_->stop();
    engine_.reset();
    if (runtime_) runtime_->stop();
    MailDbTest::TearDown();
  }
  void startEngine(uint16_t port, size_t concurrency = 4, int64_t first_retry = 0) {
    DeliveryOptions o;
    o.port = port;
    o.first_retry_seconds = first_retry;  // 0: the retry is due at once (schedule: core tests)
    o.concurrency = concurrency;
    o.poll = std::chrono::milliseconds(20);
    engine_ = std::make_unique<DeliveryEngine>(
        *runtime_, o, *ctx_, *store_, resolver_,
        [this](const std::string& a) -> std::optional<std::string> {
          return a == "alice@hosted.test" ? std::optional<std::string>(alice_) : std::nullopt;
        });
    engine_->start();
  }
  std::string queue(std::vector<std::string> rcpts, const std::string& from = "alice@hosted.test") {
    core::AcceptedMessage m;
    m.content = kMessage;
    m.envelope_from = from;
    m.remote_recipients = std::move(rcpts);
    if (!alice_.empty()) m.sender_mailbox_id = alice_;
    auto id = store_->accept(m);
    EXPECT_TRUE(id.ok());
    return id.ok() ? *id : "";
  }
  // Waits (bounded) until the queue is empty.
  bool drained() {
    for (int i = 0; i < 500; ++i) {
      if (count("SELECT COUNT(*) FROM mail_queue") == 0) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
  FakeResolver resolver_;
  std::unique_ptr<core::MailStore> store_;
  std::unique_ptr<net::Runtime> runtime_;
  std::unique_ptr<DeliveryEngine> engine_;
  std::string alice_;
};

TEST_P(DeliveryEngineTest, TemporaryFailureThenDeliveredOnce) {
  FakeSmtpServer server;
  server.data_replies = {"451 4.3.0 try again\r\n"};
  server.start();
  queue({"bob@remote.test"});
  startEngine(server.port());
  ASSERT_TRUE(drained());
  ASSERT_EQ(server.received().size(), 1u);  // the 451 attempt did not count as a delivery
  EXPECT_EQ(server.received()[0].rcpts, std::vector<std::string>{"bob@remote.test"});
  EXPECT_EQ(server.received()[0].data, kMessage);
  auto stats = engine_->stats();
  EXPECT_EQ(stats.delivered, 1);
  EXPECT_EQ(stats.deferred, 1);
}

TEST_P(DeliveryEngineTest, PermanentFailureBouncesIntoHostedSendersInbox) {
  alice_ = makeMailbox("alice");
  FakeSmtpServer server;
  server.rcpt_replies["gone@remote.test"] = "550 5.1.1 no such user\r\n";
  server.start();
  queue({"gone@remote.test", "bob@remote.test"});
  startEngine(server.port());
  ASSERT_TRUE(drained());
  ASSERT_EQ(server.received().size(), 1u);
  EXPECT_EQ(server.received()[0].rcpts, std::vector<std::string>{"bob@remote.test"});
  // The DSN went into alice's INBOX and counts as a bounce.
  EXPECT_EQ(count("SELECT COUNT(*) FROM mail_messages m JOIN mail_folders f ON f.id = "
                  "m.folder_id WHERE f.mailbox_id = ? AND f.name = 'INBOX'",
                  {alice_}),
            1);
  EXPECT_EQ(store_->counters(alice_, clock_.nowSeconds())->bounced_today, 1);
  auto blob = db_->read<std::string>([](store::Tx& tx) -> Result<std::string> {
    MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT blob_id FROM mail_messages"));
    return row->text(0);
  });
  ASSERT_TRUE(blob.ok());
  auto dsn = blobs_->get(*blob);
  ASSERT_TRUE(dsn.ok());
  EXPECT_NE(dsn->find("Final-Recipient: rfc822; gone@remote.test"), std::string::npos);
  EXPECT_NE(dsn->find("Status: 5.1.1"), std::string::npos);
  EXPECT_EQ(dsn->find("bob@remote.test>:"), std::string::npos);
}

TEST_P(DeliveryEngineTest, NullMxBouncesWithoutConnectingAndNullSenderGetsNoDsn) {
  resolver_.mxs["nullmx.test"] = {LookupStatus::kOk, {{0, ""}}};
  FakeSmtpServer server;
  server.start();
  queue({"x@nullmx.test"}, "");  // a bounce: never bounced again
  startEngine(server.port());
  ASSERT_TRUE(drained());
  EXPECT_EQ(server.connections(), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM mail_messages"), 0);
  EXPECT_EQ(engine_->stats().bounced, 1);
}

TEST_P(DeliveryEngineTest, ReusesTheConnectionForTheSameDomain) {
  FakeSmtpServer server;
  server.start();
  queue({"one@remote.test"});
  queue({"two@remote.test"});
  queue({"three@remote.test"});
  startEngine(server.port(), 1);
  ASSERT_TRUE(drained());
  EXPECT_EQ(server.received().size(), 3u);
  EXPECT_EQ(server.connections(), 1);
}

TEST_P(DeliveryEngineTest, EntriesLeftDeliveringByACrashAreRetriedOnStart) {
  FakeSmtpServer server;
  server.start();
  queue({"bob@remote.test"});
  core::MailQueue q(*ctx_);
  ASSERT_EQ(q.claimDue(10, 3600)->size(), 1u);  // "crashed" while delivering
  startEngine(server.port());
  ASSERT_TRUE(drained());
  EXPECT_EQ(server.received().size(), 1u);
}

TEST_P(DeliveryEngineTest, ConnectionRefusedDefersWithError) {
  uint16_t port;
  {
    FakeSmtpServer closed;
    port = closed.port();
  }
  queue({"bob@remote.test"});
  startEngine(port, 4, 60);
  for (int i = 0; i < 500 && engine_->stats().deferred == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  engine_->stop();
  core::MailQueue q(*ctx_);
  auto page = q.list({}, {});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->data.size(), 1u);
  EXPECT_GE(page->data[0]["attempts"].get<int64_t>(), 1);
  EXPECT_NE(page->data[0]["last_error"].get<std::string>().find("connect"), std::string::npos);
}

TEST_P(DeliveryEngineTest, FailedTlsHandshakeRetriesInPlainText) {
  FakeSmtpServer server;
  server.ehlo = "250-fake.test\r\n250 STARTTLS\r\n";
  server.starttls_reply = "220 2.0.0 go ahead\r\n";
  server.start();
  queue({"bob@remote.test"});
  startEngine(server.port());
  ASSERT_TRUE(drained());
  EXPECT_EQ(server.received().size(), 1u);
  EXPECT_EQ(server.connections(), 2);  // the TLS attempt, then plain text (RFC 7435)
}

TEST_P(DeliveryEngineTest, ExpiredEntryBouncesWithTheLastError) {
  alice_ = makeMailbox("alice");
  queue({"bob@remote.test"});
  {
    core::MailQueue q(*ctx_);
    auto due = q.claimDue(1);
    ASSERT_EQ(due->size(), 1u);
    ASSERT_TRUE(q.defer((*due)[0].id, "451 4.2.2 mailbox full").ok());
  }
  clock_.advanceSeconds(6 * 86400);  // past the 5-day maximum age
  FakeSmtpServer server;
  server.start();
  startEngine(server.port());
  ASSERT_TRUE(drained());
  EXPECT_EQ(server.connections(), 0);
  auto blob = db_->read<std::string>([](store::Tx& tx) -> Result<std::string> {
    MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT blob_id FROM mail_messages"));
    if (!row) return Error::notFound("dsn");
    return row->text(0);
  });
  ASSERT_TRUE(blob.ok());
  auto dsn = blobs_->get(*blob);
  ASSERT_TRUE(dsn.ok());
  EXPECT_NE(dsn->find("Status: 5.4.7"), std::string::npos);  // RFC 3463: delivery time expired
  EXPECT_NE(dsn->find("mailbox full"), std::string::npos);
  EXPECT_EQ(store_->counters(alice_, clock_.nowSeconds())->bounced_today, 1);
}

INSTANTIATE_TEST_SUITE_P(Engines, DeliveryEngineTest, ::testing::Values("sqlite", "postgres"));

}  // namespace
}  // namespace mailjuke::delivery
