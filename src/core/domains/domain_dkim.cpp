// DKIM key rotation: a new selector (mj2, mj3, …) becomes active and is published at once; the
// previous key is "retiring" and stays published for the grace period so mail signed with it
// in flight still verifies (RFC 6376 §3.6.1), then housekeeping deletes it.
#include <spdlog/spdlog.h>

#include "base/crypto.h"
#include "base/ids.h"
#include "core/audit/audit_log.h"
#include "core/domains/dkim_key.h"
#include "core/domains/domain_columns.h"
#include "core/domains/domain_service.h"
#include "core/workspaces/workspace_service.h"

namespace mailjuke::core {
namespace {
// The number in a selector "mjN", 0 for anything else.
int64_t selectorNumber(const std::string& s) {
  if (s.size() < 3 || s.compare(0, 2, "mj") != 0 || s.size() > 12) return 0;
  int64_t n = 0;
  for (size_t i = 2; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return 0;
    n = n * 10 + (s[i] - '0');
  }
  return n;
}
}  // namespace

Result<Json> DomainService::rotateDkim(const Principal& p, const std::string& ws,
                                       const std::string& dom) {
  MJ_TRY(ctx_.db.run(store::TxMode::kRead, [&](store::Tx& tx) -> Status {
    MJ_TRY(requireDomain(tx, p, ws, dom, Action::kDomainsWrite));
    return {};
  }));
  MJ_TRY_ASSIGN(auto key, generateDkimKey(2048));
  int64_t now = ctx_.clock.nowSeconds();
  return ctx_.db.write<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY(requireDomain(tx, p, ws, dom, Action::kDomainsWrite));
    MJ_TRY_ASSIGN(auto rows, tx.query("SELECT selector FROM dkim_keys WHERE domain_id = ?", {dom}));
    int64_t next = 1;
    for (const auto& r : rows) next = std::max(next, selectorNumber(r.text(0)) + 1);
    std::string selector = "mj" + std::to_string(next);
    MJ_TRY(tx.exec(
        "UPDATE dkim_keys SET status = 'retiring', retire_after = ? WHERE domain_id = ? AND "
        "status = 'active'",
        {now + ctx_.settings.dns.dkim_grace_seconds, dom}));
    auto ins = tx.exec(
        "INSERT INTO dkim_keys (id, domain_id, selector, private_key, public_key, status, "
        "created_at) VALUES (?,?,?,?,?,'active',?)",
        {newId("dkk"), dom, selector, crypto::seal(ctx_.secret_key, key.private_pem),
         key.public_b64, now});
    if (!ins.ok() && ins.error().code == ErrorCode::kConflict)
      return Error::make(ErrorCode::kConflict, "another rotation is in progress; try again");
    if (!ins.ok()) return std::move(ins).error();
    MJ_TRY(bumpZone(tx, dom, now));
    MJ_TRY(recordAudit(tx, p, {ws, "domain.dkim_rotate", "domain", dom, {{"selector", selector}}},
                       now));
    MJ_TRY_ASSIGN(
        auto row,
        tx.queryOne(std::string("SELECT ") + kDomainColumns + " FROM domains WHERE id = ?", {dom}));
    return domainJson(tx, *row);
  });
}

Result<int64_t> DomainService::deleteRetiredDkimKeys() {
  int64_t now = ctx_.clock.nowSeconds();
  return ctx_.db.write<int64_t>([&](store::Tx& tx) -> Result<int64_t> {
    MJ_TRY_ASSIGN(auto rows, tx.query("SELECT id, domain_id FROM dkim_keys WHERE status = "
                                      "'retiring' AND retire_after <= ?",
                                      {now}));
    for (const auto& r : rows) {
      MJ_TRY(tx.exec("DELETE FROM dkim_keys WHERE id = ?", {r.text(0)}));
      MJ_TRY(bumpZone(tx, r.text(1), now));
    }
    return int64_t(rows.size());
  });
}

}  // namespace mailjuke::core
