#include "proto/dns/transfer.h"

#include <gtest/gtest.h>

#include "proto/dns/test_util.h"

namespace mailjuke::dns {
namespace {

TEST(DnsTransfer, AxfrSoaFirstAndLastAcrossMessages) {
  std::string zone = std::string(testing::kExampleZone);
  for (int i = 0; i < 300; ++i)
    zone += "h" + std::to_string(i) + " IN TXT \"" + std::string(100, 'x') + "\"\n";
  auto zones = testing::zonesFromText({zone});
  auto query = testing::makeQuery("example.com.", RrType::kAxfr);
  auto messages = buildTransfer(*zones, 0, query, 16384);
  ASSERT_GT(messages.size(), 1u);
  std::vector<Record> all;
  for (const auto& wire : messages) {
    EXPECT_LE(wire.size(), 16384u);
    auto m = parseMessage(wire);
    ASSERT_TRUE(m.ok()) << m.error().message;
    EXPECT_TRUE(m->header.has(Flag::kAa));
    EXPECT_EQ(m->header.id, 0x1234);
    all.insert(all.end(), m->answers.begin(), m->answers.end());
  }
  ASSERT_EQ(all.size(), zones->zones()[0].records.size() + 1);
  EXPECT_EQ(all.front().type, RrType::kSoa);
  EXPECT_EQ(all.back().type, RrType::kSoa);
}

TEST(DnsTransfer, IxfrUpToDateGetsSoaOnly) {
  auto zones = testing::zonesFromText({testing::kExampleZone});
  Message q = *parseMessage(testing::makeQuery("example.com.", RrType::kIxfr));
  q.authority.push_back(*zones->zones()[0].soa());
  auto messages = buildTransfer(*zones, 0, serializeMessage(q));
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(parseMessage(messages[0])->answers.size(), 1u);
  // An older serial gets the whole zone in AXFR form.
  Record old = *zones->zones()[0].soa();
  old.rdata[old.rdata.size() - 17] ^= 1;
  q.authority[0] = old;
  auto full = buildTransfer(*zones, 0, serializeMessage(q));
  EXPECT_GT(parseMessage(full[0])->answers.size(), 2u);
}

TEST(DnsTransfer, Notify) {
  auto zones = testing::zonesFromText({testing::kExampleZone});
  const Zone& z = zones->zones()[0];
  std::string n = buildNotify(77, z);
  auto m = parseMessage(n);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->header.opcode(), Opcode::kNotify);
  EXPECT_TRUE(m->header.has(Flag::kAa));
  EXPECT_EQ(m->questions[0].type, RrType::kSoa);
  EXPECT_EQ(m->answers.size(), 1u);
  Message ack = *m;
  ack.header.flags |= Flag::kQr;
  ack.answers.clear();
  EXPECT_TRUE(isNotifyResponse(serializeMessage(ack), 77, z.origin));
  EXPECT_FALSE(isNotifyResponse(serializeMessage(ack), 78, z.origin));
  EXPECT_FALSE(isNotifyResponse(n, 77, z.origin));  // not a response
}

TEST(DnsMessage, ParseRejectsBadOpt) {
  Message m;
  m.questions.push_back(Question{*Name::parse("a.test."), RrType::kA, RrClass::kIn});
  m.edns = Edns{};
  std::string wire = serializeMessage(m);
  EXPECT_TRUE(parseMessage(wire).ok());
  // Move the OPT into the answer section.
  std::string moved = wire;
  moved[7] = 1;
  moved[11] = 0;
  EXPECT_FALSE(parseMessage(moved).ok());
}

}  // namespace
}  // namespace mailjuke::dns
