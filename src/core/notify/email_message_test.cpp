#include "core/notify/email_message.h"

#include <gtest/gtest.h>

#include "base/encoding.h"

namespace mailjuke::core {
namespace {

std::vector<std::string> linesOf(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t end = s.find("\r\n", start);
    EXPECT_NE(end, std::string::npos) << "unterminated last line";
    if (end == std::string::npos) break;
    out.push_back(s.substr(start, end - start));
    start = end + 2;
  }
  return out;
}

void expectCrlfOnly(const std::string& s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\n') EXPECT_TRUE(i > 0 && s[i - 1] == '\r') << "bare LF at " << i;
    if (s[i] == '\r') EXPECT_TRUE(i + 1 < s.size() && s[i + 1] == '\n') << "bare CR at " << i;
  }
}

// Decodes what encodeHeaderText produced (unfolding, one charset, B encoding).
std::string decodeWords(const std::string& encoded) {
  std::string out;
  size_t pos = 0;
  while ((pos = encoded.find("=?UTF-8?B?", pos)) != std::string::npos) {
    size_t end = encoded.find("?=", pos + 10);
    auto bytes = base64Decode(encoded.substr(pos + 10, end - pos - 10));
    EXPECT_TRUE(bytes.has_value());
    out += bytes.value_or("");
    pos = end + 2;
  }
  return out;
}

TEST(EmailMessage, AsciiSubjectStaysReadableAndFolds) {
  EXPECT_EQ(encodeHeaderText("Verify your e-mail", 9), "Verify your e-mail");
  std::string long_subject;
  for (int i = 0; i < 30; ++i) long_subject += "word" + std::to_string(i) + " ";
  long_subject += "end";
  std::string folded = encodeHeaderText(long_subject, 9);
  auto lines = linesOf("Subject: " + folded + "\r\n");
  EXPECT_GT(lines.size(), 1u);
  for (const auto& l : lines) EXPECT_LE(l.size(), 78u) << l;
  // Unfolding (RFC 5322 §2.2.3) gives the subject back.
  std::string unfolded;
  for (size_t i = 0; i < folded.size(); ++i)
    if (folded.compare(i, 2, "\r\n") == 0)
      ++i;
    else
      unfolded += folded[i];
  EXPECT_EQ(unfolded, long_subject);
}

TEST(EmailMessage, NonAsciiSubjectIsRfc2047Encoded) {
  std::string subject = "Bestätigen Sie Ihre E-Mail-Adresse — 確認コード 123456 für Jürgen";
  std::string encoded = encodeHeaderText(subject, 9);
  EXPECT_EQ(encoded.rfind("=?UTF-8?B?", 0), 0u);
  for (unsigned char c : encoded) EXPECT_LT(c, 0x80);
  auto lines = linesOf("Subject: " + encoded + "\r\n");
  EXPECT_GT(lines.size(), 1u);
  for (const auto& l : lines) EXPECT_LE(l.size(), 76u) << l;  // RFC 2047 §2
  // Every word decodes to whole UTF-8 characters (RFC 2047 §5 rule 3).
  size_t pos = 0;
  while ((pos = encoded.find("=?UTF-8?B?", pos)) != std::string::npos) {
    size_t end = encoded.find("?=", pos + 10);
    EXPECT_LE(end + 2 - pos, 75u);
    auto bytes = base64Decode(encoded.substr(pos + 10, end - pos - 10));
    ASSERT_TRUE(bytes.has_value());
    EXPECT_TRUE(isValidUtf8(*bytes)) << *bytes;
    pos = end + 2;
  }
  EXPECT_EQ(decodeWords(encoded), subject);
  // Text that looks like an encoded-word is encoded too; line breaks never survive.
  EXPECT_EQ(decodeWords(encodeHeaderText("a =?x?= b", 9)), "a =?x?= b");
  EXPECT_EQ(encodeHeaderText("one\r\nBcc: x@y", 9), "one  Bcc: x@y");
}

TEST(EmailMessage, QuotedPrintable) {
  EXPECT_EQ(quotedPrintable("plain text"), "plain text");
  EXPECT_EQ(quotedPrintable("a=b"), "a=3Db");
  EXPECT_EQ(quotedPrintable("line one\nline two\n"), "line one\r\nline two\r\n");
  EXPECT_EQ(quotedPrintable("crlf\r\nkept"), "crlf\r\nkept");
  EXPECT_EQ(quotedPrintable("trailing \nand\ttab\t"), "trailing=20\r\nand\ttab=09");
  EXPECT_EQ(quotedPrintable("für"), "f=C3=BCr");
  // Long lines get soft breaks; every encoded line ≤ 76 octets; decoding restores the text.
  std::string text(300, 'x');
  text += " ünïcödé " + std::string(200, '=') + "\n" + std::string(76, 'y') + "\n";
  std::string qp = quotedPrintable(text);
  expectCrlfOnly(qp);
  for (const auto& l : linesOf(qp)) EXPECT_LE(l.size(), 76u) << l;
  std::string decoded;
  for (size_t i = 0; i < qp.size(); ++i) {
    if (qp[i] == '=' && qp.compare(i + 1, 2, "\r\n") == 0) {
      i += 2;
    } else if (qp[i] == '=') {
      decoded += static_cast<char>(std::stoi(qp.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else if (qp.compare(i, 2, "\r\n") == 0) {
      decoded += '\n';
      ++i;
    } else {
      decoded += qp[i];
    }
  }
  EXPECT_EQ(decoded, text);
}

EmailParts sample() {
  EmailParts p;
  p.from_name = "MailJuke";
  p.from_address = "no-reply@mailjuke.test";
  p.to = "user@example.com";
  p.subject = "Vérifiez votre adresse";
  p.text = "Hello,\n\nYour code is 123456.\n\nhttps://mailjuke.test/verify?t=abc\n";
  p.html = "<p>Hello,</p><p>Your code is 123456.</p>";
  p.headers = {{"List-Unsubscribe", "<https://mailjuke.test/api/v1/unsubscribe?t=x>"},
               {"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"}};
  p.date = 1764547200;
  p.message_id = "eml_abc@mailjuke.test";
  return p;
}

TEST(EmailMessage, BuildsMultipartAlternative) {
  std::string m = buildEmailMessage(sample());
  expectCrlfOnly(m);
  for (const auto& l : linesOf(m)) EXPECT_LE(l.size(), 998u);
  for (const auto& l : linesOf(m)) EXPECT_LE(l.size(), 78u) << l;
  size_t split = m.find("\r\n\r\n");
  ASSERT_NE(split, std::string::npos);
  std::string header = m.substr(0, split + 2);
  EXPECT_NE(header.find("Date: Mon, 01 Dec 2025 00:00:00 +0000\r\n"), std::string::npos);
  EXPECT_NE(header.find("From: MailJuke <no-reply@mailjuke.test>\r\n"), std::string::npos);
  EXPECT_NE(header.find("To: user@example.com\r\n"), std::string::npos);
  EXPECT_NE(header.find("Subject: =?UTF-8?B?"), std::string::npos);
  EXPECT_NE(header.find("Message-ID: <eml_abc@mailjuke.test>\r\n"), std::string::npos);
  EXPECT_NE(header.find("MIME-Version: 1.0\r\n"), std::string::npos);
  EXPECT_NE(header.find("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"),
            std::string::npos);
  EXPECT_NE(header.find("Content-Type: multipart/alternative;\r\n boundary=\"=_mj_"),
            std::string::npos);
  for (unsigned char c : m) EXPECT_LT(c, 0x80);  // 7bit: no SMTPUTF8 or 8BITMIME needed
  EXPECT_NE(m.find("Content-Type: text/plain; charset=utf-8\r\n"
                   "Content-Transfer-Encoding: quoted-printable\r\n\r\nHello,"),
            std::string::npos);
  EXPECT_NE(m.find("Content-Type: text/html; charset=utf-8\r\n"), std::string::npos);
  EXPECT_LT(m.find("text/plain"), m.find("text/html"));  // RFC 2046 §5.1.4: best last
  EXPECT_NE(m.find("--=_mj_emlabcmailjuketest--\r\n"), std::string::npos);
}

TEST(EmailMessage, ExtraHeadersCannotInjectOrOverride) {
  EmailParts p = sample();
  p.headers = {{"Bcc", "victim@example.com"},
               {"X-Bad", "a\r\nBcc: victim@example.com"},
               {"Bad Name", "x"},
               {"", "x"},
               {"X-Ok", "fine"}};
  std::string m = buildEmailMessage(p);
  EXPECT_EQ(m.find("victim"), std::string::npos);
  EXPECT_EQ(m.find("Bad Name"), std::string::npos);
  EXPECT_NE(m.find("X-Ok: fine\r\n"), std::string::npos);
}

TEST(EmailMessage, DisplayNames) {
  EmailParts p = sample();
  p.from_name = "Acme, Inc. \"Mail\"";
  EXPECT_NE(buildEmailMessage(p).find("From: \"Acme, Inc. \\\"Mail\\\"\" <no-reply@"),
            std::string::npos);
  p.from_name = "Jürgen's Mail";
  std::string m = buildEmailMessage(p);
  EXPECT_NE(m.find("From: =?UTF-8?B?"), std::string::npos);
  p.from_name = "";
  EXPECT_NE(buildEmailMessage(p).find("From: <no-reply@mailjuke.test>\r\n"), std::string::npos);
}

}  // namespace
}  // namespace mailjuke::core
