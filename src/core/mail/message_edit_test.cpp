#include "core/mail/message_edit.h"

#include <gtest/gtest.h>

namespace mailjuke::core {
namespace {

TEST(MessageEdit, ReceivedRecordsTheClientAddressForInboundOnly) {
  SmtpEnvelope inbound;
  inbound.client_ip = "192.0.2.7";
  inbound.helo = "mx.sender.example";
  inbound.tls = true;
  inbound.rcpt_to = {"a@b.example"};
  auto r = receivedHeader(inbound, "mail.mailjuke.test", "msg_1", 1796117400);
  EXPECT_EQ(r,
            "Received: from mx.sender.example ([192.0.2.7])\r\n\tby mail.mailjuke.test with "
            "ESMTPS id msg_1\r\n\tfor <a@b.example>; Tue, 01 Dec 2026 09:30:00 +0000\r\n");

  SmtpEnvelope submitted = inbound;
  submitted.account = std::make_shared<MailAccount>();
  submitted.rcpt_to = {"a@b.example", "c@d.example"};
  r = receivedHeader(submitted, "mail.mailjuke.test", "msg_2", 1796117400);
  EXPECT_EQ(r.find("192.0.2.7"), std::string::npos);
  EXPECT_NE(r.find("with ESMTPSA id msg_2;"), std::string::npos);
}

TEST(MessageEdit, RemovesOnlyResultsThatClaimOurAuthservId) {
  std::string message =
      "Authentication-Results: Mail.MailJuke.test; dkim=pass\r\n header.d=bank.example\r\n"
      "Subject: hi\r\n"
      "Authentication-Results: other.example; spf=pass\r\n"
      "\r\nbody\r\n";
  auto headers = mime::parseHeaders(message);
  ASSERT_TRUE(headers.ok());
  auto out = withoutForgedResults(message, *headers, "mail.mailjuke.test", "X-New: 1\r\n");
  EXPECT_EQ(out,
            "X-New: 1\r\nSubject: hi\r\nAuthentication-Results: other.example; spf=pass\r\n"
            "\r\nbody\r\n");
}

}  // namespace
}  // namespace mailjuke::core
