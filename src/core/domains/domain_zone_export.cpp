// A domain's zone as an RFC 1035 master file, for the API and `mailjuke zone export`.
#include "core/domains/domain_service.h"
#include "core/workspaces/workspace_service.h"
#include "proto/dns/zone_text.h"

namespace mailjuke::core {

Result<std::string> DomainService::zoneTextOf(store::Tx& tx, const std::string& dom,
                                              const std::string& name) {
  MJ_TRY_ASSIGN(auto recs, zoneRecords(tx, dom));
  std::vector<dns::RecordText> texts;
  for (auto& r : recs) texts.push_back(std::move(r.text));
  MJ_TRY_ASSIGN(auto zone, dns::buildZone(name, texts));
  MJ_TRY(dns::validateZone(zone));
  return dns::zoneToText(zone);
}

Result<std::string> DomainService::zoneText(const Principal& p, const std::string& ws,
                                            const std::string& dom) {
  return ctx_.db.read<std::string>([&](store::Tx& tx) -> Result<std::string> {
    MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kDomainsRead));
    MJ_TRY_ASSIGN(
        auto row,
        tx.queryOne("SELECT name FROM domains WHERE id = ? AND workspace_id = ?", {dom, ws}));
    if (!row) return Error::notFound("domain");
    return zoneTextOf(tx, dom, row->text(0));
  });
}

Result<std::string> DomainService::zoneTextByName(const std::string& name) {
  std::string lower = name;
  for (auto& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
  if (!lower.empty() && lower.back() == '.') lower.pop_back();
  return ctx_.db.read<std::string>([&](store::Tx& tx) -> Result<std::string> {
    MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT id, name FROM domains WHERE name = ?", {lower}));
    if (!row) return Error::notFound("domain " + lower);
    return zoneTextOf(tx, row->text(0), row->text(1));
  });
}

}  // namespace mailjuke::core
