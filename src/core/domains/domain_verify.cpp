// Domain verification: asks the configured resolver for the ownership proof and the managed
// records (MX, SPF, DKIM, DMARC) and compares them with what the zone should hold.
#include <algorithm>

#include "core/audit/audit_log.h"
#include "core/domains/dns_client.h"
#include "core/domains/domain_columns.h"
#include "core/domains/domain_service.h"
#include "core/workspaces/workspace_service.h"
#include "proto/dns/rdata.h"

namespace mailjuke::core {
namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool startsWithNoCase(const std::string& s, const std::string& prefix) {
  return lower(s.substr(0, prefix.size())) == lower(prefix);
}

std::string ownerName(const std::string& owner, const std::string& domain) {
  return owner == "@" ? domain : owner + "." + domain;
}

struct Lookup {
  std::vector<std::string> values;  // TXT joined, others in presentation form
  std::optional<std::string> error;
  bool authoritative = false;
};

Lookup lookup(const std::string& resolver, const std::string& name, uint16_t type) {
  Lookup out;
  auto a = dnsQuery(resolver, name, type);
  if (!a.ok()) {
    out.error = a.error().message;
    return out;
  }
  out.authoritative = a->authoritative;
  for (const auto& r : a->answers)
    out.values.push_back(type == dns::RrType::kTxt ? txtJoined(r.rdata)
                                                   : dns::rdataToText(type, r.rdata));
  return out;
}

Json check(const std::string& record, const std::string& expected, const Lookup& l, bool ok) {
  Json j = {{"record", record},
            {"status", ok                 ? "ok"
                       : l.values.empty() ? "missing"
                                          : "wrong"},
            {"expected", expected},
            {"seen", l.values}};
  if (l.error) j["error"] = *l.error;
  return j;
}

// Keeps the TXT strings that start with `prefix` (SPF, DMARC policy records).
Lookup only(Lookup l, const std::string& prefix) {
  std::erase_if(l.values, [&](const std::string& v) { return !startsWithNoCase(v, prefix); });
  return l;
}

}  // namespace

Result<Json> DomainService::verify(const Principal& p, const std::string& ws,
                                   const std::string& dom) {
  struct Expect {
    std::string name, source, token;
    std::vector<ZoneRecord> records;
    std::optional<std::string> dkim_selector;
  } e;
  MJ_TRY(ctx_.db.run(store::TxMode::kRead, [&](store::Tx& tx) -> Status {
    MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kDomainsWrite));
    MJ_TRY_ASSIGN(auto row,
                  tx.queryOne("SELECT name, source, verification_token FROM domains WHERE id = ? "
                              "AND workspace_id = ?",
                              {dom, ws}));
    if (!row) return Error::notFound("domain");
    e.name = row->text(0);
    e.source = row->text(1);
    e.token = row->text(2);
    MJ_TRY_ASSIGN(e.records, zoneRecords(tx, dom));
    MJ_TRY_ASSIGN(auto key, tx.queryOne("SELECT selector FROM dkim_keys WHERE domain_id = ? AND "
                                        "status = 'active' ORDER BY created_at DESC",
                                        {dom}));
    if (key) e.dkim_selector = key->text(0);
    return {};
  }));
  auto managed = [&](const std::string& id) -> const ZoneRecord* {
    for (const auto& r : e.records)
      if (r.id == "managed:" + id) return &r;
    return nullptr;
  };
  const std::string& resolver = ctx_.settings.dns.resolver;
  Json checks = Json::array();

  // Ownership: registered here, or the challenge TXT, or a (non-authoritative, i.e. resolved)
  // NS delegation to the platform's nameservers. Our own authoritative answer proves nothing.
  if (e.source == "purchase") {
    checks.push_back({{"record", "ownership"},
                      {"status", "ok"},
                      {"expected", "registered through the platform"},
                      {"seen", Json::array()}});
  } else {
    std::string challenge = "_mailjuke-challenge." + e.name;
    auto txt = lookup(resolver, challenge, dns::RrType::kTxt);
    bool ok = std::find(txt.values.begin(), txt.values.end(), e.token) != txt.values.end();
    if (!ok) {
      auto ns = lookup(resolver, e.name, dns::RrType::kNs);
      if (!ns.error && !ns.authoritative && !ns.values.empty()) {
        std::vector<std::string> seen;
        for (const auto& v : ns.values) seen.push_back(lower(v));
        ok = std::all_of(ctx_.settings.dns.nameservers.begin(), ctx_.settings.dns.nameservers.end(),
                         [&](std::string n) {
                           n = lower(n);
                           if (n.empty() || n.back() != '.') n += '.';
                           return std::find(seen.begin(), seen.end(), n) != seen.end();
                         });
      }
    }
    checks.push_back(check("ownership", "TXT " + challenge + " \"" + e.token + "\"", txt, ok));
  }
  if (const auto* mx = managed("mx")) {
    auto l = lookup(resolver, e.name, dns::RrType::kMx);
    bool ok = std::any_of(l.values.begin(), l.values.end(),
                          [&](const std::string& v) { return lower(v) == lower(mx->text.rdata); });
    checks.push_back(check("mx", mx->text.rdata, l, ok));
  }
  if (const auto* spf = managed("spf")) {
    auto l = only(lookup(resolver, e.name, dns::RrType::kTxt), "v=spf1");
    checks.push_back(
        check("spf", spf->text.rdata, l, l.values.size() == 1 && l.values[0] == spf->text.rdata));
  }
  if (e.dkim_selector) {
    if (const auto* dkim = managed("dkim:" + *e.dkim_selector)) {
      auto l = lookup(resolver, ownerName(dkim->text.owner, e.name), dns::RrType::kTxt);
      bool ok = std::find(l.values.begin(), l.values.end(), dkim->text.rdata) != l.values.end();
      Json c = check("dkim", dkim->text.rdata, l, ok);
      c["selector"] = *e.dkim_selector;
      checks.push_back(c);
    }
  }
  if (const auto* dmarc = managed("dmarc")) {
    auto l =
        only(lookup(resolver, ownerName(dmarc->text.owner, e.name), dns::RrType::kTxt), "v=DMARC1");
    checks.push_back(check("dmarc", dmarc->text.rdata, l,
                           l.values.size() == 1 && l.values[0] == dmarc->text.rdata));
  }

  int64_t now = ctx_.clock.nowSeconds();
  Json reasons = Json::array();
  for (const auto& c : checks)
    if (c["status"] != "ok")
      reasons.push_back(c["record"].get<std::string>() + " is " + c["status"].get<std::string>() +
                        (c.contains("error") ? " (" + c["error"].get<std::string>() + ")" : ""));
  bool ok = reasons.empty();
  Json report = {
      {"checked_at", formatRfc3339(now)}, {"ok", ok}, {"checks", checks}, {"reasons", reasons}};
  return ctx_.db.write<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kDomainsWrite));
    MJ_TRY_ASSIGN(auto n,
                  tx.exec("UPDATE domains SET status = ?, verify_report = ?, updated_at = "
                          "? WHERE id = ? AND workspace_id = ?",
                          {std::string(ok ? "active" : "failed"), report.dump(), now, dom, ws}));
    if (n == 0) return Error::notFound("domain");
    MJ_TRY(recordAudit(tx, p, {ws, "domain.verify", "domain", dom, {{"ok", ok}}}, now));
    MJ_TRY_ASSIGN(
        auto row,
        tx.queryOne(std::string("SELECT ") + kDomainColumns + " FROM domains WHERE id = ?", {dom}));
    return domainJson(tx, *row);
  });
}

}  // namespace mailjuke::core
