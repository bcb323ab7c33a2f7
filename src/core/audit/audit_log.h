// Audit events: who did what, to which target, in which workspace, from where, when (UTC).
// Recorded inside the transaction that makes the change, so no change goes unrecorded.
#pragma once

#include <optional>
#include <string>

#include "base/json.h"
#include "core/access/principal.h"
#include "core/context.h"

namespace mailjuke {
class JsonWriter;
}

namespace mailjuke::core {

struct AuditEntry {
  std::string workspace_id;  // empty: account-level or security event
  std::string action;        // e.g. "workspace.create", "auth.login_failed"
  std::string target_type;
  std::string target_id;
  Json data = Json::object();
};

// The store generation tag of a workspace's audit log (see store::Tx::touch).
inline std::string auditTag(const std::string& workspace_id) { return "audit:" + workspace_id; }

Status recordAudit(store::Tx& tx, const Principal& actor, const AuditEntry& entry, int64_t now);

struct AuditQuery {
  std::string workspace_id;
  std::optional<std::string> action;  // exact action or prefix ending with '.'
  std::optional<std::string> actor_id;
  std::optional<std::string> cursor;
  int limit = 50;
};
// Newest first.
Result<Page> listAudit(store::Tx& tx, const AuditQuery& q);
void writeAuditRow(JsonWriter& w, const store::Row& r);

}  // namespace mailjuke::core
