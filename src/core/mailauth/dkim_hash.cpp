#include "core/mailauth/dkim_hash.h"

#include <map>

#include "core/mailauth/tag_list.h"

namespace mailjuke::core::mailauth {

std::string headerHashInput(const mime::ParsedHeaders& headers,
                            const std::vector<std::string>& names, Canon canon,
                            std::string_view signature_field) {
  std::string out;
  std::map<std::string, size_t> used;  // lowercased name → instances consumed from the bottom
  for (const auto& name : names) {
    std::string key;
    for (char c : name) key += (c >= 'A' && c <= 'Z') ? char(c + 32) : c;
    size_t skip = used[key]++;
    for (auto it = headers.fields.rbegin(); it != headers.fields.rend(); ++it) {
      if (!equalsIgnoreCase(it->name, name)) continue;
      if (skip-- > 0) continue;
      std::string field = canonHeader(canon, it->raw);
      // A field at the very end of a header without a body separator may lack its CRLF.
      if (field.size() < 2 || field.compare(field.size() - 2, 2, "\r\n") != 0) field += "\r\n";
      out += field;
      break;
    }
  }
  std::string sig = canonHeader(canon, signature_field);
  if (sig.size() >= 2 && sig.compare(sig.size() - 2, 2, "\r\n") == 0) sig.resize(sig.size() - 2);
  out += sig;
  return out;
}

std::string withEmptySignature(std::string_view raw) {
  if (raw.size() >= 2 && raw.substr(raw.size() - 2) == "\r\n") raw.remove_suffix(2);
  size_t colon = raw.find(':');
  if (colon == std::string_view::npos) return std::string(raw);
  std::string out(raw.substr(0, colon + 1));
  size_t pos = colon + 1;
  while (pos <= raw.size()) {
    size_t semi = raw.find(';', pos);
    size_t end = semi == std::string_view::npos ? raw.size() : semi;
    std::string_view spec = raw.substr(pos, end - pos);
    // Is this tag-spec "b" [FWS] "=" ...? (Not "bh".)
    size_t i = 0;
    while (i < spec.size() &&
           (spec[i] == ' ' || spec[i] == '\t' || spec[i] == '\r' || spec[i] == '\n'))
      ++i;
    bool is_b = false;
    if (i < spec.size() && spec[i] == 'b') {
      size_t j = i + 1;
      while (j < spec.size() &&
             (spec[j] == ' ' || spec[j] == '\t' || spec[j] == '\r' || spec[j] == '\n'))
        ++j;
      if (j < spec.size() && spec[j] == '=') {
        is_b = true;
        out.append(spec.substr(0, j + 1));
      }
    }
    if (!is_b) out.append(spec);
    if (semi == std::string_view::npos) break;
    out += ';';
    pos = semi + 1;
  }
  return out;
}

}  // namespace mailjuke::core::mailauth
