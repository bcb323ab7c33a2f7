#include "proto/mime/structure.h"
#include "proto/mime/structure_json.h"

#include <gtest/gtest.h>

namespace mailjuke::mime {
namespace {

std::string slice(const std::string& m, size_t a, size_t b) { return m.substr(a, b - a); }

TEST(MimeStructure, SimpleTextMessageEnvelope) {
  std::string m =
      "Date: Tue, 01 Dec 2026 09:30:00 +0000\r\n"
      "From: =?utf-8?q?Ren=C3=A9?= <rene@example.com>\r\n"
      "To: a@example.org,\r\n  \"B, Person\" <b@example.org>\r\n"
      "Subject: =?utf-8?q?caf=C3=A9?= menu\r\n"
      "Message-ID: <m1@example.com>\r\n"
      "Content-Type: text/plain; charset=UTF-8; format=flowed\r\n"
      "\r\n"
      "line one\r\nline two\r\n";
  auto s = parseStructure(m);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->envelope.subject, "=?utf-8?q?caf=C3=A9?= menu");
  EXPECT_EQ(s->envelope.message_id, "<m1@example.com>");
  ASSERT_EQ(s->envelope.from.size(), 1u);
  EXPECT_EQ(s->envelope.from[0].mailbox, "rene");
  EXPECT_EQ(s->envelope.from[0].host, "example.com");
  EXPECT_NE(s->envelope.from[0].name.find("=?"), std::string::npos);  // re-encoded, ASCII
  ASSERT_EQ(s->envelope.to.size(), 2u);
  EXPECT_EQ(s->envelope.to[1].name, "B, Person");
  EXPECT_EQ(s->envelope.sender.size(), 1u);  // defaults to From
  EXPECT_FALSE(s->envelope.in_reply_to.has_value());
  EXPECT_EQ(s->root.type, "text");
  EXPECT_EQ(s->root.subtype, "plain");
  ASSERT_EQ(s->root.params.size(), 2u);
  EXPECT_EQ(s->root.params[0].first, "charset");
  EXPECT_EQ(slice(m, s->root.body_begin, s->root.body_end), "line one\r\nline two\r\n");
  EXPECT_EQ(s->root.lines, 2u);
}

TEST(MimeStructure, MultipartWithAttachmentAndNestedMessage) {
  std::string m =
      "From: a@example.com\r\nTo: b@example.com\r\nSubject: report\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n"
      "preamble\r\n"
      "--XX\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nHello\r\n"
      "--XX\r\nContent-Type: application/pdf; name=\"r.pdf\"\r\n"
      "Content-Transfer-Encoding: base64\r\n"
      "Content-Disposition: attachment; filename=\"r.pdf\"\r\n\r\nJVBERi0xLjQK\r\n"
      "--XX\r\nContent-Type: message/rfc822\r\n\r\n"
      "From: c@example.net\r\nSubject: inner\r\n\r\ninner body\r\n"
      "--XX--\r\nepilogue\r\n";
  auto s = parseStructure(m);
  ASSERT_TRUE(s.ok()) << s.error().message;
  ASSERT_TRUE(s->root.multipart());
  EXPECT_EQ(s->root.subtype, "mixed");
  ASSERT_EQ(s->root.children.size(), 3u);
  const auto& text = s->root.children[0];
  EXPECT_EQ(slice(m, text.body_begin, text.body_end), "Hello");
  EXPECT_EQ(slice(m, text.header_begin, text.body_begin),
            "Content-Type: text/plain; charset=us-ascii\r\n\r\n");
  const auto& pdf = s->root.children[1];
  EXPECT_EQ(pdf.encoding, "base64");
  EXPECT_EQ(pdf.disposition, "attachment");
  ASSERT_EQ(pdf.disposition_params.size(), 1u);
  EXPECT_EQ(pdf.disposition_params[0].second, "r.pdf");
  EXPECT_EQ(slice(m, pdf.body_begin, pdf.body_end), "JVBERi0xLjQK");
  const auto& inner = s->root.children[2];
  ASSERT_TRUE(inner.rfc822());
  ASSERT_TRUE(inner.envelope);
  EXPECT_EQ(inner.envelope->subject, "inner");
  ASSERT_EQ(inner.children.size(), 1u);
  EXPECT_EQ(slice(m, inner.children[0].body_begin, inner.children[0].body_end), "inner body");
}

TEST(MimeStructure, GroupsAndOddInputNeverFail) {
  std::string m = "To: Team: a@x.example, b@y.example;\r\nSubject: g\r\n\r\nx";
  auto s = parseStructure(m);
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->envelope.to.size(), 4u);
  EXPECT_EQ(s->envelope.to[0].kind, MimeAddress::Kind::kGroupStart);
  EXPECT_EQ(s->envelope.to[0].mailbox, "Team");
  EXPECT_EQ(s->envelope.to[3].kind, MimeAddress::Kind::kGroupEnd);
  for (std::string odd : {std::string("no header at all"), std::string("\r\n\r\n"),
                          std::string("Content-Type: multipart/mixed\r\n\r\n--\r\n"),
                          std::string("Content-Type: multipart/alternative; boundary=b\r\n\r\n"
                                      "--b\r\n\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>")}) {
    auto r = parseStructure(odd);
    ASSERT_TRUE(r.ok()) << odd;
    EXPECT_LE(r->root.body_end, odd.size());
  }
  EXPECT_FALSE(parseStructure("").ok());
}

}  // namespace
}  // namespace mailjuke::mime

namespace mailjuke::mime {
namespace {

TEST(MimeStructureJson, RoundTripsEnvelopeAndPartTree) {
  std::string m =
      "From: Ann <a@example.com>\r\nTo: Team: b@x.example;\r\nSubject: s\r\n"
      "Content-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n"
      "--XX\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Language: en, de\r\n\r\nHi\r\n"
      "--XX\r\nContent-Type: message/rfc822\r\nContent-Disposition: inline\r\n\r\n"
      "From: c@example.net\r\nSubject: inner\r\n\r\ninner body\r\n--XX--\r\n";
  auto s = parseStructure(m);
  ASSERT_TRUE(s.ok());
  auto env = envelopeFromJson(envelopeToJson(s->envelope));
  ASSERT_TRUE(env);
  EXPECT_EQ(envelopeToJson(*env), envelopeToJson(s->envelope));
  EXPECT_EQ(env->to.size(), 3u);
  auto part = partFromJson(partToJson(s->root));
  ASSERT_TRUE(part);
  EXPECT_EQ(partToJson(*part), partToJson(s->root));
  ASSERT_EQ(part->children.size(), 2u);
  EXPECT_EQ(part->children[0].languages, (std::vector<std::string>{"en", "de"}));
  ASSERT_TRUE(part->children[1].envelope);
  EXPECT_EQ(part->children[1].envelope->subject, "inner");
  EXPECT_FALSE(partFromJson("{\"t\":1}").has_value());
  EXPECT_FALSE(envelopeFromJson("not json").has_value());
}

}  // namespace
}  // namespace mailjuke::mime
