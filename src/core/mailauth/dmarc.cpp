// DMARC (RFC 7489): policy discovery (§6.6.3), identifier alignment (§3.1) and the verdict.
#include <libpsl.h>

#include "base/encoding.h"
#include "core/mailauth/spf_dmarc.h"
#include "core/mailauth/tag_list.h"

namespace mailjuke::core::mailauth {
namespace {

// The organisational domain (§3.2): the registrable domain per the public suffix list, or the
// name itself when it has none (a public suffix or an unlisted single label).
std::string orgDomain(const std::string& domain) {
  const psl_ctx_t* psl = psl_builtin();
  const char* reg = psl ? psl_registrable_domain(psl, domain.c_str()) : nullptr;
  return reg ? std::string(reg) : domain;
}

std::string normalise(std::string d) {
  d = toLowerAscii(d);
  while (!d.empty() && d.back() == '.') d.pop_back();
  return d;
}

bool aligned(const std::string& a, const std::string& b, bool strict) {
  if (a.empty() || b.empty()) return false;
  return strict ? a == b : orgDomain(a) == orgDomain(b);
}

// §6.4 record syntax, read leniently: "tag=value" pairs split at ";", whitespace trimmed, the
// first tag must be v=DMARC1 (§6.6.3 step 3 discards anything else).
bool parseRecord(std::string_view txt, std::vector<std::pair<std::string, std::string>>& tags) {
  for (const auto& part : splitList(txt, ';')) {
    if (part.empty()) continue;
    size_t eq = part.find('=');
    if (eq == std::string::npos) return false;
    tags.emplace_back(part.substr(0, eq), part.substr(eq + 1));
  }
  return !tags.empty() && tags[0].first == "v" && tags[0].second == "DMARC1";
}

const std::string* tag(const std::vector<std::pair<std::string, std::string>>& tags,
                       std::string_view name) {
  for (const auto& [n, v] : tags)
    if (n == name) return &v;
  return nullptr;
}

enum class Found { kRecord, kNone, kTempFail };

// §6.6.3 steps 1-5 at one name: exactly one DMARC record.
Found discover(Resolver& dns, const std::string& domain,
               std::vector<std::pair<std::string, std::string>>& tags) {
  auto txt = dns.txt("_dmarc." + domain);
  if (txt.status == LookupStatus::kTempFail) return Found::kTempFail;
  int count = 0;
  for (const auto& t : txt.values) {
    std::vector<std::pair<std::string, std::string>> parsed;
    if (!parseRecord(t, parsed)) continue;
    if (++count == 1) tags = std::move(parsed);
  }
  if (count != 1) tags.clear();  // none, or several: DMARC does not apply (step 5)
  return count == 1 ? Found::kRecord : Found::kNone;
}

bool validPolicy(const std::string* p) {
  return p && (*p == "none" || *p == "quarantine" || *p == "reject");
}

}  // namespace

DmarcVerdict checkDmarc(const std::string& header_from_domain, const SpfVerdict& spf,
                        const std::vector<DkimVerdict>& dkim, Resolver& resolver) {
  DmarcVerdict v;
  v.header_from = normalise(header_from_domain);
  if (v.header_from.empty()) {
    v.result = "permerror";
    v.reason = "no RFC5322.From domain";
    return v;
  }
  std::string org = orgDomain(v.header_from);
  std::vector<std::pair<std::string, std::string>> tags;
  Found found = discover(resolver, v.header_from, tags);
  bool at_org = false;
  if (found == Found::kNone && org != v.header_from) {  // §6.6.3 step 3: organisational domain
    found = discover(resolver, org, tags);
    at_org = true;
  }
  if (found == Found::kTempFail) {
    v.result = "temperror";
    v.reason = "DNS failure looking up the DMARC record";
    return v;
  }
  // §6.6.3 step 6: a missing or invalid p= makes the record unusable unless rua= is present.
  const std::string* p = found == Found::kRecord ? tag(tags, "p") : nullptr;
  if (found == Found::kNone || (!validPolicy(p) && !tag(tags, "rua"))) {
    v.result = "none";
    v.reason = "no DMARC record";
    return v;
  }
  v.policy = validPolicy(p) ? *p : "none";
  // §6.3 sp=: the policy for subdomains, applied when the record came from the org domain.
  if (const std::string* sp = tag(tags, "sp"); at_org && validPolicy(sp)) v.policy = *sp;
  if (const std::string* pct = tag(tags, "pct")) {
    try {
      int n = std::stoi(*pct);
      if (n >= 0 && n <= 100) v.pct = n;
    } catch (...) {
    }
  }
  const std::string* aspf = tag(tags, "aspf");
  const std::string* adkim = tag(tags, "adkim");
  bool strict_spf = aspf && *aspf == "s", strict_dkim = adkim && *adkim == "s";
  // §4.2: pass when either identifier passes and aligns with RFC5322.From.
  for (const auto& d : dkim) {
    if (d.result == "pass" && aligned(normalise(d.domain), v.header_from, strict_dkim)) {
      v.result = "pass";
      v.reason = "aligned DKIM pass, d=" + d.domain;
      return v;
    }
  }
  if (spf.result == "pass" && aligned(normalise(spf.domain), v.header_from, strict_spf)) {
    v.result = "pass";
    v.reason = "aligned SPF pass, " + spf.domain;
    return v;
  }
  v.result = "fail";
  v.reason = "no aligned SPF or DKIM pass";
  return v;
}

}  // namespace mailjuke::core::mailauth
