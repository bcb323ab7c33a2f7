// Fuzzes the RFC 5322 header parser, unfolding and address extraction.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "proto/mime/headers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mailjuke::mime;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto h = parseHeaders(in);
  if (h.ok()) {
    for (const auto& f : h->fields) {
      (void)unfold(f.value);
      (void)addresses(f.value);
    }
    (void)h->find("From");
  }
  (void)addresses(in);
  return 0;
}
