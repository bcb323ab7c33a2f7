// Privacy settings ([privacy] in the config): legal retention, grace periods, exports, and the
// policy text seeded at first start. Kept out of core/context.h on purpose: every core file
// includes that header.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace mailjuke::core::privacy {

struct PrivacySettings {
  int64_t legal_retention_years = 10;  // invoices and ledger kept restricted after erasure
  // legal_retention_by_country: ISO country → years (the seller's law on an invoice), e.g. NL 7.
  std::map<std::string, int64_t> legal_retention_by_country;
  int64_t workspace_grace_days = 30;  // solely owned workspaces of an erased person
  int64_t export_valid_days = 5;      // download links of access/portability exports
  std::string export_dir = "var/exports";
  std::string blob_dir = "var/blobs";  // mail content, for the workspace export
  std::string policy_file;  // empty: the embedded policy (shared/seed/privacy-policy.txt)
  std::string dpa_version = "2026-04";  // the data processing agreement owners accept now
};

}  // namespace mailjuke::core::privacy
