// Workspaces (tenants), memberships, invitations and API keys. Every call authorizes the
// principal against the permission table; another workspace's resources are "not found".
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "base/json.h"
#include "core/access/principal.h"
#include "core/audit/audit_log.h"
#include "core/audit/audit_page_cache.h"
#include "core/context.h"
#include "core/pagination.h"

namespace mailjuke::core {

class WorkspaceService {
 public:
  explicit WorkspaceService(CoreContext& ctx) : ctx_(ctx) {}

  // The principal's role in `ws`, or NotFound (never Forbidden) when it has none.
  static Result<Role> roleIn(store::Tx& tx, const Principal& p, const std::string& ws);
  // roleIn + the permission table: Forbidden when the role may not.
  static Result<Role> authorize(store::Tx& tx, const Principal& p, const std::string& ws, Action a);

  Result<Page> list(const Principal& p, std::optional<std::string> cursor, int limit);
  Result<Json> create(const Principal& p, const std::string& name,
                      const std::optional<std::string>& region);
  Result<Json> get(const Principal& p, const std::string& ws);
  Result<Json> update(const Principal& p, const std::string& ws, const Json& patch);
  Status remove(const Principal& p, const std::string& ws, const std::string& confirm_name);

  Result<Page> listMembers(const Principal& p, const std::string& ws,
                           std::optional<std::string> cursor, int limit);
  Result<Json> invite(const Principal& p, const std::string& ws, const std::string& email,
                      const std::string& role);
  Result<Json> changeRole(const Principal& p, const std::string& ws, const std::string& mem,
                          const std::string& role);
  Status removeMember(const Principal& p, const std::string& ws, const std::string& mem);
  Result<Json> acceptInvitation(const Principal& p, const std::string& token);
  // Invitations not yet accepted, revoked or expired (members.read), newest first.
  Result<Page> listInvitations(const Principal& p, const std::string& ws,
                               std::optional<std::string> cursor, int limit);
  // The link stops working at once (members.manage); 404 when it is no longer pending.
  Status revokeInvitation(const Principal& p, const std::string& ws, const std::string& inv);

  Result<Page> listKeys(const Principal& p, const std::string& ws,
                        std::optional<std::string> cursor, int limit);
  Result<Json> createKey(const Principal& p, const std::string& ws, const std::string& name,
                         const std::string& role);
  Status revokeKey(const Principal& p, const std::string& ws, const std::string& key);
  // Resolves "mj_..." to a principal; NotFound/Unauthenticated when unknown or revoked.
  Result<Principal> authenticateKey(const std::string& key, const std::string& ip,
                                    const std::string& ua);
  // The principal of a key in the key cache, without touching the database; nullopt otherwise.
  std::optional<Principal> cachedKey(const std::string& key, const std::string& ip,
                                     const std::string& ua);

  // The rendered page ({"data": [...], "next_cursor": ...}). API keys are authorised from the
  // key cache and served from the page cache while the workspace's audit log is unchanged.
  Result<std::shared_ptr<const std::string>> audit(const Principal& p, const AuditQuery& q);
  // The page from the cache only (API keys), without touching the database; null otherwise.
  std::shared_ptr<const std::string> cachedAudit(const Principal& p, const AuditQuery& q);

  // Operators (the transport checks Principal::is_operator). Filters: status, q (name or id
  // contains). Rows carry counts, the owners' e-mails and the latest suspension.
  Result<Page> adminList(const std::optional<std::string>& status,
                         const std::optional<std::string>& q, const PageRequest& page);
  // active → suspended (writes refused, mail stopped; reads, exports, billing and privacy
  // requests keep working) and back; 409 from any other state; audited in the workspace log.
  Result<Json> suspend(const Principal& p, const std::string& ws, const std::string& reason);
  Result<Json> resume(const Principal& p, const std::string& ws, const std::string& reason);

  // Clears this node's API key cache (after revocations made elsewhere, e.g. an erasure).
  void forgetKeys();

 private:
  Json workspaceJson(const store::Row& r, Role role) const;
  CoreContext& ctx_;
  // Cache of key digest → principal, so an API call does not query the key on every request.
  // Entries live 10 s; revocation and workspace deletion clear it on this node at once (other
  // nodes sharing the database see a revocation within those 10 s).
  struct CachedKey {
    Principal principal;
    int64_t expires_at;
  };
  std::mutex key_cache_mu_;
  std::unordered_map<std::string, CachedKey> key_cache_;
  AuditPageCache audit_pages_;
};

}  // namespace mailjuke::core
