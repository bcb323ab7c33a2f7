// Fuzzes the MIME structure parse (GMime underneath): offsets must stay inside the message and
// ordered, whatever the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "proto/mime/structure.h"

namespace {

void check(const mailjuke::mime::MimePart& p, size_t size) {
  if (p.header_begin > p.body_begin || p.body_begin > p.body_end || p.body_end > size) abort();
  for (const auto& c : p.children) check(c, size);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto s = mailjuke::mime::parseStructure(in);
  if (s.ok()) check(s->root, size);
  return 0;
}
