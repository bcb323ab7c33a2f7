// Privacy routes beyond the request queue: the breach register, marketing sends with one-click
// unsubscribe (RFC 8058), analytics aggregates, and the Sec-GPC signal (docs/privacy.md).
#pragma once

#include <optional>
#include <string>

#include "server/http/api/api.h"

namespace mailjuke::api {

void addPrivacyMoreRoutes(Api& api);

// Whether the request carries `Sec-GPC: 1` (Global Privacy Control: an opt-out).
bool hasGpc(const Ctx& c);

// Records a product usage event for the signed-in person through core::privacy::recordUsage
// (consent, objection, restriction and Sec-GPC decide); never fails the caller's action.
void recordUsage(Api& api, const Ctx& c, const std::string& user_id,
                 const std::string& workspace_id, const std::string& event);

// PUT /api/v1/me/consents under Sec-GPC: 1: withdraws analytics and marketing_email consents
// the body does not choose explicitly, and updates `out` ({consents, consent_history}).
Status honourGpcHeader(Api& api, const Ctx& c, const Json& choices, Json& out);

// The data processing agreement on a workspace: `out["dpa"]` gets the version in force, whether
// it is accepted, and the history of acceptances; an acceptance must name the version in force.
Status addDpaStatus(Api& api, const std::string& workspace_id, Json& out);
// The owner's pending whole-workspace erasure: `out["scheduled_deletion"]` = {request_id,
// delete_after, cancellable} or null (core::privacy::pendingWorkspaceErasure).
Status addErasureStatus(Api& api, const Ctx& c, const std::string& workspace_id, Json& out);
Status checkDpaVersion(Api& api, const std::optional<std::string>& version);

// A finished export file as an attachment (ZIP, no-store); 410 when it is gone.
Result<http::Response> zipDownload(const std::string& path, const std::string& filename);

}  // namespace mailjuke::api
