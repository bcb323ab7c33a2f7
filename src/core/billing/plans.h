// The plan catalog ([billing] plans) and how money is shown in the API (API.md "Money":
// {amount, currency} in minor units, currency in lower case).
#pragma once

#include <optional>
#include <string>

#include "base/json.h"
#include "base/result.h"
#include "core/billing/proration.h"
#include "core/context.h"

namespace mailjuke::core::billing {

// "id:Name:mailboxes:monthly_minor_units:storage_mib_per_mailbox[:yearly_minor_units]"; yearly
// defaults to 10 x monthly. kInvalid naming what is wrong.
Result<PlanSettings> parsePlan(const std::string& text);

const PlanSettings* findPlan(const BillingSettings& s, const std::string& id);
int64_t planPrice(const PlanSettings& p, Interval interval);
std::optional<Interval> parseInterval(const std::string& text);  // month | year
const char* intervalName(Interval i);

Json money(int64_t amount, const std::string& currency);
// GET /api/v1/plans: {data: [{id, name, mailboxes, storage_bytes_per_mailbox, prices: {month,
// year}}], domain_prices: [{tld, yearly}], currency, trial}.
Json catalogJson(const BillingSettings& s);

}  // namespace mailjuke::core::billing
