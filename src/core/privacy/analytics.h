// De-identified product analytics (policy §6; issue 7): usage events are recorded through one
// function, only when mayProcess(analytics) allows (consent, no objection, no restriction) and
// the request did not carry `Sec-GPC: 1`; they hold an HMAC of the user id and the workspace
// id, never an e-mail, name or IP. Complete days are aggregated into counts; raw rows are deleted
// after 13 months. Operators see the daily counts, with every group that covers fewer than 5
// workspaces (or, for account-level events such as login, 5 people) suppressed.
#pragma once

#include <optional>
#include <string>

#include "base/json.h"
#include "core/context.h"

namespace mailjuke::core::privacy {

constexpr int64_t kAnalyticsMinGroup = 5;
constexpr int64_t kAnalyticsRawDays = 396;  // 13 months

// The pseudonym analytics rows carry: HMAC(secret, user id), 32 hex.
std::string analyticsSubject(const std::string& secret_key, const std::string& user_id);

// Records `event` ([a-z_], 1-64) if allowed; returns whether it did. `workspace_id` may be empty
// (account-level events). Never fails the caller's action: callers log and go on.
Result<bool> recordUsage(CoreContext& ctx, const std::string& user_id,
                         const std::string& workspace_id, const std::string& event, bool gpc);

// A calendar date YYYY-MM-DD that exists.
bool isAnalyticsDay(const std::string& day);

// Aggregates every complete UTC day with raw rows not yet counted; returns the rows counted.
Result<int64_t> aggregateAnalytics(store::Tx& tx, int64_t now);

// {from, to, min_group, data: [{day, event, events, workspaces, people} or
// {day, event, suppressed: true}]}; days are YYYY-MM-DD, inclusive.
Result<Json> analyticsReport(store::Tx& tx, const std::string& from, const std::string& to,
                             const std::optional<std::string>& event);

}  // namespace mailjuke::core::privacy
