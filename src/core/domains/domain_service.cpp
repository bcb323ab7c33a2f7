#include "core/domains/domain_service.h"
#include "core/billing/domain_charges.h"
#include "core/billing/limits.h"

#include "base/crypto.h"
#include "base/encoding.h"
#include "base/ids.h"
#include "core/audit/audit_log.h"
#include "core/domains/dkim_key.h"
#include "core/domains/domain_columns.h"
#include "core/domains/domain_name.h"
#include "core/workspaces/workspace_service.h"

namespace mailjuke::core {
namespace {
bool knownPolicy(const std::string& p) { return p == "none" || p == "quarantine" || p == "reject"; }

// A first serial of the form YYYYMMDD00 (RFC 1912 §2.2 convention); later changes add one.
int64_t initialSerial(int64_t now) {
  return std::stoll(formatDate(now).erase(7, 1).erase(4, 1)) * 100;
}
}  // namespace

Status validateForwardUrl(const std::string& url) {
  if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0)
    return Error::invalid("forward_url", "must be an http:// or https:// URL");
  if (url.size() > 2000) return Error::invalid("forward_url", "must be at most 2000 characters");
  for (unsigned char c : url)
    if (c <= ' ' || c == 0x7f || c == '"' || c == '<' || c == '>')
      return Error::invalid("forward_url", "must not contain spaces, quotes or control characters");
  return {};
}

Status DomainService::requireDomain(store::Tx& tx, const Principal& p, const std::string& ws,
                                    const std::string& dom, Action action) {
  MJ_TRY(WorkspaceService::authorize(tx, p, ws, action));
  MJ_TRY_ASSIGN(auto own,
                tx.queryOne("SELECT 1 FROM domains WHERE id = ? AND workspace_id = ?", {dom, ws}));
  if (!own) return Error::notFound("domain");
  return {};
}

Result<Json> DomainService::availability(const std::string& raw) {
  MJ_TRY_ASSIGN(auto name, parseDomainName("name", raw));
  MJ_TRY_ASSIGN(auto a, registrar_.check(name.ascii));
  bool hosted = false;
  MJ_TRY(ctx_.db.run(store::TxMode::kRead, [&](store::Tx& tx) -> Status {
    MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT 1 FROM domains WHERE name = ?", {name.ascii}));
    hosted = row.has_value();
    return {};
  }));
  Json price = a.yearly_price.amount
                   ? Json{{"amount", a.yearly_price.amount}, {"currency", a.yearly_price.currency}}
                   : Json(nullptr);
  return Json{{"name", name.ascii},
              {"unicode_name", name.unicode},
              {"available", a.available && !hosted},
              {"reason", hosted ? "already hosted on this platform" : a.reason},
              {"yearly_price", price},
              {"registrar", registrar_.name()}};
}

Result<Json> DomainService::domainJson(store::Tx& tx, const store::Row& r) {
  Json report = r.isNull(15) ? Json(nullptr) : Json::parse(r.text(15), nullptr, false);
  Json out = {{"id", r.text(0)},
              {"name", r.text(1)},
              {"unicode_name", r.text(2)},
              {"source", r.text(3)},
              {"status", r.text(4)},
              {"forward_url", r.optText(6) ? Json(*r.optText(6)) : Json(nullptr)},
              {"dmarc_policy", r.text(7)},
              {"autorenew", r.boolean(8)},
              {"expires_at", r.isNull(9) ? Json(nullptr) : Json(formatRfc3339(r.integer(9)))},
              {"price", r.isNull(10) ? Json(nullptr)
                                     : Json{{"amount", r.integer(10)}, {"currency", r.text(11)}}},
              {"zone_serial", r.integer(12)},
              {"nameservers", ctx_.settings.dns.nameservers},
              {"created_at", formatRfc3339(r.integer(13))},
              {"updated_at", formatRfc3339(r.integer(14))},
              {"verification", report.is_discarded() ? Json(nullptr) : report}};
  if (r.text(3) == "external")
    out["ownership"] = {{"txt_name", "_mailjuke-challenge." + r.text(1)},
                        {"txt_value", r.text(5)},
                        {"or_delegate_to", ctx_.settings.dns.nameservers}};
  MJ_TRY_ASSIGN(
      auto keys,
      tx.query(
          "SELECT selector, status, created_at, retire_after FROM dkim_keys WHERE domain_id = ? "
          "ORDER BY created_at",
          {r.text(0)}));
  Json dkim = Json::array();
  for (const auto& k : keys)
    dkim.push_back(
        {{"selector", k.text(0)},
         {"status", k.text(1)},
         {"created_at", formatRfc3339(k.integer(2))},
         {"retire_after", k.isNull(3) ? Json(nullptr) : Json(formatRfc3339(k.integer(3)))}});
  out["dkim"] = dkim;
  return out;
}

Status DomainService::bumpZone(store::Tx& tx, const std::string& dom, int64_t now) {
  MJ_TRY(tx.exec("UPDATE domains SET zone_serial = zone_serial + 1, updated_at = ? WHERE id = ?",
                 {now, dom}));
  MJ_TRY(tx.exec("UPDATE zone_state SET version = version + 1 WHERE id = 1"));
  return {};
}

Result<Json> DomainService::add(const Principal& p, const std::string& ws, const DomainInput& in) {
  MJ_TRY_ASSIGN(auto name, parseDomainName("name", in.name));
  if (in.source != "purchase" && in.source != "external")
    return Error::invalid("source", "must be purchase or external");
  std::string policy = in.dmarc_policy.value_or("none");
  if (!knownPolicy(policy))
    return Error::invalid("dmarc_policy", "must be none, quarantine or reject");
  if (in.forward_url) MJ_TRY(validateForwardUrl(*in.forward_url));
  int64_t now = ctx_.clock.nowSeconds();
  // Authorize and check uniqueness before the slow parts (registrar, key generation).
  MJ_TRY(ctx_.db.run(store::TxMode::kRead, [&](store::Tx& tx) -> Status {
    MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kDomainsWrite));
    MJ_TRY(billing::checkCanAddDomains(tx, ctx_.settings.billing, ws));
    MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT 1 FROM domains WHERE name = ?", {name.ascii}));
    if (row)
      return Error::make(ErrorCode::kConflict, name.ascii + " is already hosted on this platform");
    return {};
  }));
  std::optional<int64_t> expires;
  Money price;
  if (in.source == "purchase") {
    MJ_TRY_ASSIGN(auto a, registrar_.check(name.ascii));
    if (!a.available)
      return Error::make(ErrorCode::kConflict, name.ascii + " is not available: " + a.reason);
    price = a.yearly_price;
    if (toLowerAscii(price.currency) != toLowerAscii(ctx_.settings.billing.currency))
      return Error::internal("the registrar prices in " + price.currency + ", billing in " +
                             ctx_.settings.billing.currency);
    // Not enough money: refuse before registering (the charge below is the authoritative check).
    MJ_TRY(ctx_.db.run(store::TxMode::kRead, [&](store::Tx& tx) {
      return billing::checkWalletCovers(tx, ctx_.settings.billing, ws, name.ascii, price.amount);
    }));
    MJ_TRY_ASSIGN(expires, registrar_.registerName(name.ascii, 1, now));
  }
  MJ_TRY_ASSIGN(auto key, generateDkimKey(2048));
  std::string id = newId("dom");
  return ctx_.db.write<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kDomainsWrite));
    auto ins = tx.exec(
        "INSERT INTO domains (id, workspace_id, name, unicode_name, source, status, "
        "verification_token, "
        "forward_url, dmarc_policy, expires_at, price_amount, price_currency, zone_serial, "
        "created_at, updated_at) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        {id, ws, name.ascii, name.unicode, in.source,
         in.source == "purchase" ? "active" : "pending",
         "mailjuke-verify=" + crypto::randomToken(18), store::nullable(in.forward_url), policy,
         expires ? store::Value(*expires) : store::Value(nullptr),
         in.source == "purchase" ? store::Value(price.amount) : store::Value(nullptr),
         in.source == "purchase" ? store::Value(price.currency) : store::Value(nullptr),
         initialSerial(now), now, now});
    if (!ins.ok() && ins.error().code == ErrorCode::kConflict)
      return Error::make(ErrorCode::kConflict, name.ascii + " is already hosted on this platform");
    if (!ins.ok()) return std::move(ins).error();
    MJ_TRY(
        tx.exec("INSERT INTO dkim_keys (id, domain_id, selector, private_key, public_key, status, "
                "created_at) "
                "VALUES (?,?,?,?,?,'active',?)",
                {newId("dkk"), id, std::string("mj1"),
                 crypto::seal(ctx_.secret_key, key.private_pem), key.public_b64, now}));
    MJ_TRY(tx.exec("UPDATE zone_state SET version = version + 1 WHERE id = 1"));
    Json audit = {{"name", name.ascii}, {"source", in.source}};
    std::optional<billing::ChargedInvoice> paid;
    if (in.source == "purchase") {
      audit["price"] = {{"amount", price.amount}, {"currency", price.currency}};
      // The wallet pays in this transaction: no money, no domain (and no money without one).
      billing::DomainCharge charge{id,  name.ascii, price.amount, 1, "domain_purchase",
                                   now, *expires};
      MJ_TRY_ASSIGN(paid, billing::chargeDomain(tx, ctx_, ws, charge, now));
      audit["invoice"] = paid->number;
    }
    MJ_TRY(recordAudit(tx, p, {ws, "domain.add", "domain", id, audit}, now));
    MJ_TRY_ASSIGN(
        auto row,
        tx.queryOne(std::string("SELECT ") + kDomainColumns + " FROM domains WHERE id = ?", {id}));
    MJ_TRY_ASSIGN(Json out, domainJson(tx, *row));
    if (paid)
      out["invoice"] = {
          {"id", paid->invoice_id},
          {"number", paid->number},
          {"paid_with", "wallet"},
          {"html_url", "/api/v1/workspaces/" + ws + "/invoices/" + paid->invoice_id + ".html"}};
    return out;
  });
}

Result<Page> DomainService::list(const Principal& p, const std::string& ws,
                                 std::optional<std::string> cursor, int limit) {
  return ctx_.db.read<Page>([&](store::Tx& tx) -> Result<Page> {
    MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kDomainsRead));
    std::string sql =
        std::string("SELECT ") + kDomainColumns + " FROM domains WHERE workspace_id = ?";
    store::Params params{ws};
    if (cursor) {
      sql += " AND id > ?";
      params.push_back(*cursor);
    }
    sql += " ORDER BY id LIMIT ?";
    params.push_back(int64_t(limit + 1));
    MJ_TRY_ASSIGN(auto rows, tx.query(sql, params));
    Page page;
    for (size_t i = 0; i < rows.size() && i < size_t(limit); ++i) {
      MJ_TRY_ASSIGN(auto j, domainJson(tx, rows[i]));
      page.data.push_back(j);
    }
    if (rows.size() > size_t(limit)) page.next_cursor = rows[limit - 1].text(0);
    return page;
  });
}

Result<Json> DomainService::get(const Principal& p, const std::string& ws, const std::string& dom) {
  return ctx_.db.read<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kDomainsRead));
    MJ_TRY_ASSIGN(auto row, tx.queryOne(std::string("SELECT ") + kDomainColumns +
                                            " FROM domains WHERE id = ? AND workspace_id = ?",
                                        {dom, ws}));
    if (!row) return Error::notFound("domain");
    return domainJson(tx, *row);
  });
}

Result<Json> DomainService::update(const Principal& p, const std::string& ws,
                                   const std::string& dom, const Json& patch) {
  if (patch.contains("dmarc_policy") && !knownPolicy(patch["dmarc_policy"].get<std::string>()))
    return Error::invalid("dmarc_policy", "must be none, quarantine or reject");
  if (patch.contains("forward_url") && patch["forward_url"].is_string())
    MJ_TRY(validateForwardUrl(patch["forward_url"].get<std::string>()));
  int64_t now = ctx_.clock.nowSeconds();
  return ctx_.db.write<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kDomainsWrite));
    MJ_TRY_ASSIGN(
        auto exists,
        tx.queryOne("SELECT 1 FROM domains WHERE id = ? AND workspace_id = ?", {dom, ws}));
    if (!exists) return Error::notFound("domain");
    Json fields = Json::array();
    if (patch.contains("dmarc_policy")) {
      MJ_TRY(tx.exec("UPDATE domains SET dmarc_policy = ? WHERE id = ?",
                     {patch["dmarc_policy"].get<std::string>(), dom}));
      fields.push_back("dmarc_policy");
    }
    if (patch.contains("forward_url")) {
      const Json& f = patch["forward_url"];
      MJ_TRY(
          tx.exec("UPDATE domains SET forward_url = ? WHERE id = ?",
                  {f.is_null() ? store::Value(nullptr) : store::Value(f.get<std::string>()), dom}));
      fields.push_back("forward_url");
    }
    if (patch.contains("autorenew")) {
      MJ_TRY(tx.exec("UPDATE domains SET autorenew = ? WHERE id = ?",
                     {int64_t(patch["autorenew"].get<bool>()), dom}));
      fields.push_back("autorenew");
    }
    MJ_TRY(bumpZone(tx, dom, now));
    MJ_TRY(recordAudit(tx, p, {ws, "domain.update", "domain", dom, {{"fields", fields}}}, now));
    MJ_TRY_ASSIGN(
        auto row,
        tx.queryOne(std::string("SELECT ") + kDomainColumns + " FROM domains WHERE id = ?", {dom}));
    return domainJson(tx, *row);
  });
}

Status DomainService::remove(const Principal& p, const std::string& ws, const std::string& dom) {
  int64_t now = ctx_.clock.nowSeconds();
  return ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kDomainsWrite));
    MJ_TRY_ASSIGN(
        auto row,
        tx.queryOne("SELECT name FROM domains WHERE id = ? AND workspace_id = ?", {dom, ws}));
    if (!row) return Error::notFound("domain");
    // Mailboxes hold mail and credentials handed to sequencers: they are deleted explicitly.
    MJ_TRY_ASSIGN(auto count,
                  tx.queryOne("SELECT COUNT(*) FROM mailboxes WHERE domain_id = ?", {dom}));
    if (count && count->integer(0) > 0)
      return Error::make(ErrorCode::kConflict, row->text(0) + " still has " +
                                                   std::to_string(count->integer(0)) +
                                                   " mailbox(es): delete them first");
    MJ_TRY(tx.exec("DELETE FROM domains WHERE id = ?", {dom}));
    MJ_TRY(tx.exec("UPDATE zone_state SET version = version + 1 WHERE id = 1"));
    return recordAudit(tx, p, {ws, "domain.delete", "domain", dom, {{"name", row->text(0)}}}, now);
  });
}

}  // namespace mailjuke::core
