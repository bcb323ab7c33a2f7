// FETCH modifiers (RFC 7162 §3.1.4): "(CHANGEDSINCE mod-sequence-value)". Pure.
#include <strings.h>

#include "server/imap/fetch_items.h"

namespace mailjuke::imap {

Result<int64_t> parseChangedSince(const Token& t) {
  auto bad = [](const char* m) { return Error::make(ErrorCode::kMalformed, m); };
  if (t.kind != Token::Kind::kList || t.items.size() != 2) return bad("Unknown FETCH modifier");
  const Token& name = t.items[0];
  const Token& value = t.items[1];
  if (name.kind != Token::Kind::kAtom || strcasecmp(name.text.c_str(), "CHANGEDSINCE") != 0)
    return bad("Unknown FETCH modifier");
  const std::string& v = value.text;
  if (value.kind != Token::Kind::kAtom || v.empty() || v.size() > 18 ||
      v.find_first_not_of("0123456789") != std::string::npos)
    return bad("Bad CHANGEDSINCE value");
  return std::stoll(v);
}

}  // namespace mailjuke::imap
