#include <gtest/gtest.h>

#include "proto/smtp/command.h"
#include "proto/smtp/data_reader.h"

namespace mailjuke::smtp {
namespace {

TEST(SmtpCommand, ParsesVerbsPathsAndParams) {
  auto m = parseCommand("mail FROM:<Alice.Smith@Example.com> SIZE=1000 body=8BITMIME");
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->verb, Verb::kMail);
  EXPECT_EQ(m->path.local, "Alice.Smith");
  EXPECT_EQ(m->path.domain, "Example.com");
  EXPECT_EQ(m->params.at("SIZE"), "1000");
  EXPECT_EQ(m->params.at("BODY"), "8BITMIME");
  auto null = parseCommand("MAIL FROM:<>");
  ASSERT_TRUE(null.ok());
  EXPECT_TRUE(null->path.null());
  auto q = parseCommand("RCPT TO:<\"john \\\"doe\\\"\"@[192.0.2.1]>");
  ASSERT_TRUE(q.ok()) << q.error().message;
  EXPECT_EQ(q->path.local, "john \"doe\"");
  EXPECT_EQ(q->path.domain, "[192.0.2.1]");
  auto route = parseCommand("RCPT TO:<@relay.example:bob@example.org>");
  ASSERT_TRUE(route.ok());
  EXPECT_EQ(route->path.text(), "bob@example.org");
  auto utf8 = parseCommand("RCPT TO:<пример@例え.jp>");
  ASSERT_TRUE(utf8.ok());
  EXPECT_TRUE(utf8->path.utf8);
  EXPECT_EQ(parseCommand("EHLO client.example")->argument, "client.example");
  EXPECT_EQ(parseCommand("AUTH PLAIN dGVzdA==")->argument, "PLAIN dGVzdA==");
  EXPECT_EQ(parseCommand("quit")->verb, Verb::kQuit);
}

TEST(SmtpCommand, RejectsBadInputWithTheRightClass) {
  EXPECT_EQ(parseCommand("FOO bar").error().code, ErrorCode::kMalformed);
  EXPECT_EQ(parseCommand(std::string(600, 'A')).error().code, ErrorCode::kTooLarge);
  EXPECT_EQ(parseCommand("MAIL FROM:a@b.com").error().code, ErrorCode::kInvalid);
  EXPECT_EQ(parseCommand("RCPT TO:<>").error().code, ErrorCode::kInvalid);
  EXPECT_EQ(parseCommand("RCPT TO:<a..b@x.com>").error().code, ErrorCode::kInvalid);
  EXPECT_EQ(parseCommand("RCPT TO:<" + std::string(65, 'a') + "@x.com>").error().code,
            ErrorCode::kInvalid);
  EXPECT_EQ(parseCommand("MAIL FROM:<a@b.com> SIZE=1 SIZE=2").error().code, ErrorCode::kInvalid);
  EXPECT_EQ(parseCommand("EHLO").error().code, ErrorCode::kInvalid);
  EXPECT_EQ(parseCommand("DATA now").error().code, ErrorCode::kInvalid);
  EXPECT_EQ(parseCommand(std::string("NOOP \0", 6)).error().code, ErrorCode::kMalformed);
}

TEST(SmtpData, UnstuffsAndStopsOnlyAtCrlfDotCrlf) {
  DataReader r(1 << 20);
  std::string in = "Subject: hi\r\n\r\n..leading dot\r\nbare lf\n.\nstill data\r\n.\r\nQUIT\r\n";
  size_t used = r.feed(in.substr(0, 10));
  used += r.feed(in.substr(10));
  ASSERT_TRUE(r.done());
  EXPECT_EQ(in.substr(used), "QUIT\r\n");
  EXPECT_EQ(r.message(), "Subject: hi\r\n\r\n.leading dot\r\nbare lf\r\n\r\nstill data\r\n");
  EXPECT_TRUE(r.sawBareLf());
}

TEST(SmtpData, LimitsAndDotStuffRoundTrip) {
  DataReader small(10);
  small.feed("0123456789abcdef\r\n.\r\n");
  EXPECT_TRUE(small.done());
  EXPECT_TRUE(small.tooLarge());
  DataReader longline(1 << 20);
  longline.feed(std::string(1200, 'x') + "\r\n.\r\n");
  EXPECT_TRUE(longline.sawLongLine());
  std::string msg = "a\r\n.b\r\n.\r\nc";
  DataReader back(1 << 20);
  back.feed(dotStuff(msg));
  EXPECT_TRUE(back.done());
  EXPECT_EQ(back.message(), "a\r\n.b\r\n.\r\nc\r\n");
}

}  // namespace
}  // namespace mailjuke::smtp
