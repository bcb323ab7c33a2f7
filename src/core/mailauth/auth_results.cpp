// The Authentication-Results header field (RFC 8601 §2.2) recording SPF, DKIM and DMARC.
#include <cctype>

#include "core/mailauth/spf_dmarc.h"

namespace mailjuke::core::mailauth {
namespace {

constexpr size_t kMaxLine = 78;

// A comment (RFC 5322 §3.2.2): "(", ")" and "\" escaped, CR/LF dropped.
std::string comment(std::string_view text) {
  std::string out = "(";
  for (char c : text) {
    if (c == '\r' || c == '\n') continue;
    if (c == '(' || c == ')' || c == '\\') out += '\\';
    out += c;
  }
  return out + ")";
}

// A property value (RFC 8601 §2.2 pvalue): a domain or local@domain as is, anything else as a
// quoted-string.
std::string pvalue(std::string_view v) {
  bool plain = !v.empty();
  for (unsigned char c : v)
    plain = plain &&
            (std::isalnum(c) || std::string_view("-._@+").find(char(c)) != std::string_view::npos);
  if (plain) return std::string(v);
  std::string out = "\"";
  for (char c : v) {
    if (c == '\r' || c == '\n') continue;
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// One resinfo ("; method=result (reason) ptype.prop=value ...") on its own folded line(s).
void appendResinfo(std::string& out, const std::vector<std::string>& words) {
  out += ";\r\n\t";
  size_t line = 8;  // a tab counts as up to 8 columns
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) {
      if (line + 1 + words[i].size() > kMaxLine) {
        out += "\r\n\t ";
        line = 9;
      } else {
        out += ' ';
        ++line;
      }
    }
    out += words[i];
    line += words[i].size();
  }
}

}  // namespace

std::string authenticationResults(const std::string& authserv_id, const SpfVerdict& spf,
                                  const std::vector<DkimVerdict>& dkim, const DmarcVerdict& dmarc) {
  std::string out = "Authentication-Results: " + authserv_id;
  // RFC 7208 §9.1 / RFC 8601 §2.7.2: spf with smtp.mailfrom, or smtp.helo for the null sender.
  std::vector<std::string> words{"spf=" + (spf.result.empty() ? "none" : spf.result)};
  if (!spf.reason.empty()) words.push_back(comment(spf.reason));
  if (!spf.domain.empty())
    words.push_back((spf.identity == "helo" ? "smtp.helo=" : "smtp.mailfrom=") +
                    pvalue(spf.domain));
  appendResinfo(out, words);
  // RFC 8601 §2.7.1: one dkim resinfo per signature, "none" when there are none.
  if (dkim.empty()) appendResinfo(out, {"dkim=none"});
  for (const auto& d : dkim) {
    words = {"dkim=" + d.result};
    if (!d.reason.empty()) words.push_back(comment(d.reason));
    if (!d.domain.empty()) words.push_back("header.d=" + pvalue(d.domain));
    if (!d.selector.empty()) words.push_back("header.s=" + pvalue(d.selector));
    appendResinfo(out, words);
  }
  // RFC 7489 §11.2: dmarc with header.from.
  words = {"dmarc=" + (dmarc.result.empty() ? "none" : dmarc.result)};
  std::string note = dmarc.policy.empty()
                         ? dmarc.reason
                         : "p=" + dmarc.policy + (dmarc.reason.empty() ? "" : "; " + dmarc.reason);
  if (!note.empty()) words.push_back(comment(note));
  if (!dmarc.header_from.empty()) words.push_back("header.from=" + pvalue(dmarc.header_from));
  appendResinfo(out, words);
  return out + "\r\n";
}

std::string submissionAuthResults(const std::string& authserv_id, const std::string& user) {
  std::string out = "Authentication-Results: " + authserv_id;
  appendResinfo(out, {"auth=pass", "smtp.auth=" + pvalue(user)});
  return out + "\r\n";
}

}  // namespace mailjuke::core::mailauth
