#include "core/mailauth/spf_record.h"

#include <arpa/inet.h>

#include <cctype>

#include "base/encoding.h"

#include "core/mailauth/tag_list.h"

namespace mailjuke::core::mailauth {
namespace {

Error bad(std::string message) { return Error::invalid("spf", std::move(message)); }

bool isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool isDigit(char c) { return c >= '0' && c <= '9'; }

// §12: ip4-cidr-length / ip6-cidr-length digits: "0" or no leading zero, within `max`.
bool parseCidr(std::string_view digits, int max, int& out) {
  if (digits.empty() || digits.size() > 3 || (digits.size() > 1 && digits[0] == '0')) return false;
  int v = 0;
  for (char c : digits) {
    if (!isDigit(c)) return false;
    v = v * 10 + (c - '0');
  }
  if (v > max) return false;
  out = v;
  return true;
}

// Splits a trailing "/n" from `s` if the text after the last '/' is all digits.
bool takeSuffixCidr(std::string_view& s, std::string_view sep, int max, int& out, bool& error) {
  size_t pos = s.rfind(sep);
  if (pos == std::string_view::npos) return false;
  std::string_view digits = s.substr(pos + sep.size());
  for (char c : digits)
    if (!isDigit(c)) return false;
  if (sep == "/" && pos > 0 && s[pos - 1] == '/') return false;  // that is a "//" ip6 length
  if (!parseCidr(digits, max, out)) error = true;
  s = s.substr(0, pos);
  return true;
}

// §12 domain-end: "." toplabel ["."] or a macro-expand.
bool validDomainEnd(std::string_view spec) {
  if (!spec.empty() && spec.back() == '}') return true;
  if (!spec.empty() && spec.back() == '.') spec.remove_suffix(1);
  size_t dot = spec.rfind('.');
  if (dot == std::string_view::npos) return false;
  std::string_view top = spec.substr(dot + 1);
  if (top.empty() || top.front() == '-' || top.back() == '-') return false;
  bool alpha = false;
  for (char c : top) {
    if (!isAlpha(c) && !isDigit(c) && c != '-') return false;
    alpha = alpha || isAlpha(c) || c == '-';
  }
  return alpha;  // toplabel is not all-numeric
}

Status parseDomainSpec(std::string_view spec, std::string& out) {
  if (spec.empty()) return bad("empty domain-spec");
  MJ_TRY(validateMacroString(spec, false));
  if (!validDomainEnd(spec)) return bad("bad domain-spec \"" + std::string(spec) + "\"");
  out.assign(spec);
  return okStatus();
}

Status parseMechanism(std::string_view term, SpfMechanism& m) {
  std::string_view t = term;
  if (!t.empty() && (t[0] == '+' || t[0] == '-' || t[0] == '~' || t[0] == '?')) {
    m.qualifier = t[0];
    t.remove_prefix(1);
  }
  size_t end = t.find_first_of(":/");
  std::string name = toLowerAscii(t.substr(0, end));
  std::string_view rest = end == std::string_view::npos ? "" : t.substr(end);
  bool error = false;
  if (name == "all") {
    m.kind = SpfKind::kAll;
    if (!rest.empty()) return bad("\"all\" takes no argument");
  } else if (name == "include" || name == "exists") {  // §5.2, §5.7
    m.kind = name == "include" ? SpfKind::kInclude : SpfKind::kExists;
    if (rest.empty() || rest[0] != ':') return bad(name + " needs a domain");
    MJ_TRY(parseDomainSpec(rest.substr(1), m.domain_spec));
  } else if (name == "a" || name == "mx") {  // §5.3, §5.4 with dual-cidr-length
    m.kind = name == "a" ? SpfKind::kA : SpfKind::kMx;
    takeSuffixCidr(rest, "//", 128, m.cidr6, error);
    takeSuffixCidr(rest, "/", 32, m.cidr4, error);
    if (error) return bad("bad CIDR length in \"" + std::string(term) + "\"");
    if (!rest.empty()) {
      if (rest[0] != ':') return bad("bad mechanism \"" + std::string(term) + "\"");
      MJ_TRY(parseDomainSpec(rest.substr(1), m.domain_spec));
    }
  } else if (name == "ptr") {  // §5.5
    m.kind = SpfKind::kPtr;
    if (!rest.empty()) {
      if (rest[0] != ':') return bad("bad ptr mechanism");
      MJ_TRY(parseDomainSpec(rest.substr(1), m.domain_spec));
    }
  } else if (name == "ip4" || name == "ip6") {  // §5.6
    bool v6 = name == "ip6";
    m.kind = v6 ? SpfKind::kIp6 : SpfKind::kIp4;
    if (rest.empty() || rest[0] != ':') return bad(name + " needs an address");
    std::string_view net = rest.substr(1);
    int& cidr = v6 ? m.cidr6 : m.cidr4;
    size_t slash = net.find('/');
    if (slash != std::string_view::npos) {
      if (!parseCidr(net.substr(slash + 1), v6 ? 128 : 32, cidr))
        return bad("bad CIDR length in \"" + std::string(term) + "\"");
      net = net.substr(0, slash);
    }
    unsigned char buf[16];
    std::string addr(net);
    if (inet_pton(v6 ? AF_INET6 : AF_INET, addr.c_str(), buf) != 1)
      return bad("bad address in \"" + std::string(term) + "\"");
    m.network.assign(reinterpret_cast<char*>(buf), v6 ? 16 : 4);
  } else {
    return bad("unknown mechanism \"" + std::string(term) + "\"");
  }
  return okStatus();
}

}  // namespace

bool isSpfRecord(std::string_view txt) {
  return txt.size() >= 6 && equalsIgnoreCase(txt.substr(0, 6), "v=spf1") &&
         (txt.size() == 6 || txt[6] == ' ');
}

Status validateMacroString(std::string_view s, bool exp) {
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = s[i];
    if (c != '%') {
      if (c < 0x21 || c > 0x7e) return bad("invalid character in a macro-string");
      continue;
    }
    // §7.1 macro-expand: "%{" letter *DIGIT ["r"] *delimiter "}" / "%%" / "%_" / "%-".
    if (i + 1 >= s.size()) return bad("a lone \"%\" in a macro-string");
    char n = s[++i];
    if (n == '%' || n == '_' || n == '-') continue;
    if (n != '{' || i + 1 >= s.size()) return bad("bad macro");
    char letter = char(std::tolower(static_cast<unsigned char>(s[++i])));
    bool ok = std::string_view("slodiphv").find(letter) != std::string_view::npos ||
              (exp && std::string_view("crt").find(letter) != std::string_view::npos);
    if (!ok) return bad(std::string("macro letter \"") + s[i] + "\" is not allowed here");
    ++i;
    while (i < s.size() && isDigit(s[i])) ++i;
    if (i < s.size() && (s[i] == 'r' || s[i] == 'R')) ++i;
    while (i < s.size() && std::string_view(".-+,/_=").find(s[i]) != std::string_view::npos) ++i;
    if (i >= s.size() || s[i] != '}') return bad("unterminated macro");
  }
  return okStatus();
}

Result<SpfRecord> parseSpfRecord(std::string_view txt) {
  if (!isSpfRecord(txt)) return bad("not an SPF record");
  SpfRecord out;
  size_t pos = 6;
  while (pos < txt.size()) {
    if (txt[pos] == ' ') {  // terms are separated by 1*SP (§12)
      ++pos;
      continue;
    }
    size_t end = txt.find(' ', pos);
    if (end == std::string_view::npos) end = txt.size();
    std::string_view term = txt.substr(pos, end - pos);
    pos = end;
    size_t eq = term.find('=');
    size_t name_end = term.find_first_of(":/");
    if (eq != std::string_view::npos && (name_end == std::string_view::npos || eq < name_end)) {
      // §6 modifier: name "=" macro-string; name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )
      std::string_view name = term.substr(0, eq), value = term.substr(eq + 1);
      if (name.empty() || !isAlpha(name[0]))
        return bad("bad modifier \"" + std::string(term) + "\"");
      for (char c : name)
        if (!isAlpha(c) && !isDigit(c) && c != '-' && c != '_' && c != '.')
          return bad("bad modifier \"" + std::string(term) + "\"");
      if (equalsIgnoreCase(name, "redirect")) {
        if (out.redirect) return bad("more than one redirect=");  // §6
        std::string spec;
        MJ_TRY(parseDomainSpec(value, spec));
        out.redirect = spec;
      } else if (equalsIgnoreCase(name, "exp")) {
        if (out.exp) return bad("more than one exp=");
        std::string spec;
        MJ_TRY(parseDomainSpec(value, spec));
        out.exp = spec;
      } else {
        MJ_TRY(validateMacroString(value, false));  // §6: unknown modifiers are ignored
      }
      continue;
    }
    SpfMechanism m;
    m.text = std::string(term);
    MJ_TRY(parseMechanism(term, m));
    out.mechanisms.push_back(std::move(m));
  }
  return out;
}

}  // namespace mailjuke::core::mailauth
