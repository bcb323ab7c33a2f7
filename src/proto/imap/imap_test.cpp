#include <gtest/gtest.h>

#include "proto/imap/command.h"
#include "proto/imap/reader.h"
#include "proto/imap/writer.h"

namespace mailjuke::imap {
namespace {

using Event = CommandReader::Event;

TEST(ImapReader, FramesPipelinedCommandsAndLiterals) {
  CommandReader r;
  r.feed("a1 NOOP\r\na2 LOGIN {5}\r\n");
  EXPECT_EQ(r.next(), Event::kCommand);
  EXPECT_EQ(r.command(), "a1 NOOP");
  EXPECT_EQ(r.next(), Event::kContinue);  // synchronising literal: send "+"
  r.feed("alice {3+}\r\npw");
  EXPECT_EQ(r.next(), Event::kNeedMore);
  r.feed("d\r\na3 LOGOUT\r\n");
  EXPECT_EQ(r.next(), Event::kCommand);
  EXPECT_EQ(r.command(), "a2 LOGIN {5}\r\nalice {3+}\r\npwd");
  EXPECT_EQ(r.next(), Event::kCommand);
  EXPECT_EQ(r.command(), "a3 LOGOUT");
  EXPECT_EQ(r.next(), Event::kNeedMore);
}

TEST(ImapReader, LiteralMayContainCrLfAndBraces) {
  CommandReader r;
  r.feed("a APPEND INBOX {12+}\r\nx {3}\r\ny\r\n\r\n\r\n");
  EXPECT_EQ(r.next(), Event::kCommand);
  EXPECT_EQ(r.command(), "a APPEND INBOX {12+}\r\nx {3}\r\ny\r\n\r\n");
}

TEST(ImapReader, RefusesOverLimitsAndStaysInSync) {
  CommandReader r({.max_line = 100, .max_literal = 10, .max_command = 1000});
  r.feed("a APPEND INBOX {50}\r\nb NOOP\r\n");
  EXPECT_EQ(r.next(), Event::kTooLong);  // never sent: the client waits for "+"
  EXPECT_EQ(r.next(), Event::kCommand);
  EXPECT_EQ(r.command(), "b NOOP");
  r.feed("c APPEND INBOX {20+}\r\n01234567890123456789 more\r\nd NOOP\r\n");
  EXPECT_EQ(r.next(), Event::kTooLong);  // non-synchronising: skipped, not interpreted
  EXPECT_EQ(r.next(), Event::kCommand);
  EXPECT_EQ(r.command(), "d NOOP");
  r.feed(std::string(300, 'x'));
  EXPECT_EQ(r.next(), Event::kTooLong);
  r.feed(std::string(300, 'x') + "\r\ne NOOP\r\n");
  EXPECT_EQ(r.next(), Event::kCommand);
  EXPECT_EQ(r.command(), "e NOOP");
}

TEST(ImapReader, BufferedInputCanBeDiscardedForStartTls) {
  CommandReader r;
  r.feed("a STARTTLS\r\nb LOGIN x y\r\n");
  EXPECT_EQ(r.next(), Event::kCommand);
  EXPECT_GT(r.buffered(), 0u);
  r.discardBuffered();
  EXPECT_EQ(r.next(), Event::kNeedMore);
}

TEST(ImapCommand, ParsesTagNameUidAndTokens) {
  auto c =
      parseCommand("A003 uid fetch 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (From Subject)]<0.512> UID)");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->tag, "A003");
  EXPECT_EQ(c->name, "FETCH");
  EXPECT_TRUE(c->uid);
  ASSERT_EQ(c->args.size(), 2u);
  EXPECT_EQ(c->args[0].text, "1:*");
  ASSERT_EQ(c->args[1].kind, Token::Kind::kList);
  ASSERT_EQ(c->args[1].items.size(), 3u);
  EXPECT_EQ(c->args[1].items[1].text, "BODY.PEEK[HEADER.FIELDS (From Subject)]<0.512>");
}

TEST(ImapCommand, StringsLiteralsAndNil) {
  auto c = parseCommand("t LOGIN \"al\\\"ice\" {4}\r\np w\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->args[0].text, "al\"ice");
  EXPECT_EQ(c->args[1].text, "p w\n");
  EXPECT_TRUE(c->args[1].literal);
  auto n = parseCommand("t X nil");
  ASSERT_TRUE(n.ok());
  EXPECT_TRUE(n->args[0].isNil());
}

TEST(ImapCommand, RejectsMalformed) {
  for (const char* bad : {"", "tag", "t+ NOOP", "t LOGIN \"unterminated", "t X (a (b)",
                          "t X {5}\r\nab", "t X a[b", "t X \"bad\\q\"", "t X {3}x"}) {
    auto c = parseCommand(bad);
    EXPECT_FALSE(c.ok()) << bad;
  }
  std::string deep = "t SEARCH ";
  for (int i = 0; i < 100; ++i) deep += "(";
  EXPECT_FALSE(parseCommand(deep).ok());
}

TEST(ImapCommand, SequenceSets) {
  auto s = parseSequenceSet("1:4,7,9:*");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(inSequenceSet(*s, 3, 20));
  EXPECT_FALSE(inSequenceSet(*s, 5, 20));
  EXPECT_TRUE(inSequenceSet(*s, 20, 20));
  auto rev = parseSequenceSet("*:5");
  ASSERT_TRUE(rev.ok());
  EXPECT_TRUE(inSequenceSet(*rev, 6, 8));
  for (const char* bad : {"", "0", "1:", ",1", "1,,2", "a", "4294967296", "01"})
    EXPECT_FALSE(parseSequenceSet(bad).ok()) << bad;
}

TEST(ImapCommand, FlagsAndDates) {
  auto c = parseCommand("t STORE 1 +FLAGS (\\Seen $Forwarded)");
  ASSERT_TRUE(c.ok());
  auto flags = parseFlagList(c->args[2]);
  ASSERT_TRUE(flags.ok());
  EXPECT_EQ(*flags, (std::vector<std::string>{"\\Seen", "$Forwarded"}));
  auto t = parseDateTime("17-Jul-1996 02:44:25 -0700");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(formatDateTime(*t), "17-Jul-1996 09:44:25 +0000");
  EXPECT_TRUE(parseDateTime(" 1-Feb-2026 00:00:00 +0000").ok());
  EXPECT_FALSE(parseDateTime("17-Foo-1996 02:44:25 -0700").ok());
  auto d = parseDate("1-Feb-1994");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, 760060800);
  EXPECT_FALSE(parseDate("1-Feb-1994x").ok());
}

TEST(ImapWriter, StringsChooseTheSafeForm) {
  std::string out;
  appendString(out, "a \"b\"");
  EXPECT_EQ(out, "\"a \\\"b\\\"\"");
  out.clear();
  appendString(out, "two\r\nlines");
  EXPECT_EQ(out, "{10}\r\ntwo\r\nlines");
  out.clear();
  appendAString(out, "INBOX");
  appendNString(out, std::nullopt);
  EXPECT_EQ(out, "INBOXNIL");
  out.clear();
  appendFlagList(out, {"\\Seen", "\\Answered"});
  EXPECT_EQ(out, "(\\Seen \\Answered)");
}

TEST(ImapWriter, ModifiedUtf7RoundTrip) {
  // RFC 3501 §5.1.3 example.
  EXPECT_EQ(encodeMailboxName("~peter/mail/台北/日本語"), "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
  EXPECT_EQ(decodeMailboxName("~peter/mail/&U,BTFw-/&ZeVnLIqe-"), "~peter/mail/台北/日本語");
  EXPECT_EQ(encodeMailboxName("A&B"), "A&-B");
  EXPECT_EQ(decodeMailboxName("A&-B"), "A&B");
  EXPECT_EQ(decodeMailboxName(encodeMailboxName("Entwürfe 😀")), "Entwürfe 😀");
  EXPECT_FALSE(decodeMailboxName("&Jjo").has_value());
  EXPECT_FALSE(decodeMailboxName("&AGE-").has_value());  // 'a' must not be encoded
}

}  // namespace
}  // namespace mailjuke::imap
