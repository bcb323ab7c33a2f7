#include "core/accounts/validation.h"

#include "base/encoding.h"

namespace mailjuke::core {

size_t codePoints(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

Result<std::string> normalizeEmail(std::string_view field, std::string_view email) {
  std::string e(email);
  while (!e.empty() && e.back() == ' ') e.pop_back();
  while (!e.empty() && e.front() == ' ') e.erase(e.begin());
  e = toLowerAscii(e);
  auto at = e.find('@');
  if (e.empty()) return Error::invalid(std::string(field), "is required");
  if (e.size() > 254 || at == std::string::npos || at == 0 || at > 64 ||
      e.find('@', at + 1) != std::string::npos)
    return Error::invalid(std::string(field), "must be a valid e-mail address");
  std::string domain = e.substr(at + 1);
  if (domain.size() < 3 || domain.find('.') == std::string::npos || domain.front() == '.' ||
      domain.back() == '.' || domain.find("..") != std::string::npos)
    return Error::invalid(std::string(field), "must be a valid e-mail address");
  for (unsigned char c : e)
    if (c <= ' ' || c == 0x7f || c == '<' || c == '>' || c == '(' || c == ')' || c == ',' ||
        c == ';' || c == ':' || c == '\\' || c == '"' || c == '[' || c == ']')
      return Error::invalid(std::string(field), "must be a valid e-mail address");
  return e;
}

Status checkPassword(std::string_view field, std::string_view password) {
  size_t n = codePoints(password);
  if (n < 12) return Error::invalid(std::string(field), "must be at least 12 characters");
  if (n > 128) return Error::invalid(std::string(field), "must be at most 128 characters");
  return {};
}

Status checkText(std::string_view field, std::string_view text, size_t max, bool required) {
  if (required && text.find_first_not_of(' ') == std::string_view::npos)
    return Error::invalid(std::string(field), "is required");
  if (codePoints(text) > max)
    return Error::invalid(std::string(field),
                          "must be at most " + std::to_string(max) + " characters");
  for (unsigned char c : text)
    if (c < 0x20 || c == 0x7f)
      return Error::invalid(std::string(field), "must not contain control characters");
  return {};
}

}  // namespace mailjuke::core
