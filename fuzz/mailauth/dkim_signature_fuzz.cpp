// Fuzzes the DKIM tag-list parser (RFC 6376 §3.2) as a DKIM-Signature value and as a key record,
// the b= blanking, and the verifier over a message carrying the input as its signature.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/mailauth/dkim.h"
#include "core/mailauth/dkim_hash.h"
#include "core/mailauth/dkim_key_record.h"
#include "core/mailauth/fake_resolver.h"
#include "core/mailauth/tag_list.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mailjuke::core::mailauth;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto tags = parseTagList(in);
  if (tags.ok())
    for (const auto& [name, value] : tags->tags) (void)splitList(value, ':');
  (void)parseDkimKey(in);
  std::string field = "DKIM-Signature:" + std::string(in) + "\r\n";
  (void)withEmptySignature(field);
  testing::FakeResolver dns;
  dns.txt_records["sel._domainkey.example.com"] = {std::string(in)};
  std::string message = field + "From: a@example.com\r\nSubject: x\r\n\r\nbody\r\n";
  (void)dkimVerify(message, dns, 1700000000);
  return 0;
}
