// The breach register (GDPR Art. 33, 34; policy §9): operators record each personal data breach
// with its detection, awareness and notification times, the data categories (from the
// inventory) and people affected, and the measures taken. Every change is kept in an
// append-only history. When 72 hours pass after awareness without the supervisory authority
// being notified, the housekeeping tick e-mails every operator once and the API shows
// `overdue: true` with the hours past the deadline.
#pragma once

#include <optional>
#include <string>

#include "base/json.h"
#include "core/access/principal.h"
#include "core/context.h"

namespace mailjuke::core::privacy {

constexpr int64_t kBreachNotifySeconds = 72 * 3600;  // Art. 33(1)

// `body`: {description, detected_at, aware_at?, authority_notified_at?, subjects_notified_at?,
// categories?, people_affected?, measures?, status?}; times RFC 3339. aware_at defaults to now.
Result<Json> createBreach(CoreContext& ctx, const Json& body, const Principal& op);
// Partial update with the same fields; each changed field is recorded {from, to} in the history.
Result<Json> updateBreach(CoreContext& ctx, const std::string& id, const Json& body,
                          const Principal& op);
// Checks a create/update body without touching the database (also the fuzz target's entry).
Status validateBreachInput(const Json& body, int64_t now);

// Newest first.
Result<Page> listBreaches(store::Tx& tx, int64_t now, std::optional<std::string> cursor, int limit);
Result<Json> getBreach(store::Tx& tx, const std::string& id, int64_t now);

// E-mails the operators about every breach whose 72 hours passed without notifying the
// authority (once per breach); returns how many alerts were raised. Run from the tick.
Result<int64_t> raiseBreachAlerts(store::Tx& tx, const CoreContext& ctx, int64_t now);

}  // namespace mailjuke::core::privacy
