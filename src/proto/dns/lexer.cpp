#include "proto/dns/lexer.h"

namespace mailjuke::dns {
namespace {

Error lexError(size_t line, std::string message) {
  return Error::make(ErrorCode::kInvalid, "line " + std::to_string(line) + ": " + message);
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

Result<std::vector<Entry>> lexMasterFile(std::string_view text) {
  std::vector<Entry> entries;
  Entry current;
  size_t line = 1;
  int depth = 0;
  bool at_line_start = true;
  auto finish = [&]() {
    if (!current.tokens.empty()) entries.push_back(std::move(current));
    current = Entry();
  };
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '\n') {
      ++line;
      ++i;
      if (depth == 0) {
        finish();
        at_line_start = true;
      }
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r') {
      if (at_line_start && depth == 0 && current.tokens.empty()) current.leading_blank = true;
      at_line_start = false;
      ++i;
      continue;
    }
    if (current.tokens.empty() && depth == 0 && current.line == 0) current.line = line;
    at_line_start = false;
    if (c == ';') {
      while (i < text.size() && text[i] != '\n') ++i;
      continue;
    }
    if (c == '(') {
      ++depth;
      ++i;
      continue;
    }
    if (c == ')') {
      if (--depth < 0) return lexError(line, "unbalanced ')'");
      ++i;
      continue;
    }
    Token token;
    if (c == '"') {
      token.quoted = true;
      ++i;
      bool closed = false;
      while (i < text.size()) {
        char q = text[i];
        if (q == '\\' && i + 1 < text.size()) {
          token.text.append(text.substr(i, 2));
          i += 2;
          continue;
        }
        if (q == '\n') break;
        ++i;
        if (q == '"') {
          closed = true;
          break;
        }
        token.text.push_back(q);
      }
      if (!closed) return lexError(line, "unterminated quoted string");
    } else {
      while (i < text.size()) {
        char u = text[i];
        if (u == ' ' || u == '\t' || u == '\r' || u == '\n' || u == ';' || u == '(' || u == ')' ||
            u == '"')
          break;
        if (u == '\\' && i + 1 < text.size() && text[i + 1] != '\n') {
          token.text.append(text.substr(i, 2));
          i += 2;
          continue;
        }
        token.text.push_back(u);
        ++i;
      }
    }
    if (current.tokens.empty()) current.line = line;
    current.tokens.push_back(std::move(token));
  }
  if (depth != 0) return lexError(line, "unbalanced '('");
  finish();
  return entries;
}

Result<std::string> decodeEscapes(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '\\') {
      out.push_back(raw[i]);
      continue;
    }
    if (i + 1 >= raw.size()) return Error::make(ErrorCode::kInvalid, "dangling escape");
    if (isDigit(raw[i + 1])) {
      if (i + 3 >= raw.size() || !isDigit(raw[i + 2]) || !isDigit(raw[i + 3]))
        return Error::make(ErrorCode::kInvalid, "bad \\DDD escape");
      int v = (raw[i + 1] - '0') * 100 + (raw[i + 2] - '0') * 10 + (raw[i + 3] - '0');
      if (v > 255) return Error::make(ErrorCode::kInvalid, "\\DDD escape above 255");
      out.push_back(static_cast<char>(v));
      i += 3;
    } else {
      out.push_back(raw[++i]);
    }
  }
  return out;
}

}  // namespace mailjuke::dns
