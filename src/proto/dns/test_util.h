// Helpers for the DNS unit tests (test-only; not compiled into the library).
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "proto/dns/answer.h"
#include "proto/dns/message.h"
#include "proto/dns/zone_set.h"
#include "proto/dns/zone_text.h"

namespace mailjuke::dns::testing {

inline std::string makeQuery(std::string_view name, uint16_t type, uint16_t id = 0x1234,
                             std::optional<uint16_t> edns_size = std::nullopt) {
  Message m;
  m.header.id = id;
  m.header.flags = Flag::kRd;
  m.questions.push_back(Question{*Name::parse(name), type, RrClass::kIn});
  if (edns_size) {
    Edns e;
    e.udp_size = *edns_size;
    m.edns = e;
  }
  return serializeMessage(m);
}

inline std::shared_ptr<const ZoneSet> zonesFromText(const std::vector<std::string>& texts) {
  std::vector<Zone> zones;
  for (const auto& t : texts) {
    auto z = parseZoneText(t);
    EXPECT_TRUE(z.ok()) << (z.ok() ? "" : z.error().message);
    zones.push_back(*z);
  }
  auto set = ZoneSet::build(zones);
  EXPECT_TRUE(set.ok()) << (set.ok() ? "" : set.error().message);
  return *set;
}

struct Reply {
  Answer answer;
  std::string wire;
  Message message;
};

inline Reply ask(const ZoneSet& zones, const std::string& query, AnswerOptions options = {},
                 size_t capacity = kMaxMessageSize) {
  Reply r;
  r.wire.resize(capacity);
  r.answer = answerQuery(zones, reinterpret_cast<const uint8_t*>(query.data()), query.size(),
                         reinterpret_cast<uint8_t*>(r.wire.data()), capacity, options);
  r.wire.resize(r.answer.size);
  if (r.answer.action == Answer::Action::kReply) {
    auto m = parseMessage(r.wire);
    EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().message);
    if (m.ok()) r.message = *m;
  }
  return r;
}

inline const char* kExampleZone = R"(
$ORIGIN example.com.
$TTL 3600
@   IN SOA ns1.example.com. hostmaster.example.com. ( 2024010101 ; serial
        7200 3600 1209600 300 )
    IN NS ns1
    IN NS ns2.example.com.
    IN MX 10 mail
    IN A 192.0.2.1
    IN TXT "v=spf1 mx -all"
ns1 IN A 192.0.2.53
ns2 IN A 192.0.2.54
    IN AAAA 2001:db8::54
mail IN A 192.0.2.25
www 300 IN CNAME @
alias IN CNAME www
loop1 IN CNAME loop2
loop2 IN CNAME loop1
dangling IN CNAME missing
track IN CNAME elsewhere.example.net.
sel._domainkey IN TXT "v=DKIM1; k=rsa; " "p=MIIB"
_dmarc IN TXT "v=DMARC1; p=none"
sub IN NS ns.sub
sub IN NS ns.elsewhere.net.
ns.sub IN A 192.0.2.99
_sip._tcp IN SRV 10 5 5060 sip
sip IN AAAA 2001:db8::1
@ IN CAA 0 issue "letsencrypt.org"
a.b.c IN A 192.0.2.7
)";

}  // namespace mailjuke::dns::testing
