#include "core/domains/domain_name.h"

#include <arpa/inet.h>
#include <idn2.h>
#include <libpsl.h>

#include <cstdlib>
#include <memory>

#include "base/encoding.h"

namespace mailjuke::core {
namespace {

struct FreeDeleter {
  void operator()(char* p) const { idn2_free(p); }
};

bool isIpLiteral(const std::string& s) {
  unsigned char buf[16];
  std::string bare = s;
  if (bare.size() > 2 && bare.front() == '[' && bare.back() == ']') return true;
  return inet_pton(AF_INET, bare.c_str(), buf) == 1 || inet_pton(AF_INET6, bare.c_str(), buf) == 1;
}

}  // namespace

Result<DomainName> parseDomainName(std::string_view field, std::string_view input) {
  const std::string f(field);
  std::string name(input);
  while (!name.empty() && (name.back() == ' ' || name.back() == '.')) name.pop_back();
  while (!name.empty() && name.front() == ' ') name.erase(name.begin());
  if (name.empty()) return Error::invalid(f, "is required");
  if (!isValidUtf8(name)) return Error::invalid(f, "must be valid UTF-8");
  if (isIpLiteral(name)) return Error::invalid(f, "must be a domain name, not an IP address");
  char* out = nullptr;
  int rc = idn2_to_ascii_8z(name.c_str(), &out, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
  std::unique_ptr<char, FreeDeleter> ascii_holder(out);
  if (rc != IDN2_OK)
    return Error::invalid(
        f, std::string("is not a valid internationalised domain name (") + idn2_strerror(rc) + ")");
  std::string ascii = toLowerAscii(out);
  if (ascii.size() > 253) return Error::invalid(f, "must be at most 253 octets");
  size_t start = 0;
  int labels = 0;
  while (start <= ascii.size()) {
    size_t dot = ascii.find('.', start);
    if (dot == std::string::npos) dot = ascii.size();
    std::string label = ascii.substr(start, dot - start);
    if (label.empty()) return Error::invalid(f, "must not contain empty labels");
    if (label.size() > 63) return Error::invalid(f, "labels must be at most 63 octets");
    if (label.front() == '-' || label.back() == '-')
      return Error::invalid(f, "labels must not start or end with a hyphen");
    for (char c : label)
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
        return Error::invalid(f, "may contain only letters, digits and hyphens");
    ++labels;
    start = dot + 1;
  }
  if (labels < 2) return Error::invalid(f, "must have at least two labels");
  const psl_ctx_t* psl = psl_builtin();
  if (!psl) return Error::internal("the public suffix list is unavailable");
  if (psl_is_public_suffix(psl, ascii.c_str()))
    return Error::invalid(f, "is a public suffix; use a domain registered under it");
  const char* registrable = psl_registrable_domain(psl, ascii.c_str());
  if (!registrable || ascii != registrable)
    return Error::invalid(
        f, std::string("must be a registrable domain") +
               (registrable ? " (did you mean " + std::string(registrable) + "?)" : ""));
  char* uni = nullptr;
  std::string unicode = ascii;
  if (idn2_to_unicode_8z8z(ascii.c_str(), &uni, 0) == IDN2_OK && uni) unicode = uni;
  idn2_free(uni);
  return DomainName{ascii, unicode};
}

}  // namespace mailjuke::core
