// Case-insensitive "contains" searches in SQL that both engines run the same way:
// `LOWER(column) LIKE ? ESCAPE '!'` with the parameter from containsPattern().
#pragma once

#include <string>

namespace mailjuke::core {

// "%q%" with `q` lowercased (ASCII) and LIKE's wildcards (and the escape '!') escaped by '!'.
inline std::string containsPattern(const std::string& q) {
  std::string out = "%";
  for (char c : q) {
    if (c == '%' || c == '_' || c == '!') out += '!';
    out += (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
  }
  return out + "%";
}

}  // namespace mailjuke::core
