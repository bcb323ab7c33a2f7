#include "proto/imap/command.h"

#include <strings.h>
#include <cstdio>

#include <cstring>
#include <ctime>

namespace mailjuke::imap {
namespace {

constexpr size_t kMaxDepth = 32;  // nested lists (SEARCH OR/NOT trees)

Error bad(std::string message) { return Error::make(ErrorCode::kMalformed, std::move(message)); }

bool isCtl(unsigned char c) { return c < 0x20 || c == 0x7f; }

// RFC 9051 §9 ATOM-CHAR, plus '[' ... ']' sections which may hold spaces and parentheses
// (BODY[HEADER.FIELDS (From To)]<0.100>), plus '%' and '*' (list wildcards, sequence sets).
bool isAtomChar(unsigned char c) {
  return !isCtl(c) && c != ' ' && c != '(' && c != ')' && c != '{' && c != '"';
}

char upper(char c) { return (c >= 'a' && c <= 'z') ? char(c - 32) : c; }

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}
  bool done() const { return i_ >= s_.size(); }
  char peek() const { return s_[i_]; }

  Result<std::string> word() {  // tag or command name: up to the next space
    size_t start = i_;
    while (i_ < s_.size() && s_[i_] != ' ') {
      if (isCtl(static_cast<unsigned char>(s_[i_]))) return bad("control character in command");
      ++i_;
    }
    if (i_ == start) return bad("missing command");
    return std::string(s_.substr(start, i_ - start));
  }

  // One space between tokens; RFC 9051 is strict, clients are not always: extra spaces pass.
  bool space() {
    if (i_ >= s_.size() || s_[i_] != ' ') return false;
    while (i_ < s_.size() && s_[i_] == ' ') ++i_;
    return true;
  }

  Result<Token> token(size_t depth = 0) {
    if (done()) return bad("missing argument");
    char c = s_[i_];
    if (c == '(') return list(depth);
    if (c == '"') return quoted();
    if (c == '{' || (c == '~' && i_ + 1 < s_.size() && s_[i_ + 1] == '{')) return literal();
    return atom();
  }

 private:
  Result<Token> list(size_t depth) {
    if (depth >= kMaxDepth) return bad("lists nested too deeply");
    ++i_;  // '('
    Token t;
    t.kind = Token::Kind::kList;
    while (true) {
      while (i_ < s_.size() && s_[i_] == ' ') ++i_;
      if (done()) return bad("unterminated list");
      if (s_[i_] == ')') {
        ++i_;
        return t;
      }
      auto item = token(depth + 1);
      if (!item.ok()) return item;
      t.items.push_back(std::move(*item));
      if (!done() && s_[i_] != ' ' && s_[i_] != ')') return bad("expected space or ')' in list");
    }
  }

  Result<Token> quoted() {
    ++i_;  // '"'
    Token t;
    t.kind = Token::Kind::kString;
    while (true) {
      if (done()) return bad("unterminated quoted string");
      char c = s_[i_++];
      if (c == '"') return t;
      if (c == '\r' || c == '\n') return bad("line break in quoted string");
      if (c == '\\') {
        if (done()) return bad("unterminated quoted string");
        c = s_[i_++];
        if (c != '"' && c != '\\') return bad("bad escape in quoted string");
      }
      t.text.push_back(c);
    }
  }

  Result<Token> literal() {
    Token t;
    t.kind = Token::Kind::kString;
    t.literal = true;
    if (s_[i_] == '~') {
      t.binary = true;
      ++i_;
    }
    ++i_;  // '{'
    uint64_t n = 0;
    size_t digits = 0;
    while (!done() && s_[i_] >= '0' && s_[i_] <= '9' && digits < 20) {
      n = n * 10 + uint64_t(s_[i_++] - '0');
      ++digits;
    }
    if (!done() && s_[i_] == '+') ++i_;
    if (digits == 0 || done() || s_[i_] != '}') return bad("bad literal");
    ++i_;
    if (i_ < s_.size() && s_[i_] == '\r') ++i_;
    if (done() || s_[i_] != '\n') return bad("literal must end its line");
    ++i_;
    if (n > s_.size() - i_) return bad("literal is shorter than announced");
    t.text.assign(s_.substr(i_, size_t(n)));
    i_ += size_t(n);
    if (!t.binary && t.text.find('\0') != std::string::npos)
      return bad("NUL in a literal (use literal8)");
    return t;
  }

  Result<Token> atom() {
    Token t;
    size_t start = i_;
    int brackets = 0;
    while (i_ < s_.size()) {
      auto c = static_cast<unsigned char>(s_[i_]);
      if (c == '[') {
        ++brackets;
      } else if (c == ']' && brackets > 0) {
        --brackets;
      } else if (brackets > 0) {
        if (isCtl(c) || c == '{' || c == '"') return bad("bad character in section");
      } else if (!isAtomChar(c)) {
        break;
      }
      ++i_;
    }
    if (brackets > 0) return bad("unterminated '['");
    if (i_ == start) return bad("unexpected character '" + std::string(1, s_[i_]) + "'");
    t.text.assign(s_.substr(start, i_ - start));
    return t;
  }

  std::string_view s_;
  size_t i_ = 0;
};

bool isTagChar(unsigned char c) {
  return isAtomChar(c) && c != '+' && c != '%' && c != '*' && c != '\\';
}

Result<uint32_t> seqNumber(std::string_view s) {
  if (s == "*") return kStar;
  if (s.empty() || s.size() > 10 || s[0] == '0') return bad("bad sequence number");
  uint64_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return bad("bad sequence number");
    n = n * 10 + uint64_t(c - '0');
  }
  if (n == 0 || n >= kStar) return bad("sequence number out of range");
  return uint32_t(n);
}

constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

int monthIndex(const char* m) {
  for (int i = 0; i < 12; ++i)
    if (strncasecmp(m, kMonths[i], 3) == 0) return i;
  return -1;
}

}  // namespace

bool Token::isAtom(std::string_view want) const {
  if (kind != Kind::kAtom || text.size() != want.size()) return false;
  for (size_t i = 0; i < text.size(); ++i)
    if (upper(text[i]) != want[i]) return false;
  return true;
}

std::optional<std::string> Token::astring() const {
  if (kind == Kind::kList) return std::nullopt;
  return text;
}

Result<Command> parseCommand(std::string_view wire) {
  Lexer lx(wire);
  Command cmd;
  MJ_TRY_ASSIGN(cmd.tag, lx.word());
  for (char c : cmd.tag)
    if (!isTagChar(static_cast<unsigned char>(c))) return bad("invalid tag");
  if (!lx.space()) return bad("missing command");
  MJ_TRY_ASSIGN(cmd.name, lx.word());
  for (auto& c : cmd.name) c = upper(c);
  if (cmd.name == "UID") {
    cmd.uid = true;
    if (!lx.space()) return bad("UID needs a command");
    MJ_TRY_ASSIGN(cmd.name, lx.word());
    for (auto& c : cmd.name) c = upper(c);
  }
  while (!lx.done()) {
    if (!lx.space()) return bad("expected a space between arguments");
    if (lx.done()) break;  // trailing spaces
    MJ_TRY_ASSIGN(auto t, lx.token());
    cmd.args.push_back(std::move(t));
  }
  return cmd;
}

Result<SequenceSet> parseSequenceSet(std::string_view text) {
  SequenceSet out;
  if (text.empty()) return bad("empty sequence set");
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view part = text.substr(start, comma - start);
    auto colon = part.find(':');
    SequenceRange r;
    MJ_TRY_ASSIGN(r.first, seqNumber(part.substr(0, colon)));
    r.last = r.first;
    if (colon != std::string_view::npos) {
      MJ_TRY_ASSIGN(r.last, seqNumber(part.substr(colon + 1)));
    }
    out.push_back(r);
    if (out.size() > 100000) return bad("sequence set too long");
    start = comma + 1;
  }
  return out;
}

bool inSequenceSet(const SequenceSet& set, uint32_t n, uint32_t largest) {
  for (const auto& r : set) {
    uint32_t a = r.first == kStar ? largest : r.first;
    uint32_t b = r.last == kStar ? largest : r.last;
    if (a > b) std::swap(a, b);
    if (n >= a && n <= b) return true;
  }
  return false;
}

Result<std::vector<std::string>> parseFlagList(const Token& token) {
  std::vector<std::string> flags;
  auto add = [&](const Token& t) -> Status {
    if (t.kind != Token::Kind::kAtom || t.text.find_first_of("[]") != std::string::npos ||
        (t.text[0] == '\\' && t.text.size() == 1))
      return bad("bad flag");
    flags.push_back(t.text);
    return {};
  };
  if (token.kind == Token::Kind::kList) {
    for (const auto& t : token.items) MJ_TRY(add(t));
  } else {
    MJ_TRY(add(token));
  }
  return flags;
}

Result<int64_t> parseDateTime(std::string_view text) {
  // "dd-Mon-yyyy hh:mm:ss +zzzz"; a single-digit day may be space-padded.
  std::string s(text);
  int day, year, h, m, sec, zone;
  char mon[4] = {0};
  char sign;
  if (std::sscanf(s.c_str(), " %2d-%3c-%4d %2d:%2d:%2d %c%4d", &day, mon, &year, &h, &m, &sec,
                  &sign, &zone) != 8 ||
      (sign != '+' && sign != '-'))
    return bad("bad date-time");
  int month = monthIndex(mon);
  if (month < 0 || day < 1 || day > 31 || h > 23 || m > 59 || sec > 60 || zone % 100 > 59)
    return bad("bad date-time");
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month;
  tm.tm_mday = day;
  tm.tm_hour = h;
  tm.tm_min = m;
  tm.tm_sec = sec;
  int64_t offset = (zone / 100) * 3600 + (zone % 100) * 60;
  return int64_t(timegm(&tm)) - (sign == '+' ? offset : -offset);
}

Result<int64_t> parseDate(std::string_view text) {
  std::string s(text);
  int day, year;
  char mon[4] = {0};
  int used = 0;
  if (std::sscanf(s.c_str(), "%2d-%3c-%4d%n", &day, mon, &year, &used) != 3 ||
      size_t(used) != s.size())
    return bad("bad date");
  int month = monthIndex(mon);
  if (month < 0 || day < 1 || day > 31) return bad("bad date");
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month;
  tm.tm_mday = day;
  return int64_t(timegm(&tm));
}

std::string formatDateTime(int64_t unix_seconds) {
  std::time_t t = std::time_t(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%02d-%s-%04d %02d:%02d:%02d +0000", tm.tm_mday,
                kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

}  // namespace mailjuke::imap
