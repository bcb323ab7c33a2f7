// Domains: availability and purchase through the registrar port, connecting external domains,
// managed and custom DNS records, and the zone data the DNS server serves.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/json.h"
#include "core/access/principal.h"
#include "core/context.h"
#include "core/domains/registrar.h"
#include "core/domains/zone_records.h"
#include "proto/dns/zone_set.h"

namespace mailjuke::core {

struct DomainInput {
  std::string name;
  std::string source;  // purchase | external
  std::optional<std::string> forward_url;
  std::optional<std::string> dmarc_policy;
};

struct RecordInput {
  std::optional<std::string> name, type, value;
  std::optional<int64_t> ttl;
};

class DomainService {
 public:
  DomainService(CoreContext& ctx, Registrar& registrar) : ctx_(ctx), registrar_(registrar) {}

  Result<Json> availability(const std::string& name);
  Result<Json> add(const Principal& p, const std::string& ws, const DomainInput& in);
  Result<Page> list(const Principal& p, const std::string& ws, std::optional<std::string> cursor,
                    int limit);
  Result<Json> get(const Principal& p, const std::string& ws, const std::string& dom);
  Result<Json> update(const Principal& p, const std::string& ws, const std::string& dom,
                      const Json& patch);
  Status remove(const Principal& p, const std::string& ws, const std::string& dom);

  Result<Json> records(const Principal& p, const std::string& ws, const std::string& dom);
  Result<Json> addRecord(const Principal& p, const std::string& ws, const std::string& dom,
                         const RecordInput& in);
  Result<Json> updateRecord(const Principal& p, const std::string& ws, const std::string& dom,
                            const std::string& rec, const RecordInput& in);
  Status deleteRecord(const Principal& p, const std::string& ws, const std::string& dom,
                      const std::string& rec);

  // Every hosted zone, for the DNS snapshot; `version` is zone_state.version at read time.
  struct Zones {
    int64_t version = 0;
    std::vector<dns::ZoneInput> zones;
  };
  Result<Zones> allZones();
  Result<int64_t> zonesVersion();

 private:
  Result<std::vector<ZoneRecord>> zoneRecords(store::Tx& tx, const std::string& dom);
  Result<Json> domainJson(store::Tx& tx, const store::Row& r);
  Status bumpZone(store::Tx& tx, const std::string& dom, int64_t now);
  Result<dns::RecordText> checkRecord(store::Tx& tx, const std::string& dom,
                                      const std::string& exclude_id, const RecordInput& in);

  CoreContext& ctx_;
  Registrar& registrar_;
};

Status validateForwardUrl(const std::string& url);

}  // namespace mailjuke::core
