#include "proto/imap/structure_writer.h"

#include <gtest/gtest.h>

namespace mailjuke::imap {
namespace {

TEST(ImapStructure, EnvelopeAndBodyOfAPlainMessage) {
  std::string m =
      "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n"
      "From: Terry Gray <gray@cac.washington.edu>\r\n"
      "Subject: IMAP4rev2 WG mtg summary and minutes\r\n"
      "To: imap@cac.washington.edu\r\n"
      "Cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\n"
      "Message-Id: <B27397-0100000@cac.washington.edu>\r\n"
      "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n"
      "\r\n"
      "one\r\ntwo\r\n";
  auto s = mime::parseStructure(m);
  ASSERT_TRUE(s.ok());
  // RFC 9051 §7.5.2's example envelope (sender and reply-to default to From).
  EXPECT_EQ(renderEnvelope(s->envelope),
            "(\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev2 WG mtg summary and "
            "minutes\" ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" "
            "NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" "
            "\"cac.washington.edu\")) ((NIL NIL \"imap\" \"cac.washington.edu\")) ((NIL NIL "
            "\"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) "
            "NIL NIL \"<B27397-0100000@cac.washington.edu>\")");
  EXPECT_EQ(renderBody(s->root, false),
            "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 10 2)");
  EXPECT_EQ(
      renderBody(s->root, true),
      "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 10 2 NIL NIL NIL NIL)");
}

TEST(ImapStructure, MultipartWithAttachmentAndMessage) {
  std::string m =
      "From: a@example.com\r\nSubject: report\r\n"
      "Content-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n"
      "--XX\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nHello\r\n"
      "--XX\r\nContent-Type: application/pdf; name=\"r.pdf\"\r\n"
      "Content-Transfer-Encoding: base64\r\n"
      "Content-Disposition: attachment; filename=\"r.pdf\"\r\n\r\nJVBERi0xLjQK\r\n"
      "--XX\r\nContent-Type: message/rfc822\r\n\r\n"
      "From: c@example.net\r\nSubject: inner\r\n\r\ninner body\r\n"
      "--XX--\r\n";
  auto s = mime::parseStructure(m);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(renderBody(s->root, true),
            "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 5 1 NIL NIL NIL NIL)"
            "(\"APPLICATION\" \"PDF\" (\"NAME\" \"r.pdf\") NIL NIL \"BASE64\" 12 NIL "
            "(\"ATTACHMENT\" (\"FILENAME\" \"r.pdf\")) NIL NIL)"
            "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 49 (NIL \"inner\" ((NIL NIL \"c\" "
            "\"example.net\")) ((NIL NIL \"c\" \"example.net\")) ((NIL NIL \"c\" "
            "\"example.net\")) NIL NIL NIL NIL NIL) (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 10 1 "
            "NIL NIL NIL NIL) 4 NIL NIL NIL NIL) \"MIXED\" (\"BOUNDARY\" \"XX\") NIL NIL NIL)");
  EXPECT_EQ(renderBody(s->root, false).find("BOUNDARY"), std::string::npos);
}

}  // namespace
}  // namespace mailjuke::imap
