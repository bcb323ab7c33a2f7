// Fuzzes the DNS message parser and the answer engine with arbitrary datagrams.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "proto/dns/answer.h"
#include "proto/dns/message.h"
#include "proto/dns/transfer.h"
#include "proto/dns/zone_text.h"

using namespace mailjuke::dns;

namespace {

const ZoneSet& fixture() {
  static const auto zones = [] {
    auto zone = parseZoneText(R"($ORIGIN example.com.
$TTL 300
@ SOA ns1 hostmaster 1 7200 3600 1209600 300
@ NS ns1
@ NS ns2.example.net.
@ MX 10 mail
@ A 192.0.2.1
@ TXT "v=spf1 -all"
ns1 A 192.0.2.53
mail A 192.0.2.25
mail AAAA 2001:db8::25
www CNAME @
a CNAME b
b CNAME c
sub NS ns.sub
ns.sub A 192.0.2.99
x.y.z TXT "deep"
_sip._tcp SRV 1 2 5060 mail
@ CAA 0 issue "ca.example"
)");
    std::vector<Zone> zones{*zone};
    return *ZoneSet::build(std::move(zones));
  }();
  return *zones;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view wire(reinterpret_cast<const char*>(data), size);
  auto parsed = parseMessage(wire);
  if (parsed.ok()) {
    // What we parse, we can write and parse again.
    auto again = parseMessage(serializeMessage(*parsed));
    if (!again.ok()) std::abort();
  }
  static std::vector<uint8_t> out(kMaxMessageSize);
  for (bool tcp : {false, true}) {
    AnswerOptions options;
    options.tcp = tcp;
    options.transfer_allowed = tcp;
    Answer a = answerQuery(fixture(), data, size, out.data(), out.size(), options);
    if (a.action == Answer::Action::kReply) {
      if (a.size > out.size() || (!tcp && a.size > 1232)) std::abort();
      if (!parseMessage(std::string_view(reinterpret_cast<char*>(out.data()), a.size)).ok())
        std::abort();  // every reply we produce is well-formed
    } else if (a.action == Answer::Action::kTransfer) {
      buildTransfer(fixture(), a.zone, wire);
    }
  }
  return 0;
}
