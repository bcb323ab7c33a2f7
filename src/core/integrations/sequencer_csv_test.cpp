#include "core/integrations/sequencer_csv.h"

#include <gtest/gtest.h>

namespace mailjuke::core {
namespace {

std::string headerLine(CsvFormat f) {
  std::string csv = renderCsv(f, {});
  return csv.substr(0, csv.find("\r\n"));
}

// The header lines below are copied from shared/reference/sequencer-formats.md.
TEST(SequencerCsv, HeadersMatchTheReferenceByteForByte) {
  EXPECT_EQ(headerLine(CsvFormat::kInstantly11),
            "Email,First Name,Last Name,IMAP Username,IMAP Password,IMAP Host,IMAP Port,SMTP "
            "Username,SMTP Password,SMTP Host,SMTP Port");
  EXPECT_EQ(headerLine(CsvFormat::kInstantly15),
            "Email,First Name,Last Name,IMAP Username,IMAP Password,IMAP Host,IMAP Port,SMTP "
            "Username,SMTP Password,SMTP Host,SMTP Port,Daily Limit,Warmup Enabled,Warmup "
            "Limit,Warmup Increment");
  EXPECT_EQ(headerLine(CsvFormat::kInstantly21),
            "Email,First Name,Last Name,IMAP Username,IMAP Password,IMAP Host,IMAP Port,SMTP "
            "Username,SMTP Password,SMTP Host,SMTP Port,Daily Limit,Warmup Enabled,Warmup "
            "Limit,Warmup Increment,Tracking Domain,Warmup Filter Tag,Warmup On Weekdays,Warmup "
            "Open Rate,Warmup Spam Protection Rate,Warmup Mark As Important Rate");
  EXPECT_EQ(
      headerLine(CsvFormat::kSmartlead),
      "from_name,from_email,user_name,password,smtp_host,smtp_port,imap_host,imap_port,max_email_"
      "per_day,custom_tracking_url,warmup_enabled,total_warmup_per_day,daily_rampup,reply_rate_"
      "percentage,bcc,signature,different_reply_to_address,imap_user_name,imap_password");
  EXPECT_EQ(headerLine(CsvFormat::kGeneric),
            "from_name,from_email,smtp_host,smtp_port,smtp_username,smtp_password,imap_host,imap_"
            "port,imap_username,imap_password");
  EXPECT_EQ(csvHeaders(CsvFormat::kInstantly15).size(), 15u);
  EXPECT_EQ(csvHeaders(CsvFormat::kSmartlead).size(), 19u);
}

TEST(SequencerCsv, Rfc4180QuotingAndFormulaDefusing) {
  EXPECT_EQ(csvEscape("plain"), "plain");
  EXPECT_EQ(csvEscape("a,b"), "\"a,b\"");
  EXPECT_EQ(csvEscape("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csvEscape("line\nbreak"), "\"line\nbreak\"");
  EXPECT_EQ(csvEscape("=cmd()"), "\"'=cmd()\"");
  MailboxCredentials m{"ann@acme.com",   "Ann",           "O'Neil, Jr", "p\"w,d",
                       "mail.acme.test", "mail.acme.test"};
  std::string csv = renderCsv(CsvFormat::kGeneric, {m});
  EXPECT_EQ(csv.substr(csv.find("\r\n") + 2),
            "\"Ann O'Neil, "
            "Jr\",ann@acme.com,mail.acme.test,587,ann@acme.com,\"p\"\"w,d\",mail.acme.test,993,ann@"
            "acme.com,\"p\"\"w,d\"\r\n");
  EXPECT_EQ(parseCsvFormat("instantly", "21"), CsvFormat::kInstantly21);
  EXPECT_FALSE(parseCsvFormat("instantly", "12").has_value());
  EXPECT_FALSE(parseCsvFormat("smartlead", "11").has_value());
  EXPECT_FALSE(parseCsvFormat("lemlist", "").has_value());
}

}  // namespace
}  // namespace mailjuke::core
