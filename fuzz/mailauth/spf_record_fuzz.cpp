// Fuzzes the SPF record parser (RFC 7208 §12), macro expansion (§7) and check_host() with the
// input published as example.com's record (every other name is NXDOMAIN).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/mailauth/fake_resolver.h"
#include "core/mailauth/spf_dmarc.h"
#include "core/mailauth/spf_macro.h"
#include "core/mailauth/spf_record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mailjuke::core::mailauth;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  (void)parseSpfRecord(in);
  SpfMacroContext ctx{"a@example.com", "a",   "example.com",   "example.com",
                      "192.0.2.1",     false, "mx.example.com"};
  if (validateMacroString(in, true).ok()) (void)expandMacros(in, ctx);
  (void)expandDomainSpec(in, ctx);
  testing::FakeResolver dns;
  dns.txt_records["example.com"] = {std::string(in)};
  dns.txt_records["inc.example.com"] = {"v=spf1 include:example.com ip4:10.0.0.0/8 -all"};
  dns.a_records["example.com"] = {"192.0.2.1"};
  dns.mx_records["example.com"] = {{10, "example.com"}};
  (void)checkSpf("192.0.2.1", "mx.example.com", "a@example.com", dns);
  (void)checkSpf("2001:db8::1", "mx.example.com", "", dns);
  (void)checkSpf("192.0.2.1", "mx.example.com", "a@inc.example.com", dns);
  return 0;
}
