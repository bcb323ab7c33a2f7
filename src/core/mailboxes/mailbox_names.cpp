#include "core/mailboxes/mailbox_names.h"

#include <unordered_set>

#include "base/crypto.h"
#include "base/encoding.h"

namespace mailjuke::core {
namespace {

// RFC 5322 §3.2.3 atext.
bool isAtext(unsigned char c) {
  if (std::isalnum(c)) return true;
  return std::string_view("!#$%&'*+-/=?^_`{|}~").find(char(c)) != std::string_view::npos;
}

bool isDotAtom(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  char prev = 0;
  for (char c : s) {
    if (c == '.') {
      if (prev == '.') return false;
    } else if (!isAtext(static_cast<unsigned char>(c))) {
      return false;
    }
    prev = c;
  }
  return true;
}

bool isHostName(std::string_view h) {
  if (h.empty() || h.size() > 253) return false;
  size_t labels = 0, start = 0;
  std::string_view last;
  while (start <= h.size()) {
    size_t dot = h.find('.', start);
    if (dot == std::string_view::npos) dot = h.size();
    auto label = h.substr(start, dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return false;
    for (char c : label)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    last = label;
    ++labels;
    start = dot + 1;
  }
  if (labels < 2) return false;
  for (char c : last)  // RFC 3696 §2: a TLD is never all-numeric (rules out IP literals)
    if (!std::isdigit(static_cast<unsigned char>(c))) return true;
  return false;
}

// Decodes one UTF-8 sequence at s[i]; advances i. Returns 0xFFFD on a bad sequence.
uint32_t nextCodePoint(std::string_view s, size_t& i) {
  unsigned char c = static_cast<unsigned char>(s[i++]);
  if (c < 0x80) return c;
  int extra = (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
  if (extra < 0) return 0xFFFD;
  uint32_t cp = c & (0x3F >> extra);
  for (int k = 0; k < extra; ++k) {
    if (i >= s.size() || (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) return 0xFFFD;
    cp = (cp << 6) | (static_cast<unsigned char>(s[i++]) & 0x3F);
  }
  return cp;
}

// Base letters for U+00C0–U+00FF and U+0100–U+017F; '?' marks a two-letter special, '_' none.
constexpr std::string_view kLatin1 =
    "aaaaaa?ceeeeiiiidnooooo_ouuuuy??aaaaaa?ceeeeiiiidnooooo_ouuuuy?y";
constexpr std::string_view kLatinExtA =
    "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii??jjkkkllllllllllnnnnnnnnnoooooo??rrrrrrs"
    "sssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";
static_assert(kLatin1.size() == 64);
static_assert(kLatinExtA.size() == 128);

std::string transliterate(uint32_t cp) {
  if (cp < 0x80) {
    char c = char(std::tolower(int(cp)));
    return std::isalnum(static_cast<unsigned char>(c)) ? std::string(1, c) : std::string();
  }
  switch (cp) {
    case 0xC6:
    case 0xE6:
      return "ae";
    case 0xDE:
    case 0xFE:
      return "th";
    case 0xDF:
      return "ss";
    case 0x132:
    case 0x133:
      return "ij";
    case 0x152:
    case 0x153:
      return "oe";
    default:
      break;
  }
  char c = '_';
  if (cp >= 0xC0 && cp <= 0xFF) c = kLatin1[cp - 0xC0];
  if (cp >= 0x100 && cp <= 0x17F) c = kLatinExtA[cp - 0x100];
  return c == '_' || c == '?' ? std::string() : std::string(1, c);
}

// A view into `s` (not into a temporary copy): the first letter of an ASCII-only token.
std::string_view firstCodePointOrEmpty(const std::string& s) {
  return std::string_view(s).substr(0, s.empty() ? 0 : 1);
}

}  // namespace

Result<std::string> parseLocalPart(std::string_view field, std::string_view input) {
  std::string f(field);
  if (input.empty()) return Error::invalid(f, "is required");
  if (input.size() > kMaxLocalPart)
    return Error::invalid(f, "must be at most 64 characters (RFC 5321)");
  // The quoted-string form (RFC 5321 §4.1.2) is legal but breaks many clients: not offered.
  if (!isDotAtom(input))
    return Error::invalid(f,
                          "must be letters, digits and !#$%&'*+-/=?^_`{|}~, with single dots "
                          "between them (not first or last)");
  return toLowerAscii(input);
}

Result<std::string> parseMailAddress(std::string_view field, std::string_view input) {
  std::string f(field);
  auto at = input.rfind('@');
  if (at == std::string_view::npos || input.size() > 254)
    return Error::invalid(f, "must be an e-mail address like name@example.com");
  auto local = parseLocalPart(field, input.substr(0, at));
  if (!local.ok()) return Error::invalid(f, "has an invalid local part: " + local.error().message);
  std::string host = toLowerAscii(input.substr(at + 1));
  if (!host.empty() && host.back() == '.') host.pop_back();
  if (!isHostName(host))
    return Error::invalid(f, "must have a valid domain (use the xn-- form for IDNs)");
  return *local + "@" + host;
}

Status validatePersonName(std::string_view field, std::string_view input) {
  if (!isValidUtf8(input)) return Error::invalid(std::string(field), "must be valid UTF-8");
  size_t chars = 0;
  for (unsigned char c : input) {
    if (c < 0x20 || c == 0x7f)
      return Error::invalid(std::string(field), "must not contain control characters");
    if ((c & 0xC0) != 0x80) ++chars;
  }
  if (chars > 100) return Error::invalid(std::string(field), "must be at most 100 characters");
  return {};
}

Status validateMailboxPassword(std::string_view field, std::string_view input) {
  std::string f(field);
  if (!isValidUtf8(input)) return Error::invalid(f, "must be valid UTF-8");
  size_t chars = 0;
  for (unsigned char c : input) {
    if (c < 0x20 || c == 0x7f) return Error::invalid(f, "must not contain control characters");
    if ((c & 0xC0) != 0x80) ++chars;
  }
  if (chars < 12 || chars > 128) return Error::invalid(f, "must be 12 to 128 characters");
  if (std::string_view("=+-@").find(input.front()) != std::string_view::npos)
    return Error::invalid(f, "must not start with = + - or @ (CSV exports would alter it)");
  return {};
}

std::string generateMailboxPassword() {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string out;
  out += kAlphabet[crypto::randomUniform(52)];  // a letter first
  while (out.size() < 24) out += kAlphabet[crypto::randomUniform(uint32_t(kAlphabet.size()))];
  return out;
}

const std::vector<std::string>& namePatternNames() {
  static const std::vector<std::string> kNames = {"first", "first.last", "firstlast",
                                                  "flast", "f.last",     "first_l"};
  return kNames;
}

std::optional<NamePattern> parseNamePattern(std::string_view name) {
  const auto& names = namePatternNames();
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return NamePattern(i);
  return std::nullopt;
}

std::string addressToken(std::string_view name) {
  std::string out;
  for (size_t i = 0; i < name.size();) out += transliterate(nextCodePoint(name, i));
  return out;
}

std::string patternLocalPart(NamePattern pattern, std::string_view first_name,
                             std::string_view last_name) {
  std::string f = addressToken(first_name), l = addressToken(last_name);
  if (f.empty()) return "";
  auto join = [](std::string a, const char* sep, std::string_view b) {
    return b.empty() ? a : a + sep + std::string(b);
  };
  std::string out;
  switch (pattern) {
    case NamePattern::kFirst:
      out = f;
      break;
    case NamePattern::kFirstDotLast:
      out = join(f, ".", l);
      break;
    case NamePattern::kFirstLast:
      out = f + l;
      break;
    case NamePattern::kFLast:
      out = l.empty() ? f : f.substr(0, 1) + l;
      break;
    case NamePattern::kFDotLast:
      out = l.empty() ? f : join(f.substr(0, 1), ".", l);
      break;
    case NamePattern::kFirstL:
      out = join(f, "_", firstCodePointOrEmpty(l));
      break;
  }
  if (out.size() > kMaxLocalPart) out.resize(kMaxLocalPart);
  while (!out.empty() && (out.back() == '.' || out.back() == '_')) out.pop_back();
  return out;
}

std::vector<PlannedMailbox> planAddresses(NamePattern pattern, const std::vector<Person>& people,
                                          size_t count, const std::vector<std::string>& taken) {
  std::vector<PlannedMailbox> out;
  std::unordered_set<std::string> used(taken.begin(), taken.end());
  std::vector<std::string> base;
  bool any = false;
  for (const auto& p : people) {
    base.push_back(patternLocalPart(pattern, p.first_name, p.last_name));
    any |= !base.back().empty();
  }
  if (!any) return out;
  for (int round = 0; round < 1000 && out.size() < count; ++round) {
    for (size_t j = 0; j < people.size() && out.size() < count; ++j) {
      if (base[j].empty()) continue;
      std::string suffix = round == 0 ? "" : std::to_string(round + 1);
      std::string local = base[j];
      if (local.size() + suffix.size() > kMaxLocalPart) local.resize(kMaxLocalPart - suffix.size());
      while (!local.empty() && (local.back() == '.' || local.back() == '_')) local.pop_back();
      local += suffix;
      if (!used.insert(local).second) continue;
      out.push_back({local, j});
    }
  }
  return out;
}

}  // namespace mailjuke::core
