// Tokenizer for master-file text (RFC 1035 §5.1), shared by the zone parser and the rdata
// parser: parentheses join lines, ';' starts a comment, double quotes group a token, and a
// backslash escapes the next character (escapes are kept raw for the field parsers to decode).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace mailjuke::dns {

struct Token {
  std::string text;     // raw text, escapes undecoded, without surrounding quotes
  bool quoted = false;  // came from "..."
};

// One logical entry (a record or a $directive), possibly spanning lines in parentheses.
struct Entry {
  size_t line = 0;             // 1-based line where the entry starts
  bool leading_blank = false;  // starts with whitespace: the owner is the previous one
  std::vector<Token> tokens;
};

// Splits `text` into entries; blank and comment-only lines produce none.
Result<std::vector<Entry>> lexMasterFile(std::string_view text);

// Decodes `\X` and `\DDD` escapes (RFC 1035 §5.1) in a character-string token.
Result<std::string> decodeEscapes(std::string_view raw);

}  // namespace mailjuke::dns
