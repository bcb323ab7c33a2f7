// Generated from the data inventory: the Art. 30(1) records of processing activities, and the
// "what we hold about you and why" part of GET /api/v1/me/privacy.
#pragma once

#include <string>

#include "base/json.h"
#include "core/context.h"

namespace mailjuke::core::privacy {

// Art. 30(1): per purpose, the categories of data and of people, legal basis, recipients
// (subprocessors whose categories overlap), retention and the security measures (Art. 32).
Result<Json> processingRecords(store::Tx& tx, const Settings& settings);

// For one person: every inventory table that holds rows about them, with row counts, the
// categories, purpose, legal basis, retention and MailJuke's role.
Result<Json> holdings(store::Tx& tx, const std::string& user_id, const std::string& email);

// Where each category comes from (policy §3).
const char* categorySource(const char* category);

}  // namespace mailjuke::core::privacy
