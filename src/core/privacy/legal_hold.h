// Legal holds (Art. 17(3)(b), bookkeeping law): a deleted workspace's billing records (invoices
// and their lines, credit notes, payments, refunds, fraud reviews, subscriptions and the whole
// ledger transactions that touch it) are kept restricted for the legal period of the country
// whose law they were issued under, then purged by the retention job. The database allows the
// DELETE of a finalised invoice or credit note only when its purge_after has passed by the
// purge clock (migration 0016), which only purgeWorkspaceBooks() sets, inside its transaction.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/context.h"
#include "core/privacy/privacy_settings.h"

namespace mailjuke::core::privacy {

inline constexpr int64_t kLegalYearSeconds = 31557600;  // 365.25 days

// privacy.legal_retention_by_country[country] (ISO 3166 alpha-2), else legal_retention_years.
int64_t legalRetentionYears(const PrivacySettings& settings, std::string_view country);

// Whether the workspace has any record bookkeeping law keeps (ledger, invoices, payments...).
Result<bool> hasBooks(store::Tx& tx, const std::string& workspace_id);

// Places (or extends, never shortens) the workspace's legal hold: stamps purge_after on each
// finalised invoice (finalised + the period of its seller's country) and credit note (issued +
// that of its invoice); the hold ends at the latest of those and of the ledger transactions'
// and payments' dates + the period. Returns the hold's purge_after; nullopt without books.
Result<std::optional<int64_t>> holdWorkspaceBooks(store::Tx& tx, const PrivacySettings& settings,
                                                  const std::string& workspace_id,
                                                  std::string_view reason, int64_t now);

// Deletes every billing record of the workspace: whole ledger transactions only (their entries
// on every account, so Σdebits = Σcredits per currency stays true), then its wallets. The
// caller has checked the hold expired; the database refuses rows whose purge_after is later
// than now. Returns how many rows went.
Result<int64_t> purgeWorkspaceBooks(store::Tx& tx, const std::string& workspace_id, int64_t now);

}  // namespace mailjuke::core::privacy
