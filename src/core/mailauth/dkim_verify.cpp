// DKIM verification (RFC 6376 §6) of every DKIM-Signature field, with RFC 8601 verdicts.
#include <optional>

#include "base/crypto.h"
#include "base/encoding.h"
#include "core/mailauth/dkim.h"
#include "core/mailauth/dkim_canon.h"
#include "core/mailauth/dkim_crypto.h"
#include "core/mailauth/dkim_hash.h"
#include "core/mailauth/dkim_key_record.h"
#include "core/mailauth/tag_list.h"
#include "proto/mime/headers.h"

namespace mailjuke::core::mailauth {
namespace {

// Signatures verified per message; the rest are reported neutral without DNS lookups.
constexpr size_t kMaxCheckedSignatures = 8;

// A non-negative decimal of at most 18 digits (fits int64), else nullopt.
std::optional<int64_t> parseNumber(std::string_view s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

bool isSubdomainOrSame(std::string_view child, std::string_view parent) {
  if (equalsIgnoreCase(child, parent)) return true;
  return child.size() > parent.size() + 1 && child[child.size() - parent.size() - 1] == '.' &&
         equalsIgnoreCase(child.substr(child.size() - parent.size()), parent);
}

DkimVerdict verifyOne(const mime::ParsedHeaders& headers, const mime::HeaderField& field,
                      std::string_view body, Resolver& resolver, int64_t now) {
  DkimVerdict v;
  auto verdict = [&v](const char* result, std::string reason) {
    v.result = result;
    v.reason = std::move(reason);
    return v;
  };
  auto parsed = parseTagList(field.value);
  if (!parsed) return verdict("permerror", "malformed signature: " + parsed.error().message);
  const TagList& tags = *parsed;
  if (auto* d = tags.get("d")) v.domain = *d;
  if (auto* s = tags.get("s")) v.selector = *s;
  // §6.1.1: required tags and their values.
  for (const char* required : {"v", "a", "b", "bh", "d", "h", "s"})
    if (!tags.get(required))
      return verdict("permerror", std::string("signature lacks the ") + required + "= tag");
  if (*tags.get("v") != "1") return verdict("permerror", "unsupported signature version");
  const std::string& alg = *tags.get("a");
  if (alg == "rsa-sha1")  // RFC 8301 §3.1: verifiers MUST NOT consider rsa-sha1 valid
    return verdict("permerror", "rsa-sha1 is obsolete (RFC 8301)");
  if (alg != "rsa-sha256") return verdict("permerror", "unsupported algorithm " + alg);
  Canon ch = Canon::kSimple, cb = Canon::kSimple;  // §3.5 c= default simple/simple
  if (auto* c = tags.get("c")) {
    size_t slash = c->find('/');
    bool ok = parseCanon(std::string_view(*c).substr(0, slash), ch);
    if (ok && slash != std::string::npos)
      ok = parseCanon(std::string_view(*c).substr(slash + 1), cb);
    if (!ok) return verdict("permerror", "unsupported canonicalisation " + *c);
  }
  std::vector<std::string> names = splitList(*tags.get("h"), ':');
  bool signs_from = false;
  for (const auto& n : names) {
    if (n.empty()) return verdict("permerror", "empty name in h=");
    signs_from = signs_from || equalsIgnoreCase(n, "from");
  }
  if (!signs_from) return verdict("permerror", "From is not signed");  // §5.4
  if (v.domain.empty() || v.selector.empty()) return verdict("permerror", "empty d= or s=");
  std::string auid_domain = v.domain;
  if (auto* i = tags.get("i")) {  // §3.5 i=: same domain as d= or a subdomain of it
    size_t at = i->rfind('@');
    if (at == std::string::npos || !isSubdomainOrSame(i->substr(at + 1), v.domain))
      return verdict("permerror", "i= is not within d=");
    auid_domain = i->substr(at + 1);
  }
  if (auto* q = tags.get("q")) {
    bool dns = false;
    for (const auto& m : splitList(*q, ':')) dns = dns || m == "dns/txt";
    if (!dns) return verdict("permerror", "no supported query method in q=");
  }
  std::optional<int64_t> length, signed_at, expires;
  if (auto* l = tags.get("l"); l && !(length = parseNumber(*l)))
    return verdict("permerror", "bad l=");
  if (auto* t = tags.get("t"); t && !(signed_at = parseNumber(*t)))
    return verdict("permerror", "bad t=");
  if (auto* x = tags.get("x"); x && !(expires = parseNumber(*x)))
    return verdict("permerror", "bad x=");
  if (signed_at && expires && *expires < *signed_at)
    return verdict("permerror", "x= is before t=");  // §3.5 x=
  if (expires && *expires < now) return verdict("fail", "signature expired");
  auto bh = base64Decode(stripWhitespace(*tags.get("bh")));
  auto b = base64Decode(stripWhitespace(*tags.get("b")));
  if (!bh || !b || b->empty()) return verdict("permerror", "bad base64 in b= or bh=");

  // §6.1.2: the key record at <s>._domainkey.<d>.
  auto key = fetchDkimKey(resolver, v.selector, v.domain);
  if (!key.result.empty()) return verdict(key.result.c_str(), key.reason);
  if (key.strict_domain && !equalsIgnoreCase(auid_domain, v.domain))
    return verdict("permerror", "key requires i= to equal d= (t=s)");

  // §6.1.3: body hash, honouring l=.
  std::string canon_body = canonBody(cb, body);
  if (length) {
    if (uint64_t(*length) > canon_body.size())
      return verdict("permerror", "l= exceeds the body length");
    canon_body.resize(size_t(*length));
  }
  if (crypto::sha256(canon_body) != *bh) return verdict("fail", "body hash did not verify");
  std::string input = headerHashInput(headers, names, ch, withEmptySignature(field.raw));
  auto check = rsaSha256Verify(key.public_der, input, *b);
  if (!check) return verdict("permerror", "unusable public key");
  if (check->key_bits < 1024)  // RFC 8301 §3.2
    return verdict("permerror", "key shorter than 1024 bits");
  if (!check->valid) return verdict("fail", "signature did not verify");
  return verdict("pass", "");
}

}  // namespace

std::vector<DkimVerdict> dkimVerify(std::string_view message, Resolver& resolver, int64_t now) {
  std::vector<DkimVerdict> out;
  auto headers = mime::parseHeaders(message);
  if (!headers) return out;  // not a message we can read: no signatures to report
  std::string_view body = message.substr(headers->body_offset);
  for (const auto& field : headers->fields) {
    if (!equalsIgnoreCase(field.name, "DKIM-Signature")) continue;
    if (out.size() >= kMaxCheckedSignatures) {  // §6.1: verifiers MAY limit the work per message
      DkimVerdict skipped;
      skipped.result = "neutral";  // RFC 8601 §2.7.1: not otherwise able to be processed
      skipped.reason =
          "not checked: more than " + std::to_string(kMaxCheckedSignatures) + " signatures";
      if (auto tags = parseTagList(field.value); tags.ok()) {
        if (auto* d = tags->get("d")) skipped.domain = *d;
        if (auto* s = tags->get("s")) skipped.selector = *s;
      }
      out.push_back(std::move(skipped));
      continue;
    }
    out.push_back(verifyOne(*headers, field, body, resolver, now));
  }
  return out;
}

}  // namespace mailjuke::core::mailauth
