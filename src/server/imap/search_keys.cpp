#include "server/imap/search_keys.h"

#include <strings.h>

#include <algorithm>

#include "proto/imap/case_fold.h"
#include "proto/imap/header_text.h"

namespace mailjuke::imap {
namespace {

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// RFC 9051 §6.4.4: string matches are case-insensitive, Unicode letters included (simple
// case folding, case_fold.h).
bool containsCi(std::string_view hay, std::string_view needle) {
  return containsFolded(hay, needle);
}

Error malformed(const std::string& m) { return Error::make(ErrorCode::kMalformed, m); }

class Parser {
 public:
  explicit Parser(const std::vector<Token>& t) : t_(t) {}
  bool done() const { return i_ >= t_.size(); }

  Result<SearchKey> key(int depth = 0) {
    if (depth > 32) return malformed("SEARCH nested too deeply");
    if (done()) return malformed("Missing search key");
    const Token& t = t_[i_++];
    SearchKey k;
    if (t.kind == Token::Kind::kList) {
      Parser inner(t.items);
      k.kind = SearchKey::Kind::kAnd;
      while (!inner.done()) {
        MJ_TRY_ASSIGN(auto c, inner.key(depth + 1));
        k.children.push_back(std::move(c));
      }
      if (k.children.empty()) return malformed("Empty search list");
      return k;
    }
    if (t.kind != Token::Kind::kAtom) return malformed("Expected a search key");
    std::string u = upper(t.text);
    using K = SearchKey::Kind;
    static const std::pair<const char*, const char*> kFlags[] = {{"ANSWERED", "\\Answered"},
                                                                 {"DELETED", "\\Deleted"},
                                                                 {"DRAFT", "\\Draft"},
                                                                 {"FLAGGED", "\\Flagged"},
                                                                 {"SEEN", "\\Seen"}};
    for (const auto& [name, flag] : kFlags) {
      if (u == name) return SearchKey{K::kFlag, flag};
      if (u == std::string("UN") + name) return SearchKey{K::kNoFlag, flag};
    }
    if (u == "ALL") return SearchKey{K::kAll};
    // RFC 3501 §6.4.4: NEW is RECENT UNSEEN, OLD is NOT RECENT.
    if (u == "RECENT") return SearchKey{K::kRecent};
    if (u == "NEW") {
      k.kind = K::kAnd;
      k.children = {SearchKey{K::kRecent}, SearchKey{K::kNoFlag, "\\Seen"}};
      return k;
    }
    if (u == "OLD") {
      k.kind = K::kNot;
      k.children = {SearchKey{K::kRecent}};
      return k;
    }
    if (u == "KEYWORD" || u == "UNKEYWORD") {
      MJ_TRY_ASSIGN(auto kw, str());
      return SearchKey{u == "KEYWORD" ? K::kFlag : K::kNoFlag, kw};
    }
    if (u == "BEFORE" || u == "ON" || u == "SINCE" || u == "SENTBEFORE" || u == "SENTON" ||
        u == "SENTSINCE") {
      MJ_TRY_ASSIGN(auto d, str());
      auto day = parseDate(d);
      if (!day.ok()) return malformed("Bad date " + d);
      if (u == "BEFORE" || u == "SENTBEFORE")
        k.kind = u == "BEFORE" ? K::kBefore : K::kSentBefore;
      else if (u == "ON" || u == "SENTON")
        k.kind = u == "ON" ? K::kOn : K::kSentOn;
      else
        k.kind = u == "SINCE" ? K::kSince : K::kSentSince;
      k.n = *day;
      return k;
    }
    if (u == "LARGER" || u == "SMALLER") {
      MJ_TRY_ASSIGN(auto n, str());
      if (n.empty() || n.size() > 18 || n.find_first_not_of("0123456789") != std::string::npos)
        return malformed("Bad number " + n);
      k.kind = u == "LARGER" ? K::kLarger : K::kSmaller;
      k.n = std::stoll(n);
      return k;
    }
    if (u == "UID") {
      MJ_TRY_ASSIGN(auto s, str());
      MJ_TRY_ASSIGN(k.set, parseSequenceSet(s));
      k.kind = K::kUid;
      return k;
    }
    if (u == "NOT") {
      MJ_TRY_ASSIGN(auto c, key(depth + 1));
      k.kind = K::kNot;
      k.children.push_back(std::move(c));
      return k;
    }
    if (u == "OR") {
      MJ_TRY_ASSIGN(auto c1, key(depth + 1));
      MJ_TRY_ASSIGN(auto c2, key(depth + 1));
      k.kind = K::kOr;
      k.children.push_back(std::move(c1));
      k.children.push_back(std::move(c2));
      return k;
    }
    if (u == "FROM" || u == "TO" || u == "CC" || u == "BCC" || u == "SUBJECT") {
      MJ_TRY_ASSIGN(auto v, str());
      return SearchKey{K::kHeader, u, v};
    }
    if (u == "HEADER") {
      MJ_TRY_ASSIGN(auto name, str());
      MJ_TRY_ASSIGN(auto v, str());
      return SearchKey{K::kHeader, name, v};
    }
    if (u == "BODY" || u == "TEXT") {
      MJ_TRY_ASSIGN(auto v, str());
      return SearchKey{u == "BODY" ? K::kBody : K::kText, v};
    }
    if (u == "MODSEQ") {
      // RFC 7162 §3.1.5: an optional entry name and type (per-flag modseqs are not kept, so
      // they are accepted and ignored), then the mod-sequence value.
      if (!done() && t_[i_].kind == Token::Kind::kString) {
        ++i_;
        MJ_TRY_ASSIGN(auto type, str());
        std::string ut = upper(type);
        if (ut != "PRIV" && ut != "SHARED" && ut != "ALL") return malformed("Bad MODSEQ type");
      }
      MJ_TRY_ASSIGN(auto n, str());
      if (n.empty() || n.size() > 18 || n.find_first_not_of("0123456789") != std::string::npos)
        return malformed("Bad MODSEQ value " + n);
      k.kind = K::kModseq;
      k.n = std::stoll(n);
      return k;
    }
    if (!u.empty() && (std::isdigit(static_cast<unsigned char>(u[0])) || u[0] == '*')) {
      MJ_TRY_ASSIGN(k.set, parseSequenceSet(u));
      k.kind = K::kSeq;
      return k;
    }
    return malformed("Unknown search key " + t.text);
  }

 private:
  Result<std::string> str() {
    if (done()) return malformed("Missing search argument");
    auto s = t_[i_++].astring();
    if (!s) return malformed("Expected a string");
    return *s;
  }
  const std::vector<Token>& t_;
  size_t i_ = 0;
};

// Calls `f(value)` for each `name` field of the header block of `msg` (folded lines kept)
// until it returns true.
template <class F>
bool forEachField(std::string_view msg, std::string_view name, F&& f) {
  size_t end = msg.find("\r\n\r\n");
  std::string_view header = msg.substr(0, end == std::string_view::npos ? msg.size() : end + 2);
  size_t i = 0;
  while (i < header.size()) {
    size_t e = i;
    do {
      size_t nl = header.find('\n', e);
      e = nl == std::string_view::npos ? header.size() : nl + 1;
    } while (e < header.size() && (header[e] == ' ' || header[e] == '\t'));
    std::string_view line = header.substr(i, e - i);
    i = e;
    auto colon = line.find(':');
    if (colon != name.size() || strncasecmp(line.data(), name.data(), name.size()) != 0) continue;
    if (f(line.substr(colon + 1))) return true;
  }
  return false;
}

bool headerContains(std::string_view msg, const std::string& name, const std::string& value) {
  return forEachField(msg, name, [&](std::string_view raw) {
    // RFC 9051 §6.4.4: an empty string matches every message that has the field.
    if (containsCi(raw, value)) return true;
    // RFC 2047 encoded words: match the decoded text too (a UTF-8 key against UTF-8 text).
    return raw.find("=?") != std::string_view::npos && containsCi(decodeHeaderText(raw), value);
  });
}

}  // namespace

Result<SearchKey> parseSearch(const std::vector<Token>& args) {
  size_t start = 0;
  if (!args.empty() && args[0].isAtom("CHARSET")) {
    // RFC 9051 §6.4.4: US-ASCII and UTF-8 must be supported.
    auto cs = args.size() > 1 ? args[1].astring() : std::nullopt;
    if (!cs) return malformed("CHARSET needs a name");
    std::string u = upper(*cs);
    if (u != "UTF-8" && u != "US-ASCII") return Error::make(ErrorCode::kUnsupportedMedia, u);
    start = 2;
  }
  std::vector<Token> rest(args.begin() + static_cast<std::ptrdiff_t>(std::min(start, args.size())),
                          args.end());
  Parser p(rest);
  SearchKey all{SearchKey::Kind::kAnd};
  while (!p.done()) {
    MJ_TRY_ASSIGN(auto k, p.key());
    all.children.push_back(std::move(k));
  }
  if (all.children.empty()) return malformed("SEARCH needs a key");
  return all;
}

bool needsContent(const SearchKey& k) {
  if (k.kind == SearchKey::Kind::kHeader || k.kind == SearchKey::Kind::kBody ||
      k.kind == SearchKey::Kind::kText)
    return true;
  return std::any_of(k.children.begin(), k.children.end(),
                     [](const SearchKey& c) { return needsContent(c); });
}

bool usesModseq(const SearchKey& k) {
  if (k.kind == SearchKey::Kind::kModseq) return true;
  return std::any_of(k.children.begin(), k.children.end(),
                     [](const SearchKey& c) { return usesModseq(c); });
}

std::optional<std::string> headerValue(std::string_view msg, std::string_view name) {
  std::optional<std::string> out;
  forEachField(msg, name, [&](std::string_view raw) {
    out = std::string(raw);
    return true;
  });
  return out;
}

bool usesSentDate(const SearchKey& k) {
  if (k.kind == SearchKey::Kind::kSentBefore || k.kind == SearchKey::Kind::kSentOn ||
      k.kind == SearchKey::Kind::kSentSince)
    return true;
  return std::any_of(k.children.begin(), k.children.end(),
                     [](const SearchKey& c) { return usesSentDate(c); });
}

bool matches(const SearchKey& k, const SearchSubject& s) {
  using K = SearchKey::Kind;
  const auto& m = s.message;
  const int64_t day = m.internal_date - ((m.internal_date % 86400) + 86400) % 86400;
  switch (k.kind) {
    case K::kAll:
      return true;
    case K::kNone:
      return false;
    case K::kFlag:
      return core::hasFlag(m.flags, k.a);
    case K::kNoFlag:
      return !core::hasFlag(m.flags, k.a);
    // RFC 9051 §6.4.4: dates compare the internal date's day, disregarding time.
    case K::kBefore:
      return day < k.n;
    case K::kOn:
      return day == k.n;
    case K::kSince:
      return day >= k.n;
    case K::kLarger:
      return m.size > k.n;
    case K::kSmaller:
      return m.size < k.n;
    case K::kUid:
      return inSequenceSet(k.set, static_cast<uint32_t>(m.uid), s.max_uid);
    case K::kSeq:
      return inSequenceSet(k.set, s.seq, s.max_seq);
    case K::kNot:
      return !matches(k.children[0], s);
    case K::kOr:
      return matches(k.children[0], s) || matches(k.children[1], s);
    case K::kAnd:
      return std::all_of(k.children.begin(), k.children.end(),
                         [&](const SearchKey& c) { return matches(c, s); });
    case K::kHeader:
      return headerContains(s.header ? s.header() : s.content(), k.a, k.b);
    case K::kBody: {
      const std::string& c = s.content();
      size_t end = c.find("\r\n\r\n");
      return end != std::string::npos && containsCi(std::string_view(c).substr(end + 4), k.a);
    }
    case K::kText:
      return containsCi(s.content(), k.a);
    case K::kModseq:
      return m.modseq >= k.n;
    case K::kRecent:
      return s.recent;
    case K::kSentBefore:
    case K::kSentOn:
    case K::kSentSince: {
      // Without a Date: field the internal date stands in (as Dovecot does).
      std::optional<int64_t> sent = s.sent_day ? s.sent_day() : std::nullopt;
      const int64_t d = sent ? *sent : day;
      return k.kind == K::kSentBefore ? d < k.n : k.kind == K::kSentOn ? d == k.n : d >= k.n;
    }
  }
  return false;
}

}  // namespace mailjuke::imap
