// Domains: availability and purchase through the registrar port, connecting external domains,
// managed and custom DNS records, and the zone data the DNS server serves.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
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

  // Checks ownership and the managed records through the configured resolver; stores the report
  // and moves the domain to active (all ok) or failed (domain_verify.cpp).
  Result<Json> verify(const Principal& p, const std::string& ws, const std::string& dom);

  // A new active DKIM key with the next selector; the old one retires after the grace period
  // (domain_dkim.cpp). deleteRetiredDkimKeys() is housekeeping: returns how many it removed.
  Result<Json> rotateDkim(const Principal& p, const std::string& ws, const std::string& dom);
  Result<int64_t> deleteRetiredDkimKeys();

  // The zone as an RFC 1035 master file (domain_zone_export.cpp); by name for the CLI.
  Result<std::string> zoneText(const Principal& p, const std::string& ws, const std::string& dom);
  Result<std::string> zoneTextByName(const std::string& name);

  // Every hosted zone, for the DNS snapshot; `version` is zone_state.version at read time.
  struct Zones {
    int64_t version = 0;
    std::vector<dns::ZoneInput> zones;
  };
  Result<Zones> allZones();
  Result<int64_t> zonesVersion();
  // (zone version, domain name → forward_url) for every domain with forwarding on.
  Result<std::pair<int64_t, std::unordered_map<std::string, std::string>>> forwardTargets();

 private:
  // Authorizes `action` in `ws` and checks that `dom` belongs to it (404 otherwise).
  static Status requireDomain(store::Tx& tx, const Principal& p, const std::string& ws,
                              const std::string& dom, Action action);
  Result<std::vector<ZoneRecord>> zoneRecords(store::Tx& tx, const std::string& dom);
  Result<Json> domainJson(store::Tx& tx, const store::Row& r);
  Result<std::string> zoneTextOf(store::Tx& tx, const std::string& dom, const std::string& name);
  Status bumpZone(store::Tx& tx, const std::string& dom, int64_t now);
  Result<dns::RecordText> checkRecord(store::Tx& tx, const std::string& dom,
                                      const std::string& exclude_id, const RecordInput& in);

  CoreContext& ctx_;
  Registrar& registrar_;
};

Status validateForwardUrl(const std::string& url);

}  // namespace mailjuke::core
