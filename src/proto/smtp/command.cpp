#include "proto/smtp/command.h"

#include <cctype>

namespace mailjuke::smtp {
namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = char(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool isAtext(unsigned char c) {
  // RFC 5322 §3.2.3 atext; bytes ≥ 0x80 are UTF-8 (RFC 6531 §3.3), checked by the caller.
  return std::isalnum(c) ||
         std::string_view("!#$%&'*+-/=?^_`{|}~").find(char(c)) != std::string_view::npos ||
         c >= 0x80;
}

bool validDotAtom(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = s[i];
    if (c == '.') {
      if (s[i + 1] == '.') return false;
    } else if (!isAtext(c)) {
      return false;
    }
  }
  return true;
}

bool validDomain(std::string_view d) {
  if (d.empty() || d.size() > 255) return false;
  if (d.front() == '[') return d.back() == ']' && d.size() > 2;  // address literal §4.1.3
  if (d.front() == '.' || d.back() == '.' || d.find("..") != std::string_view::npos) return false;
  for (unsigned char c : d)
    if (!(std::isalnum(c) || c == '-' || c == '.' || c >= 0x80)) return false;
  return true;
}

Verb verbOf(const std::string& w) {
  static const std::map<std::string, Verb> kVerbs = {
      {"EHLO", Verb::kEhlo},         {"HELO", Verb::kHelo}, {"MAIL", Verb::kMail},
      {"RCPT", Verb::kRcpt},         {"DATA", Verb::kData}, {"BDAT", Verb::kBdat},
      {"RSET", Verb::kRset},         {"NOOP", Verb::kNoop}, {"QUIT", Verb::kQuit},
      {"VRFY", Verb::kVrfy},         {"EXPN", Verb::kExpn}, {"HELP", Verb::kHelp},
      {"STARTTLS", Verb::kStartTls}, {"AUTH", Verb::kAuth}};
  auto it = kVerbs.find(w);
  return it == kVerbs.end() ? Verb::kUnknown : it->second;
}

// "FROM:<a@b> SIZE=10 BODY=8BITMIME" after the verb.
Status parsePathAndParams(Command& cmd, std::string_view rest, std::string_view keyword,
                          bool allow_null) {
  if (rest.size() < keyword.size() || upper(rest.substr(0, keyword.size())) != keyword)
    return Error::invalid("path", "expected " + std::string(keyword));
  rest.remove_prefix(keyword.size());
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);  // tolerated, common
  if (rest.empty() || rest.front() != '<')
    return Error::invalid("path", "the address must be in angle brackets");
  size_t close = std::string_view::npos;
  bool quoted = false;
  for (size_t i = 1; i < rest.size(); ++i) {
    if (rest[i] == '\\' && quoted) {
      ++i;
    } else if (rest[i] == '"') {
      quoted = !quoted;
    } else if (rest[i] == '>' && !quoted) {
      close = i;
      break;
    }
  }
  if (close == std::string_view::npos)
    return Error::invalid("path", "missing closing angle bracket");
  MJ_TRY_ASSIGN(cmd.path, parsePath(rest.substr(0, close + 1), allow_null));
  rest.remove_prefix(close + 1);
  while (!rest.empty()) {
    if (rest.front() != ' ')
      return Error::invalid("params", "parameters must be separated by spaces");
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    if (rest.empty()) break;
    size_t end = rest.find(' ');
    std::string_view p = rest.substr(0, end);
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
    size_t eq = p.find('=');
    std::string key = upper(p.substr(0, eq));
    if (key.empty()) return Error::invalid("params", "empty parameter name");
    for (char c : key)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-')
        return Error::invalid("params", "bad parameter name");
    if (cmd.params.count(key)) return Error::invalid("params", "duplicate parameter " + key);
    cmd.params[key] = eq == std::string_view::npos ? "" : std::string(p.substr(eq + 1));
  }
  return {};
}

}  // namespace

const char* verbName(Verb v) {
  switch (v) {
    case Verb::kEhlo:
      return "EHLO";
    case Verb::kHelo:
      return "HELO";
    case Verb::kMail:
      return "MAIL";
    case Verb::kRcpt:
      return "RCPT";
    case Verb::kData:
      return "DATA";
    case Verb::kBdat:
      return "BDAT";
    case Verb::kRset:
      return "RSET";
    case Verb::kNoop:
      return "NOOP";
    case Verb::kQuit:
      return "QUIT";
    case Verb::kVrfy:
      return "VRFY";
    case Verb::kExpn:
      return "EXPN";
    case Verb::kHelp:
      return "HELP";
    case Verb::kStartTls:
      return "STARTTLS";
    case Verb::kAuth:
      return "AUTH";
    case Verb::kUnknown:
      return "UNKNOWN";
  }
  return "UNKNOWN";
}

Result<Address> parsePath(std::string_view path, bool allow_null) {
  if (path.size() < 2 || path.front() != '<' || path.back() != '>')
    return Error::invalid("path", "the address must be in angle brackets");
  std::string_view inner = path.substr(1, path.size() - 2);
  if (inner.empty()) {
    if (allow_null) return Address{};
    return Error::invalid("path", "a recipient address is required");
  }
  // RFC 5321 §4.1.2: an obsolete source route "@a,@b:" is accepted and ignored (§C).
  if (inner.front() == '@') {
    size_t colon = inner.find(':');
    if (colon == std::string_view::npos) return Error::invalid("path", "malformed source route");
    inner.remove_prefix(colon + 1);
  }
  size_t at = inner.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == inner.size())
    return Error::invalid("path", "the address must look like local-part@domain");
  Address a;
  std::string_view local = inner.substr(0, at), domain = inner.substr(at + 1);
  if (local.front() == '"') {  // quoted-string local part (§4.1.2)
    if (local.size() < 2 || local.back() != '"')
      return Error::invalid("path", "unterminated quoted local part");
    for (size_t i = 1; i + 1 < local.size(); ++i) {
      unsigned char c = local[i];
      if (c == '\\') {
        if (i + 2 >= local.size()) return Error::invalid("path", "bad escape in the local part");
        a.local += local[++i];
      } else if (c == '"' || c < 0x20 || c == 0x7f) {
        return Error::invalid("path", "bad character in the quoted local part");
      } else {
        a.local += char(c);
      }
    }
  } else {
    if (!validDotAtom(local))
      return Error::invalid("path", "the local part is not a valid dot-atom");
    a.local = std::string(local);
  }
  if (local.size() > 64) return Error::invalid("path", "the local part is longer than 64 octets");
  if (!validDomain(domain)) return Error::invalid("path", "the domain is not valid");
  a.domain = std::string(domain);
  for (unsigned char c : inner)
    if (c >= 0x80) a.utf8 = true;
  return a;
}

Result<Command> parseCommand(std::string_view line) {
  if (line.size() + 2 > kMaxCommandLine) return Error::make(ErrorCode::kTooLarge, "line too long");
  for (unsigned char c : line)
    if (c == '\0' || c == '\r' || c == '\n')
      return Error::make(ErrorCode::kMalformed, "control characters in command");
  size_t sp = line.find(' ');
  std::string word = upper(line.substr(0, sp));
  std::string_view rest = sp == std::string_view::npos ? std::string_view() : line.substr(sp + 1);
  Command cmd;
  cmd.verb = verbOf(word);
  switch (cmd.verb) {
    case Verb::kUnknown:
      return Error::make(ErrorCode::kMalformed, "command not recognized");
    case Verb::kMail:
      MJ_TRY(parsePathAndParams(cmd, rest, "FROM:", true));
      return cmd;
    case Verb::kRcpt:
      MJ_TRY(parsePathAndParams(cmd, rest, "TO:", false));
      return cmd;
    case Verb::kEhlo:
    case Verb::kHelo: {
      while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
      if (rest.empty())
        return Error::invalid(
            "domain", std::string(verbName(cmd.verb)) + " needs a domain or address literal");
      cmd.argument = std::string(rest.substr(0, rest.find(' ')));
      return cmd;
    }
    case Verb::kData:
    case Verb::kRset:
    case Verb::kQuit:
    case Verb::kStartTls:
      if (!rest.empty() && rest.find_first_not_of(' ') != std::string_view::npos)
        return Error::invalid("argument", std::string(verbName(cmd.verb)) + " takes no argument");
      return cmd;
    case Verb::kAuth:
    case Verb::kBdat:
      if (rest.empty())
        return Error::invalid("argument", std::string(verbName(cmd.verb)) + " needs an argument");
      cmd.argument = std::string(rest);
      return cmd;
    default:  // NOOP, VRFY, EXPN, HELP take an optional string
      cmd.argument = std::string(rest);
      return cmd;
  }
}

}  // namespace mailjuke::smtp
