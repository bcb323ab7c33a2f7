#include "proto/imap/case_fold.h"

#include <algorithm>

namespace mailjuke::imap {
namespace {

// In [lo, hi], the code points at lo, lo+2, … fold to the next one (upper, lower pairs).
bool evenPair(char32_t c, char32_t lo, char32_t hi) {
  return c >= lo && c <= hi && (c - lo) % 2 == 0;
}

char32_t foldGreek(char32_t c) {
  if ((c >= 0x391 && c <= 0x3A1) || (c >= 0x3A3 && c <= 0x3AB)) return c + 0x20;
  if (c >= 0x388 && c <= 0x38A) return c + 0x25;
  if (c == 0x38E || c == 0x38F) return c + 0x3F;
  if (evenPair(c, 0x370, 0x372) || c == 0x376 || evenPair(c, 0x3D8, 0x3EE)) return c + 1;
  if (c >= 0x3FD && c <= 0x3FF) return c - 0x82;
  switch (c) {
    case 0x345:
      return 0x3B9;
    case 0x37F:
      return 0x3F3;
    case 0x386:
      return 0x3AC;
    case 0x38C:
      return 0x3CC;
    case 0x3C2:
      return 0x3C3;  // final sigma
    case 0x3CF:
      return 0x3D7;
    case 0x3D0:
      return 0x3B2;
    case 0x3D1:
      return 0x3B8;
    case 0x3D5:
      return 0x3C6;
    case 0x3D6:
      return 0x3C0;
    case 0x3F0:
      return 0x3BA;
    case 0x3F1:
      return 0x3C1;
    case 0x3F4:
      return 0x3B8;
    case 0x3F5:
      return 0x3B5;
    case 0x3F7:
      return 0x3F8;
    case 0x3F9:
      return 0x3F2;
    case 0x3FA:
      return 0x3FB;
    default:
      return c;
  }
}

char32_t foldCyrillic(char32_t c) {
  if (c >= 0x400 && c <= 0x40F) return c + 0x50;
  if (c >= 0x410 && c <= 0x42F) return c + 0x20;
  if (evenPair(c, 0x460, 0x480) || evenPair(c, 0x48A, 0x4BE) || evenPair(c, 0x4D0, 0x52E))
    return c + 1;
  if (c == 0x4C0) return 0x4CF;
  if (c >= 0x4C1 && c <= 0x4CD && c % 2 == 1) return c + 1;
  return c;
}

char32_t foldLatin(char32_t c) {
  if (c == 0xB5) return 0x3BC;  // MICRO SIGN → Greek mu
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 0x20;
  if (evenPair(c, 0x100, 0x12E) || evenPair(c, 0x132, 0x136) || evenPair(c, 0x14A, 0x176))
    return c + 1;
  if (c >= 0x139 && c <= 0x147 && c % 2 == 1) return c + 1;
  if (c == 0x179 || c == 0x17B || c == 0x17D) return c + 1;
  if (c == 0x178) return 0xFF;
  if (c == 0x17F) return 's';  // long s
  if (evenPair(c, 0x1E00, 0x1E94) || evenPair(c, 0x1EA0, 0x1EFE)) return c + 1;
  if (c == 0x1E9B) return 0x1E61;
  if (c == 0x1E9E) return 0xDF;  // capital sharp s
  return c;
}

// Decodes one well-formed UTF-8 sequence at `s[i]`; 0 when the bytes there are not one.
size_t decode(std::string_view s, size_t i, char32_t& out) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  size_t len = b0 >= 0xF0 && b0 <= 0xF4 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC2 && b0 < 0xE0 ? 2 : 0;
  if (b0 >= 0xF5) len = 0;
  if (len == 0 || i + len > s.size()) return 0;
  char32_t c = b0 & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
  for (size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    c = (c << 6) | (b & 0x3F);
  }
  static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (c < kMin[len] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
  out = c;
  return len;
}

void encode(char32_t c, std::string& out) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

char asciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

}  // namespace

char32_t foldCodePoint(char32_t c) {
  if (c < 0x80) return c >= 'A' && c <= 'Z' ? c + 32 : c;
  if (c < 0x250 || (c >= 0x1E00 && c <= 0x1EFF)) return foldLatin(c);
  if (c >= 0x345 && c <= 0x3FF) return foldGreek(c);
  if (c >= 0x400 && c <= 0x52F) return foldCyrillic(c);
  if (c >= 0x531 && c <= 0x556) return c + 0x30;    // Armenian
  if (c >= 0xFF21 && c <= 0xFF3A) return c + 0x20;  // fullwidth A–Z
  switch (c) {
    case 0x2126:
      return 0x3C9;  // OHM SIGN
    case 0x212A:
      return 'k';  // KELVIN SIGN
    case 0x212B:
      return 0xE5;  // ANGSTROM SIGN
    default:
      return c;
  }
}

std::string foldCase(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const char ch = text[i];
    if (static_cast<unsigned char>(ch) < 0x80) {
      out += asciiLower(ch);
      ++i;
      continue;
    }
    char32_t c = 0;
    size_t n = decode(text, i, c);
    if (n == 0) {
      out += ch;
      ++i;
      continue;
    }
    encode(foldCodePoint(c), out);
    i += n;
  }
  return out;
}

bool containsFolded(std::string_view hay, std::string_view needle) {
  if (needle.empty()) return true;
  const bool ascii = std::all_of(needle.begin(), needle.end(),
                                 [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (ascii) {
    auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end(),
                          [](char x, char y) { return asciiLower(x) == asciiLower(y); });
    return it != hay.end();
  }
  const std::string n = foldCase(needle);
  return foldCase(hay).find(n) != std::string::npos;
}

}  // namespace mailjuke::imap
