// \Recent (RFC 3501 §2.3.2), the SENT* search keys and RFC 2047-decoded header search, and the
// per-user connection cap at login, on the session with a fake backend.
#include <gtest/gtest.h>

#include "server/imap/fake_backend.h"
#include "server/imap/imap_session.h"

namespace mailjuke::imap {
namespace {

std::string message(const std::string& headers, const std::string& body = "hello\r\n") {
  return headers + "\r\n" + body;
}

class ImapRecentTest : public ::testing::Test {
 protected:
  ImapRecentTest() { backend_.recent_from_start = true; }
  std::string run(ImapSession& s, std::string_view input) {
    s.feed(input);
    std::string out;
    for (int guard = 0; guard < 1000; ++guard) {
      auto step = s.process();
      out += s.takeOutput();
      if (step == ImapSession::Step::kBlocking) {
        s.runBlocking();
        continue;
      }
      break;
    }
    return out;
  }
  std::unique_ptr<ImapSession> loggedIn(SessionOptions o = {}) {
    o.tls_active = true;
    auto s = std::make_unique<ImapSession>(o, backend_);
    s->greet();
    s->takeOutput();
    EXPECT_NE(run(*s, "a LOGIN user@hosted.test secret\r\n").find("a OK"), std::string::npos);
    return s;
  }
  testing::FakeBackend backend_;
};

TEST_F(ImapRecentTest, FirstSelectOwnsRecentAndExamineLeavesIt) {
  backend_.add("f_inbox", message("Subject: one\r\n"));
  backend_.add("f_inbox", message("Subject: two\r\n"), {"\\Seen"});
  // EXAMINE shows both as recent but takes nothing.
  auto c = loggedIn();
  EXPECT_NE(run(*c, "b EXAMINE INBOX\r\n").find("* 2 RECENT\r\n"), std::string::npos);
  EXPECT_NE(run(*c, "c EXAMINE INBOX\r\n").find("* 2 RECENT\r\n"), std::string::npos);
  // The first SELECT owns them: RECENT, \Recent in FETCH FLAGS, SEARCH RECENT/NEW/OLD.
  auto a = loggedIn();
  std::string out = run(*a, "b SELECT INBOX\r\nc FETCH 1:2 FLAGS\r\n");
  EXPECT_NE(out.find("* 2 RECENT\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("* 1 FETCH (FLAGS (\\Recent))"), std::string::npos) << out;
  EXPECT_NE(out.find("* 2 FETCH (FLAGS (\\Seen \\Recent))"), std::string::npos) << out;
  out = run(*a, "d SEARCH RECENT\r\ne SEARCH NEW\r\nf SEARCH OLD\r\n");
  EXPECT_NE(out.find("* SEARCH 1 2\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("* SEARCH 1\r\n"), std::string::npos) << out;  // NEW = RECENT UNSEEN
  EXPECT_NE(out.find("* SEARCH\r\n"), std::string::npos) << out;    // OLD: none
  // Another session now sees none as recent, with SELECT or EXAMINE.
  auto b = loggedIn();
  out = run(*b, "b SELECT INBOX\r\nc SEARCH RECENT\r\nd FETCH 1 FLAGS\r\n");
  EXPECT_NE(out.find("* 0 RECENT\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("* SEARCH\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("* 1 FETCH (FLAGS ())"), std::string::npos) << out;
  // A new arrival is recent in the first session to see it (b's NOOP), not in a's.
  backend_.add("f_inbox", message("Subject: three\r\n"));
  out = run(*b, "e NOOP\r\n");
  EXPECT_NE(out.find("* 3 EXISTS\r\n* 1 RECENT\r\n"), std::string::npos) << out;
  out = run(*a, "g NOOP\r\n");
  EXPECT_NE(out.find("* 3 EXISTS\r\n* 2 RECENT\r\n"), std::string::npos) << out;
  EXPECT_NE(run(*a, "h SEARCH RECENT\r\n").find("* SEARCH 1 2\r\n"), std::string::npos);
  EXPECT_NE(run(*b, "f SEARCH RECENT\r\n").find("* SEARCH 3\r\n"), std::string::npos);
  // \Recent cannot be stored by a client.
  out = run(*b, "g STORE 3 +FLAGS (\\Recent \\Flagged)\r\n");
  EXPECT_NE(out.find("* 3 FETCH (FLAGS (\\Flagged \\Recent))"), std::string::npos) << out;
}

TEST_F(ImapRecentTest, Rev2HasNoRecent) {
  backend_.add("f_inbox", message("Subject: one\r\n"));
  auto a = loggedIn();
  std::string out = run(*a, "b ENABLE IMAP4rev2\r\nc SELECT INBOX\r\nd FETCH 1 FLAGS\r\n");
  EXPECT_EQ(out.find("RECENT"), std::string::npos) << out;
  EXPECT_EQ(out.find("\\Recent"), std::string::npos) << out;
  EXPECT_NE(out.find("* 1 FETCH (FLAGS ())"), std::string::npos) << out;
  out = run(*a, "e SEARCH RECENT\r\n");
  EXPECT_NE(out.find("* ESEARCH (TAG \"e\")\r\n"), std::string::npos) << out;
  backend_.add("f_inbox", message("Subject: two\r\n"));
  out = run(*a, "f NOOP\r\n");
  EXPECT_NE(out.find("* 2 EXISTS\r\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("RECENT"), std::string::npos) << out;
}

TEST_F(ImapRecentTest, SentDatesAndEncodedWords) {
  // 23:30 on 1 Dec in UTC-5 is 2 Dec in UTC: SENTON compares the day as written.
  backend_.add("f_inbox", message("From: =?iso-8859-1?q?J=F6rg?= <j@remote.test>\r\n"
                                  "Subject: =?utf-8?b?R3LDvMOfZQ==?=\r\n"
                                  "Date: Mon, 1 Dec 2025 23:30:00 -0500\r\n"));
  backend_.add("f_inbox", message("From: ann@remote.test\r\nSubject: plain\r\n"
                                  "Date: Wed, 10 Dec 2025 08:00:00 +0000\r\n"));
  backend_.add("f_inbox", message("From: nodate@remote.test\r\n"), {}, 1767225600);  // 1 Jan 26
  auto a = loggedIn();
  run(*a, "b SELECT INBOX\r\n");
  struct Case {
    const char* keys;
    const char* want;
  } cases[] = {
      {"SENTON 1-Dec-2025", "* SEARCH 1\r\n"},
      {"SENTON 2-Dec-2025", "* SEARCH\r\n"},
      {"SENTBEFORE 10-Dec-2025", "* SEARCH 1\r\n"},
      {"SENTSINCE 10-Dec-2025", "* SEARCH 2 3\r\n"},  // 3: no Date:, the internal date
      {"SENTSINCE 2-Jan-2026", "* SEARCH\r\n"},
      {"NOT SENTON 10-Dec-2025", "* SEARCH 1 3\r\n"},
      {"FROM j\xC3\xB6rg", "* SEARCH 1\r\n"},
      {"SUBJECT gr\xC3\xBC\xC3\x9F"
       "e",
       "* SEARCH 1\r\n"},
      {"SUBJECT R3LDvMOfZQ", "* SEARCH 1\r\n"},  // the raw text still matches
      {"HEADER Subject plain", "* SEARCH 2\r\n"},
      {"FROM zzz", "* SEARCH\r\n"},
  };
  for (const auto& c : cases) {
    std::string out = run(*a, std::string("s SEARCH CHARSET UTF-8 ") + c.keys + "\r\n");
    EXPECT_NE(out.find(c.want), std::string::npos) << c.keys << "\n" << out;
    EXPECT_NE(out.find("s OK"), std::string::npos) << c.keys << "\n" << out;
  }
  // Entirely without a cache row (stored before the cache): the Date: of the header block.
  backend_.cache_structures = false;
  backend_.add("f_inbox", message("Date: Tue, 2 Dec 2025 01:00:00 +0100\r\n"));
  std::string out = run(*a, "t NOOP\r\nu SEARCH SENTON 2-Dec-2025\r\n");
  EXPECT_NE(out.find("* SEARCH 4\r\n"), std::string::npos) << out;
  EXPECT_NE(run(*a, "v SEARCH SENTON 2-Foo-2025\r\n").find("v BAD"), std::string::npos);
}

TEST_F(ImapRecentTest, PerUserCapRefusesLogin) {
  int open = 0;
  SessionOptions o;
  o.user_slot = [&open](const std::string& id) -> std::shared_ptr<void> {
    EXPECT_EQ(id, "mbx_user");
    if (open >= 1) return nullptr;
    ++open;
    return std::shared_ptr<int>(new int(0), [&open](int* p) { --open, delete p; });
  };
  o.tls_active = true;
  auto first = std::make_unique<ImapSession>(o, backend_);
  EXPECT_NE(run(*first, "a LOGIN user@hosted.test secret\r\n").find("a OK"), std::string::npos);
  auto second = std::make_unique<ImapSession>(o, backend_);
  std::string out = run(*second, "a LOGIN user@hosted.test secret\r\nb SELECT INBOX\r\n");
  EXPECT_NE(out.find("a NO [LIMIT]"), std::string::npos) << out;
  EXPECT_NE(out.find("b BAD"), std::string::npos) << out;  // still not logged in
  first.reset();                                           // the slot is released with the session
  EXPECT_NE(run(*second, "c LOGIN user@hosted.test secret\r\n").find("c OK"), std::string::npos);
}

}  // namespace
}  // namespace mailjuke::imap
