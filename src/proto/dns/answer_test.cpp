#include "proto/dns/answer.h"

#include <gtest/gtest.h>

#include "proto/dns/rdata.h"
#include "proto/dns/test_util.h"

namespace mailjuke::dns {
namespace {

using testing::ask;
using testing::makeQuery;

class DnsAnswer : public ::testing::Test {
 protected:
  std::shared_ptr<const ZoneSet> zones_ = testing::zonesFromText({testing::kExampleZone});
};

TEST_F(DnsAnswer, PositiveAuthoritativeAnswer) {
  auto r = ask(*zones_, makeQuery("example.com.", RrType::kA));
  ASSERT_EQ(r.answer.action, Answer::Action::kReply);
  const auto& m = r.message;
  EXPECT_EQ(m.header.id, 0x1234);
  EXPECT_TRUE(m.header.qr());
  EXPECT_TRUE(m.header.has(Flag::kAa));
  EXPECT_TRUE(m.header.has(Flag::kRd));  // copied
  EXPECT_FALSE(m.header.has(Flag::kRa));
  EXPECT_EQ(m.rcode(), Rcode::kNoError);
  ASSERT_EQ(m.answers.size(), 1u);
  EXPECT_EQ(rdataToText(RrType::kA, m.answers[0].rdata), "192.0.2.1");
  EXPECT_TRUE(m.authority.empty());
  EXPECT_FALSE(m.edns.has_value());
}

TEST_F(DnsAnswer, EveryTypeAnswers) {
  for (auto [name, type, count] : std::vector<std::tuple<std::string, uint16_t, size_t>>{
           {"example.com.", RrType::kSoa, 1},
           {"example.com.", RrType::kNs, 2},
           {"example.com.", RrType::kMx, 1},
           {"example.com.", RrType::kTxt, 1},
           {"example.com.", RrType::kCaa, 1},
           {"ns2.example.com.", RrType::kAaaa, 1},
           {"_sip._tcp.example.com.", RrType::kSrv, 1},
           {"sel._domainkey.example.com.", RrType::kTxt, 1}}) {
    auto r = ask(*zones_, makeQuery(name, type));
    EXPECT_EQ(r.message.answers.size(), count) << name << " " << typeToString(type);
    for (const auto& a : r.message.answers) EXPECT_EQ(a.type, type);
  }
}

TEST_F(DnsAnswer, AdditionalSectionForMxNsSrv) {
  auto mx = ask(*zones_, makeQuery("example.com.", RrType::kMx));
  ASSERT_EQ(mx.message.additional.size(), 1u);
  EXPECT_EQ(mx.message.additional[0].owner.toString(), "mail.example.com.");
  auto ns = ask(*zones_, makeQuery("example.com.", RrType::kNs));
  EXPECT_EQ(ns.message.additional.size(), 3u);  // ns1 A, ns2 A + AAAA
}

TEST_F(DnsAnswer, NxDomainWithSoaAndNegativeTtl) {
  auto r = ask(*zones_, makeQuery("nope.deep.example.com.", RrType::kA));
  EXPECT_EQ(r.message.rcode(), Rcode::kNxDomain);
  EXPECT_TRUE(r.message.header.has(Flag::kAa));
  EXPECT_TRUE(r.message.answers.empty());
  ASSERT_EQ(r.message.authority.size(), 1u);
  EXPECT_EQ(r.message.authority[0].type, RrType::kSoa);
  EXPECT_EQ(r.message.authority[0].owner.toString(), "example.com.");
  EXPECT_EQ(r.message.authority[0].ttl, 300u);  // RFC 2308 §3: min(TTL 3600, MINIMUM 300)
  EXPECT_EQ(soaField(r.message.authority[0].rdata, 0), 2024010101u);
}

TEST_F(DnsAnswer, NoDataAndEmptyNonTerminal) {
  auto r = ask(*zones_, makeQuery("mail.example.com.", RrType::kAaaa));
  EXPECT_EQ(r.message.rcode(), Rcode::kNoError);
  EXPECT_TRUE(r.message.answers.empty());
  ASSERT_EQ(r.message.authority.size(), 1u);
  EXPECT_EQ(r.message.authority[0].type, RrType::kSoa);
  // b.c.example.com has no records but a.b.c does: NODATA (RFC 8020), not NXDOMAIN.
  auto ent = ask(*zones_, makeQuery("b.c.example.com.", RrType::kA));
  EXPECT_EQ(ent.message.rcode(), Rcode::kNoError);
  EXPECT_EQ(ent.message.authority.size(), 1u);
}

TEST_F(DnsAnswer, CnameChains) {
  auto r = ask(*zones_, makeQuery("alias.example.com.", RrType::kA));
  ASSERT_EQ(r.message.answers.size(), 3u);
  EXPECT_EQ(r.message.answers[0].type, RrType::kCname);
  EXPECT_EQ(r.message.answers[1].owner.toString(), "www.example.com.");
  EXPECT_EQ(r.message.answers[2].type, RrType::kA);
  // Asking for the CNAME itself gives only the CNAME.
  auto c = ask(*zones_, makeQuery("alias.example.com.", RrType::kCname));
  EXPECT_EQ(c.message.answers.size(), 1u);
  // End of chain without the type: NODATA with SOA.
  auto nodata = ask(*zones_, makeQuery("alias.example.com.", RrType::kSrv));
  EXPECT_EQ(nodata.message.answers.size(), 2u);
  EXPECT_EQ(nodata.message.authority.size(), 1u);
  // Chain to a missing name: NXDOMAIN (RFC 6604).
  auto nx = ask(*zones_, makeQuery("dangling.example.com.", RrType::kA));
  EXPECT_EQ(nx.message.rcode(), Rcode::kNxDomain);
  EXPECT_EQ(nx.message.answers.size(), 1u);
  // Out of zone: just the CNAME. Loops end.
  auto out = ask(*zones_, makeQuery("track.example.com.", RrType::kA));
  EXPECT_EQ(out.message.answers.size(), 1u);
  EXPECT_EQ(out.message.rcode(), Rcode::kNoError);
  auto loop = ask(*zones_, makeQuery("loop1.example.com.", RrType::kA));
  EXPECT_EQ(loop.message.answers.size(), 2u);
}

TEST_F(DnsAnswer, ReferralWithGlue) {
  for (const char* name : {"sub.example.com.", "x.y.sub.example.com.", "ns.sub.example.com."}) {
    auto r = ask(*zones_, makeQuery(name, RrType::kA));
    EXPECT_EQ(r.message.rcode(), Rcode::kNoError) << name;
    EXPECT_FALSE(r.message.header.has(Flag::kAa)) << name;
    EXPECT_TRUE(r.message.answers.empty());
    ASSERT_EQ(r.message.authority.size(), 2u) << name;
    EXPECT_EQ(r.message.authority[0].owner.toString(), "sub.example.com.");
    ASSERT_EQ(r.message.additional.size(), 1u);
    EXPECT_EQ(r.message.additional[0].owner.toString(), "ns.sub.example.com.");
  }
  // DS at the cut is the parent's: authoritative NODATA.
  auto ds = ask(*zones_, makeQuery("sub.example.com.", RrType::kDs));
  EXPECT_TRUE(ds.message.header.has(Flag::kAa));
  EXPECT_EQ(ds.message.authority.size(), 1u);
}

TEST_F(DnsAnswer, EchoesQueryNameCase) {
  auto q = makeQuery("WwW.ExAmPlE.CoM.", RrType::kA);
  auto r = ask(*zones_, q);
  EXPECT_EQ(r.message.questions[0].name.toString(), "WwW.ExAmPlE.CoM.");
  EXPECT_EQ(r.message.answers[0].owner.toString(), "WwW.ExAmPlE.CoM.");
  EXPECT_EQ(r.wire.substr(12, 18), q.substr(12, 18));
  auto nx = ask(*zones_, makeQuery("NoPe.EXAMPLE.com.", RrType::kA));
  EXPECT_EQ(nx.message.questions[0].name.toString(), "NoPe.EXAMPLE.com.");
  EXPECT_EQ(nx.message.authority[0].owner, *Name::parse("example.com."));
}

TEST_F(DnsAnswer, RefusedOutsideZones) {
  auto r = ask(*zones_, makeQuery("example.org.", RrType::kA));
  EXPECT_EQ(r.message.rcode(), Rcode::kRefused);
  EXPECT_FALSE(r.message.header.has(Flag::kAa));
  EXPECT_EQ(r.message.questions.size(), 1u);
  auto chaos = makeQuery("version.bind.", RrType::kTxt);
  chaos[chaos.size() - 1] = RrClass::kCh;
  EXPECT_EQ(ask(*zones_, chaos).message.rcode(), Rcode::kRefused);
}

TEST_F(DnsAnswer, EdnsPayloadAndTruncation) {
  // A big TXT RRset: 6 x 150 octets.
  std::string zone = std::string(testing::kExampleZone);
  for (int i = 0; i < 6; ++i)
    zone += "big IN TXT \"" + std::string(150, static_cast<char>('a' + i)) + "\"\n";
  auto zones = testing::zonesFromText({zone});
  auto plain = ask(*zones, makeQuery("big.example.com.", RrType::kTxt));
  EXPECT_TRUE(plain.message.header.has(Flag::kTc));  // > 512 without EDNS
  EXPECT_TRUE(plain.message.answers.empty());
  EXPECT_LE(plain.wire.size(), 512u);
  auto small = ask(*zones, makeQuery("big.example.com.", RrType::kTxt, 1, 100));  // clamped to 512
  EXPECT_TRUE(small.message.header.has(Flag::kTc));
  ASSERT_TRUE(small.message.edns.has_value());
  EXPECT_EQ(small.message.edns->udp_size, 1232);
  auto large = ask(*zones, makeQuery("big.example.com.", RrType::kTxt, 1, 4096));  // capped at 1232
  EXPECT_FALSE(large.message.header.has(Flag::kTc));
  EXPECT_EQ(large.message.answers.size(), 6u);
  EXPECT_LE(large.wire.size(), 1232u);
  AnswerOptions tcp;
  tcp.tcp = true;
  auto overTcp = ask(*zones, makeQuery("big.example.com.", RrType::kTxt), tcp);
  EXPECT_EQ(overTcp.message.answers.size(), 6u);
  // Too big for 1232 too: TC.
  for (int i = 0; i < 6; ++i)
    zone += "huge IN TXT \"" + std::string(250, static_cast<char>('a' + i)) + "\"\n";
  auto zones2 = testing::zonesFromText({zone});
  auto huge = ask(*zones2, makeQuery("huge.example.com.", RrType::kTxt, 1, 1232));
  EXPECT_TRUE(huge.message.header.has(Flag::kTc));
  EXPECT_LE(huge.wire.size(), 1232u);
}

TEST_F(DnsAnswer, AdditionalDroppedBeforeTruncating) {
  std::string zone = std::string(testing::kExampleZone);
  for (int i = 0; i < 20; ++i)
    zone += "many IN MX " + std::to_string(i) + " m" + std::to_string(i) + "\n";
  for (int i = 0; i < 20; ++i)
    zone += "m" + std::to_string(i) + " IN AAAA 2001:db8::" + std::to_string(i + 1) + "\n";
  auto zones = testing::zonesFromText({zone});
  auto r = ask(*zones, makeQuery("many.example.com.", RrType::kMx));
  EXPECT_FALSE(r.message.header.has(Flag::kTc));
  EXPECT_EQ(r.message.answers.size(), 20u);
  EXPECT_TRUE(r.message.additional.empty());
}

TEST_F(DnsAnswer, BadEdnsVersion) {
  Message m = *parseMessage(makeQuery("example.com.", RrType::kA, 7, 1232));
  m.edns->version = 1;
  auto r = ask(*zones_, serializeMessage(m));
  EXPECT_EQ(r.message.rcode(), Rcode::kBadVers);  // RFC 6891 §6.1.3
  EXPECT_TRUE(r.message.answers.empty());
}

TEST_F(DnsAnswer, MalformedAndOddQueries) {
  std::string q = makeQuery("example.com.", RrType::kA);
  // Responses are dropped; short packets are dropped.
  std::string response = q;
  response[2] |= 0x80;
  EXPECT_EQ(ask(*zones_, response).answer.action, Answer::Action::kDrop);
  EXPECT_EQ(ask(*zones_, q.substr(0, 11)).answer.action, Answer::Action::kDrop);
  // Truncated question, trailing bytes, QDCOUNT 2: FORMERR with the query ID.
  for (std::string bad : {q.substr(0, q.size() - 1), q + "x"}) {
    auto r = ask(*zones_, bad);
    EXPECT_EQ(r.message.rcode(), Rcode::kFormErr);
    EXPECT_EQ(r.message.header.id, 0x1234);
  }
  std::string two = q;
  two[5] = 2;
  EXPECT_EQ(ask(*zones_, two).message.rcode(), Rcode::kFormErr);
  std::string zero = q.substr(0, 12);
  zero[5] = 0;
  EXPECT_EQ(ask(*zones_, zero).message.rcode(), Rcode::kFormErr);
  // Unknown opcode: NOTIMP.
  std::string status = q;
  status[2] = static_cast<char>((status[2] & 0x87) | (2 << 3));
  EXPECT_EQ(ask(*zones_, status).message.rcode(), Rcode::kNotImp);
  // Two OPT records: FORMERR.
  Message m = *parseMessage(makeQuery("example.com.", RrType::kA, 1, 1232));
  std::string wire = serializeMessage(m);
  std::string opt = wire.substr(wire.size() - 11);
  wire += opt;
  wire[11] = 2;
  EXPECT_EQ(ask(*zones_, wire).message.rcode(), Rcode::kFormErr);
}

TEST_F(DnsAnswer, MinimalAny) {
  auto r = ask(*zones_, makeQuery("example.com.", RrType::kAny));
  ASSERT_FALSE(r.message.answers.empty());  // RFC 8482: one RRset
  uint16_t type = r.message.answers[0].type;
  for (const auto& a : r.message.answers) EXPECT_EQ(a.type, type);
}

TEST_F(DnsAnswer, TransfersNeedTcpAndPermission) {
  auto axfr = makeQuery("example.com.", RrType::kAxfr);
  EXPECT_EQ(ask(*zones_, axfr).message.rcode(), Rcode::kNotImp);  // not over UDP
  AnswerOptions tcp;
  tcp.tcp = true;
  EXPECT_EQ(ask(*zones_, axfr, tcp).message.rcode(), Rcode::kRefused);
  tcp.transfer_allowed = true;
  auto ok = ask(*zones_, axfr, tcp);
  EXPECT_EQ(ok.answer.action, Answer::Action::kTransfer);
  EXPECT_EQ(ok.answer.zone, 0);
  EXPECT_EQ(ask(*zones_, makeQuery("www.example.com.", RrType::kAxfr), tcp).message.rcode(),
            Rcode::kNotAuth);
  // IXFR over UDP: the current SOA (RFC 1995 §4).
  auto ixfr = ask(*zones_, makeQuery("example.com.", RrType::kIxfr));
  ASSERT_EQ(ixfr.message.answers.size(), 1u);
  EXPECT_EQ(ixfr.message.answers[0].type, RrType::kSoa);
}

TEST(DnsAnswerZones, NestedZonesPreferTheChild) {
  auto zones =
      testing::zonesFromText({"p.test. 60 IN SOA ns.p.test. hm.p.test. 1 1 1 1 60\n"
                              "c.p.test. 60 IN NS ns.c.p.test.\nns.c.p.test. 60 IN A 192.0.2.1\n",
                              "c.p.test. 60 IN SOA ns.c.p.test. hm.c.p.test. 2 1 1 1 60\n"
                              "c.p.test. 60 IN NS ns.c.p.test.\nns.c.p.test. 60 IN A 192.0.2.2\n"});
  auto r = ask(*zones, makeQuery("ns.c.p.test.", RrType::kA));
  EXPECT_TRUE(r.message.header.has(Flag::kAa));
  ASSERT_EQ(r.message.answers.size(), 1u);
  EXPECT_EQ(rdataToText(RrType::kA, r.message.answers[0].rdata), "192.0.2.2");
  auto nx = ask(*zones, makeQuery("x.c.p.test.", RrType::kA));
  EXPECT_EQ(soaField(nx.message.authority[0].rdata, 0), 2u);
}

TEST(DnsAnswerZones, EmptySnapshotRefuses) {
  auto r = ask(*ZoneSet::empty(), makeQuery("example.com.", RrType::kA));
  EXPECT_EQ(r.message.rcode(), Rcode::kRefused);
}

}  // namespace
}  // namespace mailjuke::dns
