#include "server/imap/imap_session.h"

#include <gtest/gtest.h>

#include "proto/mime/structure_json.h"
#include "server/imap/fake_backend.h"
#include "server/imap/fetch_items.h"

namespace mailjuke::imap {
namespace {

const char* kPlainMessage =
    "From: Ann <ann@remote.test>\r\n"
    "To: user@hosted.test\r\n"
    "Subject: Hello there\r\n"
    "Date: Mon, 1 Dec 2025 10:00:00 +0000\r\n"
    "Message-ID: <m1@remote.test>\r\n"
    "\r\n"
    "line one\r\nline two\r\n";

const char* kMultipart =
    "From: bob@remote.test\r\n"
    "Subject: Report\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
    "\r\n"
    "--b1\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "Hello\r\n"
    "--b1\r\n"
    "Content-Type: application/pdf\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "JVBERi0xLjQK\r\n"
    "--b1--\r\n";

class ImapSessionTest : public ::testing::Test {
 protected:
  ImapSession make(bool tls = true) {
    SessionOptions o;
    o.hostname = "mail.test";
    o.tls_active = tls;
    return ImapSession(o, backend_);
  }
  // Feeds `input` and drives the session like the server does; returns what it wrote.
  std::string run(ImapSession& s, std::string_view input, bool* started_tls = nullptr) {
    s.feed(input);
    std::string out;
    for (int guard = 0; guard < 1000; ++guard) {
      auto step = s.process();
      out += s.takeOutput();
      if (step == ImapSession::Step::kBlocking) {
        s.runBlocking();
        continue;
      }
      if (step == ImapSession::Step::kStartTls) {
        if (started_tls) *started_tls = true;
        s.tlsEstablished();
        continue;
      }
      break;
    }
    return out;
  }
  ImapSession loggedIn() {
    auto s = make();
    s.greet();
    s.takeOutput();
    EXPECT_NE(run(s, "a LOGIN user@hosted.test secret\r\n").find("a OK"), std::string::npos);
    return s;
  }
  testing::FakeBackend backend_;
};

TEST_F(ImapSessionTest, GreetingCapabilitiesAndLoginDisabledBeforeTls) {
  auto s = make(false);
  s.greet();
  std::string greeting = s.takeOutput();
  EXPECT_NE(greeting.find("* OK [CAPABILITY IMAP4rev1"), std::string::npos);
  EXPECT_NE(greeting.find("STARTTLS"), std::string::npos);
  EXPECT_NE(greeting.find("LOGINDISABLED"), std::string::npos);
  EXPECT_EQ(greeting.find("AUTH=PLAIN"), std::string::npos);
  std::string out = run(s, "a LOGIN user@hosted.test secret\r\nb SELECT INBOX\r\n");
  EXPECT_NE(out.find("a NO [PRIVACYREQUIRED]"), std::string::npos);
  EXPECT_NE(out.find("b BAD Log in first"), std::string::npos);
  bool started = false;
  out = run(s, "c STARTTLS\r\n", &started);
  EXPECT_TRUE(started);
  EXPECT_NE(out.find("c OK Begin TLS"), std::string::npos);
  EXPECT_TRUE(s.tls());
  out = run(s, "d CAPABILITY\r\n");
  EXPECT_NE(out.find("AUTH=PLAIN"), std::string::npos);
  EXPECT_EQ(out.find("STARTTLS"), std::string::npos);
  EXPECT_NE(out.find("d OK"), std::string::npos);
  out = run(s, "e LOGIN user@hosted.test secret\r\n");
  EXPECT_NE(out.find("e OK [CAPABILITY"), std::string::npos);
  EXPECT_EQ(s.state(), ImapSession::State::kAuthenticated);
}

TEST_F(ImapSessionTest, LoginFailuresAndAuthenticatePlain) {
  auto s = make();
  EXPECT_NE(run(s, "a LOGIN user@hosted.test wrong\r\n").find("a NO [AUTHENTICATIONFAILED]"),
            std::string::npos);
  EXPECT_NE(run(s, "b LOGIN frozen@hosted.test secret\r\n").find("b NO [CONTACTADMIN]"),
            std::string::npos);
  EXPECT_NE(run(s, "c AUTHENTICATE CRAM-MD5\r\n").find("c NO [CANNOT]"), std::string::npos);
  // SASL-IR (RFC 4959): "\0user@hosted.test\0secret".
  std::string out = run(s, "d AUTHENTICATE PLAIN AHVzZXJAaG9zdGVkLnRlc3QAc2VjcmV0\r\n");
  EXPECT_NE(out.find("d OK"), std::string::npos) << out;
  auto t = make();
  EXPECT_EQ(run(t, "e AUTHENTICATE PLAIN\r\n"), "+ \r\n");
  EXPECT_NE(run(t, "AHVzZXJAaG9zdGVkLnRlc3QAc2VjcmV0\r\n").find("e OK"), std::string::npos);
  auto u = make();
  run(u, "f AUTHENTICATE PLAIN\r\n");
  EXPECT_NE(run(u, "*\r\n").find("f BAD"), std::string::npos);
  EXPECT_EQ(u.state(), ImapSession::State::kNotAuthenticated);
}

TEST_F(ImapSessionTest, SimpleCommandsAndLogout) {
  auto s = loggedIn();
  std::string out = run(s,
                        "a NOOP\r\nb ID (\"name\" \"imaplib\")\r\nc NAMESPACE\r\nd ENABLE "
                        "CONDSTORE\r\ne BOGUS\r\n");
  EXPECT_NE(out.find("a OK NOOP"), std::string::npos);
  EXPECT_NE(out.find("* ID (\"name\" \"MailJuke\""), std::string::npos);
  EXPECT_NE(out.find("* NAMESPACE ((\"\" \"/\")) NIL NIL"), std::string::npos);
  EXPECT_NE(out.find("* ENABLED CONDSTORE\r\nd OK"), std::string::npos);
  EXPECT_NE(out.find("e BAD Unknown command"), std::string::npos);
  out = run(s, "z LOGOUT\r\n");
  EXPECT_EQ(out, "* BYE Logging out\r\nz OK LOGOUT completed\r\n");
  EXPECT_TRUE(s.closing());
}

TEST_F(ImapSessionTest, ListLsubAndStatus) {
  backend_.add("f_inbox", kPlainMessage);
  backend_.add("f_inbox", kPlainMessage, {"\\Seen"});
  auto s = loggedIn();
  std::string out = run(s, "a LIST \"\" \"*\"\r\n");
  EXPECT_NE(out.find("* LIST (\\HasNoChildren) \"/\" INBOX\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n"), std::string::npos);
  EXPECT_NE(out.find("\"/\" Archive/2025\r\n"), std::string::npos);
  out = run(s, "b LIST \"\" %\r\n");
  EXPECT_EQ(out.find("Archive/2025"), std::string::npos);  // '%' stops at the delimiter
  out = run(s, "c LIST \"\" \"\"\r\n");
  EXPECT_NE(out.find("* LIST (\\Noselect) \"/\" \"\""), std::string::npos);
  out = run(s, "d LSUB \"\" *\r\n");
  EXPECT_EQ(out.find("Archive"), std::string::npos);  // not subscribed
  EXPECT_NE(out.find("* LSUB (\\HasNoChildren) \"/\" Sent"), std::string::npos);
  out = run(s, "e STATUS inbox (MESSAGES UNSEEN UIDNEXT UIDVALIDITY)\r\n");
  EXPECT_NE(out.find("* STATUS INBOX (MESSAGES 2 UNSEEN 1 UIDNEXT 3 UIDVALIDITY 100)"),
            std::string::npos)
      << out;
  EXPECT_NE(run(s, "f STATUS Nope (MESSAGES)\r\n").find("f NO [NONEXISTENT]"), std::string::npos);
  EXPECT_NE(run(s, "g STATUS INBOX (BOGUS)\r\n").find("g BAD"), std::string::npos);
}

TEST_F(ImapSessionTest, SelectExamineUnselect) {
  backend_.add("f_inbox", kPlainMessage, {"\\Seen"});
  backend_.add("f_inbox", kPlainMessage);
  auto s = loggedIn();
  std::string out = run(s, "a SELECT INBOX\r\n");
  EXPECT_NE(out.find("* 2 EXISTS\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("* OK [UNSEEN 2]"), std::string::npos);
  EXPECT_NE(out.find("* OK [UIDVALIDITY 100]"), std::string::npos);
  EXPECT_NE(out.find("* OK [UIDNEXT 3]"), std::string::npos);
  EXPECT_NE(out.find("a OK [READ-WRITE] SELECT completed"), std::string::npos);
  EXPECT_EQ(s.state(), ImapSession::State::kSelected);
  out = run(s, "b SELECT Nope\r\n");
  EXPECT_NE(out.find("b NO [NONEXISTENT]"), std::string::npos);
  EXPECT_EQ(s.state(), ImapSession::State::kAuthenticated);  // RFC 9051 §6.3.2
  out =
      run(s, "c EXAMINE INBOX\r\nd STORE 1 +FLAGS (\\Flagged)\r\ne UNSELECT\r\nf FETCH 1 UID\r\n");
  EXPECT_NE(out.find("c OK [READ-ONLY]"), std::string::npos);
  EXPECT_NE(out.find("d NO [READ-ONLY]"), std::string::npos);
  EXPECT_NE(out.find("e OK UNSELECT"), std::string::npos);
  EXPECT_NE(out.find("f BAD No mailbox selected"), std::string::npos);
}

TEST_F(ImapSessionTest, FetchAttributesEnvelopeStructureAndSections) {
  backend_.add("f_inbox", kPlainMessage, {"\\Seen"}, 1764583200);
  backend_.add("f_inbox", kMultipart);
  auto s = loggedIn();
  run(s, "a SELECT INBOX\r\n");
  std::string out = run(s, "b FETCH 1 (UID FLAGS INTERNALDATE RFC822.SIZE)\r\n");
  EXPECT_EQ(out,
            "* 1 FETCH (UID 1 FLAGS (\\Seen) INTERNALDATE \"01-Dec-2025 10:00:00 +0000\" "
            "RFC822.SIZE " +
                std::to_string(std::string(kPlainMessage).size()) +
                ")\r\nb OK FETCH completed\r\n");
  out = run(s, "c FETCH 1 ENVELOPE\r\n");
  EXPECT_NE(out.find("ENVELOPE (\"Mon, 1 Dec 2025 10:00:00 +0000\" \"Hello there\" ((\"Ann\" NIL "
                     "\"ann\" \"remote.test\"))"),
            std::string::npos)
      << out;
  out = run(s, "d FETCH 2 BODYSTRUCTURE\r\n");
  EXPECT_NE(out.find("BODYSTRUCTURE ((\"TEXT\" \"PLAIN\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"MIXED\""), std::string::npos);
  out = run(s, "e FETCH 2 (BODY.PEEK[1] BODY.PEEK[2]<0.4> BODY.PEEK[HEADER.FIELDS (Subject)])\r\n");
  EXPECT_NE(out.find("BODY[1] {5}\r\nHello"), std::string::npos) << out;
  EXPECT_NE(out.find("BODY[2]<0> {4}\r\nJVBE"), std::string::npos);
  EXPECT_NE(out.find("BODY[HEADER.FIELDS (Subject)] {19}\r\nSubject: Report\r\n\r\n"),
            std::string::npos);
  EXPECT_EQ(out.find("FLAGS"), std::string::npos);  // PEEK leaves \Seen alone
  out = run(s, "f FETCH 1 (BODY[TEXT] RFC822.HEADER)\r\n");
  EXPECT_NE(out.find("BODY[TEXT] {20}\r\nline one\r\nline two\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("RFC822.HEADER {"), std::string::npos);
  EXPECT_NE(run(s, "g FETCH 3 UID\r\n").find("g BAD"), std::string::npos);
  EXPECT_NE(run(s, "h FETCH 1 (BOGUS)\r\n").find("h BAD"), std::string::npos);
}

// ENVELOPE/BODYSTRUCTURE/BODY come from the structure cached at delivery (no blob read), the
// same bytes as parsing the message; sections read each blob once; messages stored before the
// cache existed are parsed.
TEST_F(ImapSessionTest, FetchStructureFromCacheMatchesParsing) {
  testing::FakeBackend legacy;
  legacy.cache_structures = false;
  for (auto* b : {&backend_, &legacy}) {
    b->add("f_inbox", kPlainMessage);
    b->add("f_inbox", kMultipart);
  }
  auto fetchAll = [&](testing::FakeBackend& b, const std::string& cmd) {
    SessionOptions o;
    o.hostname = "mail.test";
    o.tls_active = true;
    ImapSession s(o, b);
    s.greet();
    run(s, "a LOGIN user@hosted.test secret\r\n");
    run(s, "b EXAMINE INBOX\r\n");
    return run(s, cmd);
  };
  const std::string meta = "c FETCH 1:* (FLAGS ENVELOPE BODYSTRUCTURE BODY)\r\n";
  std::string cached = fetchAll(backend_, meta);
  EXPECT_EQ(backend_.content_calls, 0);
  EXPECT_EQ(backend_.structures_calls, 1);  // one query for the whole set
  std::string parsed = fetchAll(legacy, meta);
  EXPECT_EQ(legacy.content_calls, 2);
  EXPECT_EQ(cached, parsed);
  EXPECT_NE(cached.find("BODYSTRUCTURE ((\"TEXT\" \"PLAIN\""), std::string::npos) << cached;
  EXPECT_NE(cached.find("ENVELOPE (\"Mon, 1 Dec 2025"), std::string::npos) << cached;

  const std::string sections =
      "d FETCH 1:* (ENVELOPE BODY.PEEK[1] BODY.PEEK[2]<0.4> BODY.PEEK[HEADER] BODY.PEEK[])\r\n";
  backend_.content_calls = legacy.content_calls = 0;
  cached = fetchAll(backend_, sections);
  EXPECT_EQ(backend_.content_calls, 2);  // once per message, not once per section
  parsed = fetchAll(legacy, sections);
  EXPECT_EQ(legacy.content_calls, 2);
  EXPECT_EQ(cached, parsed);
  EXPECT_NE(cached.find("BODY[1] {5}\r\nHello"), std::string::npos) << cached;
}

// Header keys read the header block (kept in memory by the store), never the whole message.
TEST_F(ImapSessionTest, HeaderSearchReadsOnlyHeaders) {
  backend_.add("f_inbox", kPlainMessage);
  backend_.add("f_inbox", kMultipart);
  auto s = loggedIn();
  run(s, "a SELECT INBOX\r\n");
  std::string out = run(s, "b SEARCH SUBJECT report\r\n");
  EXPECT_NE(out.find("* SEARCH 2\r\n"), std::string::npos) << out;
  out = run(s, "c SEARCH FROM ann HEADER Message-ID m1\r\n");
  EXPECT_NE(out.find("* SEARCH 1\r\n"), std::string::npos) << out;
  EXPECT_EQ(backend_.content_calls, 0);
  EXPECT_EQ(backend_.header_calls, 4);  // one per message per SEARCH
  out = run(s, "d SEARCH BODY Hello\r\n");
  EXPECT_NE(out.find("* SEARCH 2\r\n"), std::string::npos) << out;
  EXPECT_EQ(backend_.content_calls, 2);
}

// RFC 9051 §6.4.4: case-insensitive matching folds non-ASCII letters too (UTF-8 literals).
TEST_F(ImapSessionTest, SearchFoldsUnicodeCase) {
  backend_.add(
      "f_inbox",
      "From: a@x.test\r\nSubject: =?utf-8?q?=C3=84RGER_mit_=CE=A3=CE=9F=CE=A6=CE=99=CE=91?="
      "\r\n\r\n\xD0\x9F\xD0\xA0\xD0\x98\xD0\x92\xD0\x95\xD0\xA2\r\n");
  backend_.add("f_inbox", kPlainMessage);
  auto s = loggedIn();
  run(s, "a SELECT INBOX\r\n");
  std::string out = run(s, "b SEARCH CHARSET UTF-8 SUBJECT {6+}\r\n\xC3\xA4rger\r\n");
  EXPECT_NE(out.find("* SEARCH 1\r\n"), std::string::npos) << out;
  out = run(s,
            "c SEARCH CHARSET UTF-8 SUBJECT {10+}\r\n\xCF\x83\xCE\xBF\xCF\x86\xCE\xB9\xCE\xB1\r\n");
  EXPECT_NE(out.find("* SEARCH 1\r\n"), std::string::npos) << out;
  out = run(s, "d SEARCH CHARSET UTF-8 BODY {6+}\r\n\xD0\xBF\xD1\x80\xD0\xB8\r\n");
  EXPECT_NE(out.find("* SEARCH 1\r\n"), std::string::npos) << out;
  out = run(s, "e SEARCH CHARSET UTF-8 SUBJECT {6+}\r\n\xC3\xB6rger\r\n");
  EXPECT_NE(out.find("* SEARCH\r\n"), std::string::npos) << out;
}

TEST_F(ImapSessionTest, BodyFetchSetsSeenAndUidFetch) {
  backend_.add("f_inbox", kPlainMessage);
  backend_.add("f_inbox", kPlainMessage);
  auto s = loggedIn();
  run(s, "a SELECT INBOX\r\n");
  std::string out = run(s, "b UID FETCH 2:* BODY[]\r\n");
  EXPECT_NE(out.find("* 2 FETCH (UID 2 FLAGS (\\Seen) BODY[] {"), std::string::npos) << out;
  EXPECT_TRUE(core::hasFlag(backend_.stored("f_inbox")[1].flags, "\\Seen"));
  EXPECT_FALSE(core::hasFlag(backend_.stored("f_inbox")[0].flags, "\\Seen"));
  out = run(s, "c FETCH 1:* FLAGS\r\n");
  EXPECT_NE(out.find("* 1 FETCH (FLAGS ())"), std::string::npos);
  EXPECT_NE(out.find("* 2 FETCH (FLAGS (\\Seen))"), std::string::npos);
  EXPECT_EQ(run(s, "d UID FETCH 9 FLAGS\r\n"), "d OK FETCH completed\r\n");
  backend_.throw_on_content = true;
  EXPECT_NE(run(s, "e FETCH 1 RFC822\r\n").find("e NO [UNAVAILABLE]"), std::string::npos);
  EXPECT_NE(run(s, "f NOOP\r\n").find("f OK"), std::string::npos);  // the session lives on
}

TEST_F(ImapSessionTest, LargeFetchRunsInChunksWithOneTaggedReply) {
  // 2,500 messages of ~1 KB: more than one chunk by count (1,000) and, for BODY[], by size
  // (1 MB). Each chunk is one trip to the backend; the responses stay in order, the \Seen of a
  // non-PEEK fetch is stored once for the whole set and reported on every message.
  std::string big = std::string(kPlainMessage) + std::string(1000, 'x') + "\r\n";
  const int n = 2500;
  for (int i = 0; i < n; ++i) backend_.add("f_inbox", big);
  auto s = loggedIn();
  run(s, "a SELECT INBOX\r\n");
  int trips = 0;
  s.feed("b FETCH 1:* (UID ENVELOPE BODY[])\r\n");
  std::string out;
  for (;;) {
    auto step = s.process();
    out += s.takeOutput();
    if (step != ImapSession::Step::kBlocking) break;
    ++trips;
    s.runBlocking();
  }
  EXPECT_GE(trips, 3);
  size_t pos = 0;
  for (int i = 1; i <= n; ++i) {
    std::string line = "* " + std::to_string(i) + " FETCH (UID " + std::to_string(i) +
                       " FLAGS (\\Seen) ENVELOPE (";
    size_t at = out.find(line, pos);
    ASSERT_NE(at, std::string::npos) << "message " << i;
    pos = at + line.size();
  }
  EXPECT_EQ(out.find("b OK FETCH completed\r\n"), out.size() - 22);
  EXPECT_EQ(out.find("b OK"), out.rfind("b OK"));
  for (const auto& m : backend_.stored("f_inbox")) EXPECT_TRUE(core::hasFlag(m.flags, "\\Seen"));
}

TEST_F(ImapSessionTest, SequenceSetsResolveLikeTheDefinition) {
  // UIDs 1..30 with gaps (every third expunged); each set names the same messages, in folder
  // order and once each, as a message-by-message check with inSequenceSet would.
  for (int i = 0; i < 30; ++i) backend_.add("f_inbox", kPlainMessage);
  for (auto& m : backend_.stored("f_inbox"))
    if (m.uid % 3 == 0)
      (void)backend_.storeFlags("f_inbox", {m.uid}, {core::FlagMode::kAdd, {"\\Deleted"}, {}});
  auto s = loggedIn();
  run(s, "a SELECT INBOX\r\n");
  run(s, "b EXPUNGE\r\n");
  const auto& msgs = backend_.stored("f_inbox");
  ASSERT_EQ(msgs.size(), 20u);
  for (bool uid : {false, true}) {
    for (std::string set : {"1", "*", "3:5", "5:3", "1:*", "*:4", "9,2,9,4:6", "40:50", "18:*",
                            "2,1", "7:7,1:2,20"}) {
      auto parsed = parseSequenceSet(set);
      ASSERT_TRUE(parsed.ok()) << set;
      std::string expected;
      uint32_t largest = uid ? uint32_t(msgs.back().uid) : uint32_t(msgs.size());
      for (size_t i = 0; i < msgs.size(); ++i) {
        uint32_t n = uid ? uint32_t(msgs[i].uid) : uint32_t(i + 1);
        if (inSequenceSet(*parsed, n, largest))
          expected +=
              "* " + std::to_string(i + 1) + " FETCH (UID " + std::to_string(msgs[i].uid) + ")\r\n";
      }
      bool out_of_range = !uid && set.find("40") != std::string::npos;
      std::string out = run(s, std::string(uid ? "c UID FETCH " : "c FETCH ") + set + " UID\r\n");
      if (out_of_range) {
        EXPECT_NE(out.find("c BAD"), std::string::npos) << set;
        continue;
      }
      EXPECT_EQ(out, expected + "c OK FETCH completed\r\n") << (uid ? "UID " : "") << set;
    }
  }
}

TEST_F(ImapSessionTest, StoreSilentAndExpunge) {
  for (int i = 0; i < 4; ++i) backend_.add("f_inbox", kPlainMessage);
  auto s = loggedIn();
  run(s, "a SELECT INBOX\r\n");
  std::string out = run(s, "b STORE 1:2 +FLAGS (\\Deleted \\Flagged)\r\n");
  EXPECT_NE(out.find("* 1 FETCH (FLAGS (\\Deleted \\Flagged))"), std::string::npos) << out;
  EXPECT_NE(out.find("* 2 FETCH (FLAGS (\\Deleted \\Flagged))"), std::string::npos);
  out = run(s, "c STORE 2 -FLAGS.SILENT \\Flagged\r\n");
  EXPECT_EQ(out, "c OK STORE completed\r\n");
  out = run(s, "d UID STORE 4 FLAGS (\\Deleted)\r\n");
  EXPECT_NE(out.find("* 4 FETCH (UID 4 FLAGS (\\Deleted))"), std::string::npos) << out;
  out = run(s, "e EXPUNGE\r\n");
  EXPECT_EQ(out, "* 1 EXPUNGE\r\n* 1 EXPUNGE\r\n* 2 EXPUNGE\r\ne OK EXPUNGE completed\r\n");
  out = run(s, "f FETCH 1:* UID\r\n");
  EXPECT_EQ(out, "* 1 FETCH (UID 3)\r\nf OK FETCH completed\r\n");
  EXPECT_NE(run(s, "g STORE 1 FLAGS.BOGUS ()\r\n").find("g BAD"), std::string::npos);
  // UID EXPUNGE (RFC 4315 §2.1): only \Deleted messages in the set go.
  backend_.add("f_inbox", kPlainMessage, {"\\Deleted"});  // UID 5, seen after NOOP
  run(s, "g2 NOOP\r\ng3 STORE 1 +FLAGS.SILENT (\\Deleted)\r\n");
  EXPECT_EQ(run(s, "g4 UID EXPUNGE 5\r\n"), "* 2 EXPUNGE\r\ng4 OK EXPUNGE completed\r\n");
  EXPECT_EQ(backend_.stored("f_inbox").size(), 1u);
  // CLOSE expunges silently.
  run(s, "h STORE 1 +FLAGS.SILENT (\\Deleted)\r\n");
  EXPECT_EQ(run(s, "i CLOSE\r\n"), "i OK CLOSE completed\r\n");
  EXPECT_TRUE(backend_.stored("f_inbox").empty());
}

TEST_F(ImapSessionTest, SearchKeys) {
  backend_.add("f_inbox", kPlainMessage, {"\\Seen"}, 1764583200);  // 2025-12-01
  backend_.add("f_inbox", kMultipart, {"\\Flagged"}, 1764669600);  // 2025-12-02
  backend_.add("f_inbox", kPlainMessage, {}, 1764756000);          // 2025-12-03
  auto s = loggedIn();
  run(s, "a SELECT INBOX\r\n");
  auto search = [&](const std::string& q) {
    std::string out = run(s, "s " + q + "\r\n");
    auto at = out.find("* SEARCH");
    return at == std::string::npos ? out : out.substr(at, out.find("\r\n", at) - at);
  };
  EXPECT_EQ(search("SEARCH ALL"), "* SEARCH 1 2 3");
  EXPECT_EQ(search("SEARCH UNSEEN"), "* SEARCH 2 3");
  EXPECT_EQ(search("SEARCH FLAGGED"), "* SEARCH 2");
  EXPECT_EQ(search("SEARCH SINCE 2-Dec-2025"), "* SEARCH 2 3");
  EXPECT_EQ(search("SEARCH BEFORE 2-Dec-2025"), "* SEARCH 1");
  EXPECT_EQ(search("SEARCH ON 2-Dec-2025"), "* SEARCH 2");
  EXPECT_EQ(search("SEARCH OR SEEN FLAGGED"), "* SEARCH 1 2");
  EXPECT_EQ(search("SEARCH NOT (SEEN)"), "* SEARCH 2 3");
  EXPECT_EQ(search("SEARCH 2:*"), "* SEARCH 2 3");
  EXPECT_EQ(search("UID SEARCH UID 1:2 UNSEEN"), "* SEARCH 2");
  EXPECT_EQ(search("SEARCH CHARSET UTF-8 SUBJECT \"hello\""), "* SEARCH 1 3");
  EXPECT_EQ(search("SEARCH FROM bob@remote"), "* SEARCH 2");
  EXPECT_EQ(search("SEARCH BODY \"line two\""), "* SEARCH 1 3");
  EXPECT_EQ(search("SEARCH HEADER Message-ID m1"), "* SEARCH 1 3");
  EXPECT_EQ(search("SEARCH DELETED"), "* SEARCH");
  EXPECT_NE(search("SEARCH CHARSET KOI8-R ALL").find("s NO [BADCHARSET"), std::string::npos);
  EXPECT_NE(search("SEARCH BOGUS").find("s BAD"), std::string::npos);
}

TEST_F(ImapSessionTest, LiteralsBadInputAndLimits) {
  auto s = loggedIn();
  // A synchronising literal gets a continuation request.
  EXPECT_EQ(run(s, "a STATUS {5}\r\n"), "+ Ready for literal data\r\n");
  EXPECT_NE(run(s, "INBOX (MESSAGES)\r\n").find("* STATUS INBOX (MESSAGES 0)"), std::string::npos);
  std::string out = run(s, "b SELECT \"unterminated\r\n");
  EXPECT_NE(out.find("b BAD"), std::string::npos);
  EXPECT_NE(run(s, "c NOOP\r\n").find("c OK"), std::string::npos);
  SessionOptions o;
  o.tls_active = true;
  o.limits.max_line = 100;
  o.max_errors = 3;
  ImapSession t(o, backend_);
  out = run(t, "d NOOP " + std::string(200, 'x') + "\r\ne NOOP\r\n");
  EXPECT_NE(out.find("d BAD [TOOBIG]"), std::string::npos) << out;
  EXPECT_NE(out.find("e OK"), std::string::npos);
  out = run(t, "x\r\ny\r\nz\r\n");
  EXPECT_NE(out.find("* BYE Too many errors"), std::string::npos);
  EXPECT_TRUE(t.closing());
}

TEST_F(ImapSessionTest, MailboxManagementAndAppend) {
  auto s = loggedIn();
  std::string out = run(s, "a CREATE Projects/\r\nb CREATE Projects\r\nc RENAME Projects Work\r\n");
  EXPECT_NE(out.find("a OK CREATE completed"), std::string::npos) << out;
  EXPECT_NE(out.find("b NO [ALREADYEXISTS]"), std::string::npos);
  EXPECT_NE(out.find("c OK RENAME completed"), std::string::npos);
  out = run(s, "d UNSUBSCRIBE Work\r\ne LSUB \"\" *\r\nf DELETE Work\r\ng DELETE Work\r\n");
  EXPECT_EQ(out.find("LSUB (\\HasNoChildren) \"/\" Work"), std::string::npos) << out;
  EXPECT_NE(out.find("f OK DELETE"), std::string::npos);
  EXPECT_NE(out.find("g NO [NONEXISTENT]"), std::string::npos);
  // APPEND with flags, date and a synchronising literal (continuation request first).
  out = run(s, "h APPEND Sent (\\Seen) \"01-Dec-2025 10:00:00 +0000\" {21}\r\n");
  EXPECT_EQ(out, "+ Ready for literal data\r\n");
  out = run(s, "Subject: hi\r\n\r\nbody\r\n\r\n");
  EXPECT_EQ(out, "h OK [APPENDUID 101 1] APPEND completed\r\n");
  ASSERT_EQ(backend_.stored("f_sent").size(), 1u);
  EXPECT_EQ(backend_.stored("f_sent")[0].flags, std::vector<std::string>{"\\Seen"});
  EXPECT_EQ(backend_.stored("f_sent")[0].internal_date, 1764583200);
  // LITERAL+ (RFC 7888): no continuation request.
  out = run(s, "i APPEND INBOX {6+}\r\nx: y\r\n\r\n");
  EXPECT_EQ(out, "i OK [APPENDUID 100 1] APPEND completed\r\n");
  EXPECT_NE(run(s, "j APPEND Nope {3+}\r\nx\r\n\r\n").find("j NO [TRYCREATE]"), std::string::npos);
  EXPECT_NE(run(s, "k APPEND INBOX (\\Bogus[) {3+}\r\nx\r\n\r\n").find("k BAD"), std::string::npos);
  run(s, "l SELECT INBOX\r\n");
  EXPECT_EQ(run(s, "m CHECK\r\n"), "m OK CHECK completed\r\n");
}

TEST_F(ImapSessionTest, NoopReportsChangesFromOtherSessions) {
  for (int i = 0; i < 3; ++i) backend_.add("f_inbox", kPlainMessage);
  auto s = loggedIn();
  run(s, "a SELECT INBOX\r\n");
  EXPECT_EQ(run(s, "b NOOP\r\n"), "b OK NOOP completed\r\n");
  // Another session flags message 3 and expunges message 1; SMTP delivers a new one.
  ASSERT_TRUE(backend_.storeFlags("f_inbox", {1}, {core::FlagMode::kAdd, {"\\Deleted"}, {}}).ok());
  ASSERT_TRUE(backend_.expunge("f_inbox", std::nullopt).ok());
  ASSERT_TRUE(backend_.storeFlags("f_inbox", {3}, {core::FlagMode::kAdd, {"\\Seen"}, {}}).ok());
  backend_.add("f_inbox", kPlainMessage);
  EXPECT_EQ(run(s, "c NOOP\r\n"),
            "* 1 EXPUNGE\r\n* 2 FETCH (FLAGS (\\Seen))\r\n* 3 EXISTS\r\n* 1 RECENT\r\n"
            "c OK NOOP completed\r\n");
  EXPECT_EQ(run(s, "d FETCH 1:* UID\r\n"),
            "* 1 FETCH (UID 2)\r\n* 2 FETCH (UID 3)\r\n* 3 FETCH (UID 4)\r\nd OK FETCH "
            "completed\r\n");
  EXPECT_EQ(run(s, "e CHECK\r\n"), "e OK CHECK completed\r\n");
}

TEST_F(ImapSessionTest, CopyAndMove) {
  for (int i = 0; i < 3; ++i) backend_.add("f_inbox", kPlainMessage, {"\\Flagged"});
  auto s = loggedIn();
  run(s, "a SELECT INBOX\r\n");
  EXPECT_EQ(run(s, "b COPY 1:2 Sent\r\n"), "b OK [COPYUID 101 1,2 1,2] COPY completed\r\n");
  EXPECT_EQ(run(s, "c UID MOVE 2:3 Sent\r\n"),
            "* OK [COPYUID 101 2,3 3,4] Moved\r\n* 2 EXPUNGE\r\n* 2 EXPUNGE\r\nc OK MOVE "
            "completed\r\n");
  EXPECT_EQ(backend_.stored("f_inbox").size(), 1u);
  EXPECT_EQ(backend_.stored("f_sent").size(), 4u);
  EXPECT_EQ(backend_.stored("f_sent")[3].flags, std::vector<std::string>{"\\Flagged"});
  EXPECT_NE(run(s, "d COPY 1 Nope\r\n").find("d NO [TRYCREATE]"), std::string::npos);
  EXPECT_EQ(run(s, "e UID COPY 99 Sent\r\n"), "e OK COPY completed\r\n");
}

TEST(FetchItemsTest, StructureFromCacheNeedsWhatThePlanNeeds) {
  auto parsed = mime::parseStructure(kMultipart);
  ASSERT_TRUE(parsed.ok());
  std::optional<std::string> env = mime::envelopeToJson(parsed->envelope),
                             parts = mime::partToJson(parsed->root);
  auto both = structureFromCache(env, parts, true, true);
  ASSERT_TRUE(both);
  EXPECT_EQ(both->envelope.subject, parsed->envelope.subject);
  ASSERT_EQ(both->root.children.size(), 2u);
  EXPECT_EQ(both->root.children[1].body_begin, parsed->root.children[1].body_begin);
  EXPECT_TRUE(structureFromCache(env, std::nullopt, true, false));
  EXPECT_FALSE(structureFromCache(env, std::nullopt, true, true));  // stored before the cache
  EXPECT_FALSE(structureFromCache(std::nullopt, parts, true, true));
  EXPECT_FALSE(structureFromCache(std::string("{not json"), parts, true, true));
  Token list{Token::Kind::kList, "", {}};
  list.items.push_back({Token::Kind::kAtom, "ENVELOPE", {}});
  auto plan = parseFetchItems(list);
  ASSERT_TRUE(plan.ok());
  EXPECT_FALSE(plan->needsParts());
  EXPECT_FALSE(plan->needsBlob());
  list.items.push_back({Token::Kind::kAtom, "BODY.PEEK[]", {}});
  plan = parseFetchItems(list);
  EXPECT_TRUE(plan->needsBlob());
  EXPECT_FALSE(plan->needsParts());  // the whole message needs no offsets
  list.items.push_back({Token::Kind::kAtom, "BODY.PEEK[1.MIME]", {}});
  plan = parseFetchItems(list);
  EXPECT_TRUE(plan->needsParts());
}

TEST(FetchItemsTest, ParsesSectionsAndPartials) {
  Token list;
  list.kind = Token::Kind::kList;
  for (const char* a : {"UID", "BODY.PEEK[1.2.MIME]<10.20>", "rfc822.text", "BODY[]"}) {
    Token t;
    t.text = a;
    list.items.push_back(t);
  }
  auto p = parseFetchItems(list);
  ASSERT_TRUE(p.ok()) << p.error().message;
  ASSERT_EQ(p->sections.size(), 3u);
  EXPECT_EQ(p->sections[0].part, (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(p->sections[0].text, "MIME");
  EXPECT_EQ(*p->sections[0].origin, 10u);
  EXPECT_EQ(*p->sections[0].count, 20u);
  EXPECT_TRUE(p->sections[0].peek);
  EXPECT_EQ(p->sections[1].response_name, "RFC822.TEXT");
  EXPECT_TRUE(p->setsSeen());
  Token bad;
  for (const char* a : {"BODY[MIME]", "BODY[1.0]", "BODY[HEADER]<5>", "BODY[X]", "FOO"}) {
    bad.text = a;
    EXPECT_FALSE(parseFetchItems(bad).ok()) << a;
  }
}

// --- Protocol extensions: IDLE, untagged updates, CONDSTORE, ESEARCH/rev2, LIST-STATUS, QUOTA.

TEST_F(ImapSessionTest, IdleReportsNewMailAndEndsWithDone) {
  auto s = loggedIn();
  int wakes = 0;
  s.setWake([&] { ++wakes; });
  run(s, "a SELECT INBOX\r\n");
  EXPECT_EQ(run(s, "b IDLE\r\n"), "+ idling\r\n");
  EXPECT_TRUE(s.idling());
  EXPECT_FALSE(s.refreshDue());
  backend_.add("f_inbox", kPlainMessage);  // "SMTP delivery"
  EXPECT_EQ(wakes, 1);
  EXPECT_TRUE(s.refreshDue());
  EXPECT_EQ(run(s, ""), "* 1 EXISTS\r\n* 1 RECENT\r\n");
  EXPECT_FALSE(s.refreshDue());
  (void)backend_.storeFlags("f_inbox", {1}, {core::FlagMode::kAdd, {"\\Flagged"}, {}});
  // The message arrived while this session had INBOX selected: it is \Recent here.
  EXPECT_EQ(run(s, ""), "* 1 FETCH (FLAGS (\\Flagged \\Recent))\r\n");
  EXPECT_EQ(run(s, "done\r\n"), "b OK IDLE terminated\r\n");
  EXPECT_FALSE(s.idling());
  // Another IDLE ended by something else is a BAD; the session goes on.
  run(s, "c IDLE\r\n");
  EXPECT_NE(run(s, "d NOOP\r\n").find("c BAD Expected DONE"), std::string::npos);
  EXPECT_NE(run(s, "e NOOP\r\n").find("e OK NOOP"), std::string::npos);
}

TEST_F(ImapSessionTest, IdleIsNotWokenByMailInAnotherFolder) {
  auto s = loggedIn();
  int wakes = 0;
  s.setWake([&] { ++wakes; });
  run(s, "a SELECT INBOX\r\n");
  EXPECT_EQ(run(s, "b IDLE\r\n"), "+ idling\r\n");
  backend_.add("f_sent", kPlainMessage);  // another session's APPEND to Sent
  EXPECT_EQ(wakes, 0);
  EXPECT_FALSE(s.refreshDue());
  backend_.add("f_inbox", kPlainMessage);
  EXPECT_EQ(wakes, 1);
  EXPECT_EQ(run(s, ""), "* 1 EXISTS\r\n* 1 RECENT\r\n");
  EXPECT_EQ(run(s, "done\r\n"), "b OK IDLE terminated\r\n");
}

TEST_F(ImapSessionTest, NoopReadsTheFolderOnlyWhenItsModseqMoved) {
  backend_.add("f_inbox", kPlainMessage);
  auto s = loggedIn();
  run(s, "a SELECT INBOX\r\n");
  const int loads = backend_.message_loads;
  EXPECT_EQ(run(s, "b NOOP\r\n"), "b OK NOOP completed\r\n");
  backend_.add("f_sent", kPlainMessage);
  EXPECT_EQ(run(s, "c NOOP\r\n"), "c OK NOOP completed\r\n");
  EXPECT_EQ(backend_.message_loads, loads);
  backend_.add("f_inbox", kPlainMessage);
  EXPECT_EQ(run(s, "d NOOP\r\n"), "* 2 EXISTS\r\n* 1 RECENT\r\nd OK NOOP completed\r\n");
  EXPECT_EQ(backend_.message_loads, loads + 1);
  // Another session's flag change and expunge move the modseq too.
  (void)backend_.storeFlags("f_inbox", {1}, {core::FlagMode::kAdd, {"\\Deleted"}, {}});
  EXPECT_EQ(run(s, "e NOOP\r\n"), "* 1 FETCH (FLAGS (\\Deleted))\r\ne OK NOOP completed\r\n");
  (void)backend_.expunge("f_inbox", std::nullopt);
  EXPECT_EQ(run(s, "f NOOP\r\n"), "* 1 EXPUNGE\r\nf OK NOOP completed\r\n");
  EXPECT_EQ(backend_.message_loads, loads + 3);
}

TEST_F(ImapSessionTest, UpdatesAfterCommandsWithholdExpungeDuringFetch) {
  backend_.add("f_inbox", kPlainMessage);
  backend_.add("f_inbox", kPlainMessage);
  auto s = loggedIn();
  run(s, "a SELECT INBOX\r\n");
  // Another session deletes message 1 and flags message 2.
  (void)backend_.storeFlags("f_inbox", {1}, {core::FlagMode::kAdd, {"\\Deleted"}, {}});
  (void)backend_.expunge("f_inbox", std::nullopt);
  (void)backend_.storeFlags("f_inbox", {2}, {core::FlagMode::kAdd, {"\\Flagged"}, {}});
  backend_.add("f_inbox", kPlainMessage);
  // RFC 9051 §7.4.1: FETCH reports flags and new mail but not the EXPUNGE; numbers stay.
  std::string out = run(s, "b FETCH 2 (UID)\r\n");
  EXPECT_EQ(out.find("EXPUNGE"), std::string::npos) << out;
  EXPECT_NE(out.find("* 2 FETCH (FLAGS (\\Flagged))\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("* 3 EXISTS\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("* 2 FETCH (UID 2)\r\nb OK"), std::string::npos) << out;
  // A UID command may renumber: the EXPUNGE comes now.
  out = run(s, "c UID FETCH 3 (UID)\r\n");
  EXPECT_NE(out.find("* 1 EXPUNGE\r\n* 2 FETCH (UID 3)\r\nc OK"), std::string::npos) << out;
  // The session's own STORE does not come back as an update.
  out = run(s, "d STORE 1 +FLAGS.SILENT (\\Seen)\r\ne FETCH 1 (UID)\r\n");
  EXPECT_EQ(out, "d OK STORE completed\r\n* 1 FETCH (UID 2)\r\ne OK FETCH completed\r\n");
}

TEST_F(ImapSessionTest, CondstoreModseqChangedSinceUnchangedSince) {
  backend_.add("f_inbox", kPlainMessage);  // modseq 2
  backend_.add("f_inbox", kPlainMessage);  // modseq 3
  auto s = loggedIn();
  EXPECT_NE(run(s, "a CAPABILITY\r\n").find(" CONDSTORE"), std::string::npos);
  std::string out = run(s, "b SELECT INBOX (CONDSTORE)\r\n");
  EXPECT_NE(out.find("* OK [HIGHESTMODSEQ 3]"), std::string::npos) << out;
  out = run(s, "c FETCH 1:* (FLAGS) (CHANGEDSINCE 2)\r\n");
  EXPECT_EQ(out, "* 2 FETCH (FLAGS () MODSEQ (3))\r\nc OK FETCH completed\r\n");
  out = run(s, "d UID FETCH 1 MODSEQ\r\n");
  EXPECT_EQ(out, "* 1 FETCH (UID 1 MODSEQ (2))\r\nd OK FETCH completed\r\n");
  // Message 1 is unchanged since 2, message 2 changed after it (modseq 3): [MODIFIED 2].
  out = run(s, "e STORE 1:2 (UNCHANGEDSINCE 2) +FLAGS (\\Seen)\r\n");
  EXPECT_EQ(out,
            "* 1 FETCH (FLAGS (\\Seen) MODSEQ (4))\r\n"
            "e OK [MODIFIED 2] Conditional STORE failed for some\r\n");
  out = run(s, "f UID STORE 2 (UNCHANGEDSINCE 3) +FLAGS.SILENT (\\Flagged)\r\n");
  EXPECT_EQ(out, "* 2 FETCH (UID 2 MODSEQ (5))\r\nf OK STORE completed\r\n");
  out = run(s, "g SEARCH MODSEQ 5\r\nh SEARCH MODSEQ \"/flags/\\\\seen\" all 4\r\n");
  EXPECT_NE(out.find("* SEARCH 2 (MODSEQ 5)\r\ng OK"), std::string::npos) << out;
  EXPECT_NE(out.find("* SEARCH 1 2 (MODSEQ 5)\r\nh OK"), std::string::npos) << out;
  EXPECT_NE(run(s, "i STATUS INBOX (HIGHESTMODSEQ)\r\n").find("(HIGHESTMODSEQ 5)"),
            std::string::npos);
  EXPECT_NE(run(s, "j STORE 1 (UNCHANGEDSINCE x) FLAGS ()\r\n").find("j BAD"), std::string::npos);
  EXPECT_NE(run(s, "k FETCH 1 FLAGS (BOGUS 1)\r\n").find("k BAD"), std::string::npos);
}

TEST_F(ImapSessionTest, EnableCondstoreAndRev2) {
  backend_.add("f_inbox", kPlainMessage);
  backend_.add("f_inbox", kPlainMessage, {"\\Seen"});
  backend_.add("f_inbox", kPlainMessage);
  auto s = loggedIn();
  EXPECT_NE(run(s, "a ENABLE CONDSTORE X-UNKNOWN\r\n").find("* ENABLED CONDSTORE\r\n"),
            std::string::npos);
  std::string out = run(s, "b SELECT INBOX\r\nc SEARCH RETURN (MIN MAX COUNT ALL) UNSEEN\r\n");
  EXPECT_NE(out.find("* 0 RECENT"), std::string::npos);
  EXPECT_NE(out.find("* ESEARCH (TAG \"c\") MIN 1 MAX 3 COUNT 2 ALL 1,3\r\n"), std::string::npos)
      << out;
  out = run(s, "d UID SEARCH RETURN () 1:2\r\ne SEARCH RETURN (COUNT) DELETED\r\n");
  EXPECT_NE(out.find("* ESEARCH (TAG \"d\") UID ALL 1:2\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("* ESEARCH (TAG \"e\") COUNT 0\r\n"), std::string::npos) << out;
  EXPECT_NE(run(s, "f ENABLE IMAP4rev2\r\n").find("* ENABLED IMAP4rev2"), std::string::npos);
  out = run(s, "g SELECT INBOX\r\nh SEARCH ALL\r\n");
  EXPECT_EQ(out.find("RECENT"), std::string::npos) << out;  // RFC 9051: no \Recent
  EXPECT_NE(out.find("* ESEARCH (TAG \"h\") ALL 1:3\r\n"), std::string::npos) << out;
  EXPECT_NE(run(s, "i SEARCH RETURN (BOGUS) ALL\r\n").find("i BAD"), std::string::npos);
}

TEST_F(ImapSessionTest, ListStatusAndSubscribed) {
  backend_.add("f_inbox", kPlainMessage);
  backend_.add("f_inbox", kPlainMessage, {"\\Seen"});
  auto s = loggedIn();
  std::string out =
      run(s, "a LIST \"\" \"*\" RETURN (STATUS (MESSAGES UNSEEN) SPECIAL-USE SUBSCRIBED)\r\n");
  EXPECT_NE(out.find("* LIST (\\HasNoChildren \\Subscribed) \"/\" INBOX\r\n"
                     "* STATUS INBOX (MESSAGES 2 UNSEEN 1)\r\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("* LIST (\\HasNoChildren \\Sent \\Subscribed) \"/\" Sent\r\n"
                     "* STATUS Sent (MESSAGES 0 UNSEEN 0)\r\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("a OK LIST"), std::string::npos);
  EXPECT_NE(run(s, "b LIST \"\" * RETURN (STATUS (BOGUS))\r\n").find("b BAD"), std::string::npos);
  EXPECT_NE(run(s, "c LIST \"\" * RETURN\r\n").find("c BAD"), std::string::npos);
}

TEST_F(ImapSessionTest, QuotaRootAndAppendOverQuota) {
  backend_.quota_limit = 4096;
  backend_.add("f_inbox", std::string(2000, 'x'));
  auto s = loggedIn();
  std::string out = run(s, "a GETQUOTAROOT INBOX\r\n");
  EXPECT_EQ(
      out,
      "* QUOTAROOT INBOX \"\"\r\n* QUOTA \"\" (STORAGE 2 4)\r\na OK GETQUOTAROOT completed\r\n");
  EXPECT_NE(run(s, "b GETQUOTA \"\"\r\n").find("* QUOTA \"\" (STORAGE 2 4)"), std::string::npos);
  EXPECT_NE(run(s, "c GETQUOTA other\r\n").find("c NO [NONEXISTENT]"), std::string::npos);
  EXPECT_NE(run(s, "d SETQUOTA \"\" (STORAGE 1)\r\n").find("d NO"), std::string::npos);
  std::string big(3000, 'y');
  out = run(s, "e APPEND INBOX {3000+}\r\n" + big + "\r\n");
  EXPECT_NE(out.find("e NO [OVERQUOTA]"), std::string::npos) << out;
  out = run(s, "f APPEND INBOX {10+}\r\n0123456789\r\n");
  EXPECT_NE(out.find("f OK [APPENDUID"), std::string::npos) << out;
}

}  // namespace
}  // namespace mailjuke::imap
