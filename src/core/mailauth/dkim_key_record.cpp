#include "core/mailauth/dkim_key_record.h"

#include "base/encoding.h"
#include "core/mailauth/tag_list.h"

namespace mailjuke::core::mailauth {
namespace {

DkimKey failed(const char* result, std::string reason) {
  DkimKey k;
  k.result = result;
  k.reason = std::move(reason);
  return k;
}

}  // namespace

DkimKey parseDkimKey(std::string_view record) {
  auto parsed = parseTagList(record);
  if (!parsed) return failed("permerror", "malformed key record: " + parsed.error().message);
  const TagList& tags = *parsed;
  // §3.6.1 v=: if present it must be first and "DKIM1".
  if (auto* v = tags.get("v"); v && (*v != "DKIM1" || tags.tags.front().first != "v"))
    return failed("permerror", "key record has a bad v= tag");
  if (auto* k = tags.get("k"); k && *k != "rsa")
    return failed("permerror", "unsupported key type " + *k);
  if (auto* h = tags.get("h")) {  // acceptable hash algorithms
    bool sha256 = false;
    for (const auto& a : splitList(*h, ':')) sha256 = sha256 || a == "sha256";
    if (!sha256) return failed("permerror", "key does not allow sha256");
  }
  if (auto* s = tags.get("s")) {  // service types
    bool email = false;
    for (const auto& t : splitList(*s, ':')) email = email || t == "*" || t == "email";
    if (!email) return failed("permerror", "key is not for email");
  }
  const std::string* p = tags.get("p");
  if (!p) return failed("permerror", "key record lacks p=");
  std::string b64 = stripWhitespace(*p);
  if (b64.empty()) return failed("permerror", "key revoked");  // §3.6.1 p=, §6.1.2 step 6
  auto der = base64Decode(b64);
  if (!der || der->empty()) return failed("permerror", "bad base64 in p=");
  DkimKey key;
  key.public_der = std::move(*der);
  if (auto* t = tags.get("t"))
    for (const auto& flag : splitList(*t, ':')) {
      key.strict_domain = key.strict_domain || flag == "s";
      key.testing = key.testing || flag == "y";
    }
  return key;
}

DkimKey fetchDkimKey(Resolver& resolver, const std::string& selector, const std::string& domain) {
  auto answer = resolver.txt(selector + "._domainkey." + domain);
  switch (answer.status) {
    case LookupStatus::kTempFail:
      return failed("temperror", "key lookup failed");  // §6.1.2 step 2: TEMPFAIL
    case LookupStatus::kNxDomain:
    case LookupStatus::kNoData:
      return failed("permerror", "no key for signature");  // §6.1.2 step 3: PERMFAIL
    case LookupStatus::kOk:
      break;
  }
  DkimKey first_error = failed("permerror", "no key for signature");
  for (size_t i = 0; i < answer.values.size(); ++i) {
    DkimKey key = parseDkimKey(answer.values[i]);
    if (key.result.empty()) return key;
    if (i == 0) first_error = key;
  }
  return first_error;
}

}  // namespace mailjuke::core::mailauth
