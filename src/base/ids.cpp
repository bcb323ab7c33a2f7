#include "base/ids.h"

#include <chrono>

#include "base/crypto.h"

namespace mailjuke {
namespace {
// Crockford's base32 alphabet in lower case: ASCII order equals numeric order, so ids sort by
// creation time and serve as pagination cursors.
constexpr char kAlphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";
}  // namespace

std::string newId(std::string_view prefix) {
  std::string id(prefix);
  id += '_';
  uint64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  for (int shift = 45; shift >= 0; shift -= 5) id += kAlphabet[(ms >> shift) & 31];  // 10 chars
  std::string rnd = crypto::randomBytes(10);  // 80 random bits, 16 chars
  uint64_t acc = 0;
  int bits = 0;
  for (unsigned char c : rnd) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      id += kAlphabet[(acc >> bits) & 31];
    }
  }
  return id;
}

bool hasIdPrefix(std::string_view id, std::string_view prefix) {
  return id.size() == prefix.size() + 27 && id.substr(0, prefix.size()) == prefix &&
         id[prefix.size()] == '_';
}

}  // namespace mailjuke
