// IMAP command grammar (RFC 9051 §9, RFC 3501 §9): one complete command in wire form (as
// CommandReader framed it, literals inline) → tag, command name and a token tree. Command
// specific meaning (FETCH items, SEARCH keys) is read from the tokens by the server. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace mailjuke::imap {

struct Token {
  enum class Kind {
    kAtom,    // atom, incl. flags (\Seen), sequence sets and section specs (BODY[1.2]<0.10>)
    kString,  // quoted string or literal, decoded
    kList,    // parenthesised list
  };
  Kind kind = Kind::kAtom;
  std::string text;          // atom or string content
  std::vector<Token> items;  // list members
  bool literal = false;      // a string that arrived as a literal
  bool binary = false;       // literal8 "~{N}" (RFC 3516)

  bool isAtom(std::string_view upper) const;  // case-insensitive atom comparison
  bool isNil() const { return isAtom("NIL"); }
  // astring (RFC 9051 §9): an atom or a string, as text.
  std::optional<std::string> astring() const;
};

struct Command {
  std::string tag;
  std::string name;  // upper-case, e.g. "FETCH"; for "UID FETCH" name is FETCH and uid is true
  bool uid = false;
  std::vector<Token> args;
};

// Errors: kMalformed with a message fit for "tag BAD <message>".
Result<Command> parseCommand(std::string_view wire);

// sequence-set (RFC 9051 §9): "1:4,7,9:*". '*' is kStar; "$" (RFC 5182) is not accepted here.
constexpr uint32_t kStar = 0xffffffffu;
struct SequenceRange {
  uint32_t first = 0;  // may be kStar
  uint32_t last = 0;   // may be kStar; first ≤ last is not required (4:2 == 2:4)
};
using SequenceSet = std::vector<SequenceRange>;
Result<SequenceSet> parseSequenceSet(std::string_view text);
// Whether n (1-based message number or UID) is in the set, with `largest` standing for '*'.
bool inSequenceSet(const SequenceSet& set, uint32_t n, uint32_t largest);

// flag-list "(\Seen $Forwarded)": each flag an atom starting with '\' (system) or a keyword.
Result<std::vector<std::string>> parseFlagList(const Token& token);

// date-time "17-Jul-1996 02:44:25 -0700" → unix seconds (RFC 9051 §9).
Result<int64_t> parseDateTime(std::string_view text);
// date "1-Feb-1994" (SEARCH SINCE/BEFORE/ON) → unix seconds of 00:00 UTC that day.
Result<int64_t> parseDate(std::string_view text);
// date-time for INTERNALDATE responses: "17-Jul-1996 09:44:25 +0000".
std::string formatDateTime(int64_t unix_seconds);

}  // namespace mailjuke::imap
