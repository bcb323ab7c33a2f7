// Workspace API keys: "mj_" + 256 random bits, shown once, stored as SHA-256, one role each.
#include "base/crypto.h"
#include "base/encoding.h"
#include "base/ids.h"
#include "core/accounts/validation.h"
#include "core/pagination.h"
#include "core/workspaces/workspace_service.h"

namespace mailjuke::core {
namespace {
Json keyJson(const store::Row& r) {
  return {{"id", r.text(0)},
          {"name", r.text(1)},
          {"role", r.text(2)},
          {"prefix", r.text(3)},
          {"created_at", formatRfc3339(r.integer(4))},
          {"last_used_at", r.isNull(5) ? Json(nullptr) : Json(formatRfc3339(r.integer(5)))},
          {"revoked_at", r.isNull(6) ? Json(nullptr) : Json(formatRfc3339(r.integer(6)))}};
}
}  // namespace

Result<Page> WorkspaceService::listKeys(const Principal& p, const std::string& ws,
                                        std::optional<std::string> cursor, int limit) {
  return ctx_.db.read<Page>([&](store::Tx& tx) -> Result<Page> {
    MJ_TRY(authorize(tx, p, ws, Action::kApiKeysRead));
    return paginate(tx,
                    "SELECT id, name, role, key_prefix, created_at, last_used_at, revoked_at FROM "
                    "api_keys WHERE workspace_id = ?",
                    {ws}, "id", {cursor, limit}, keyJson);
  });
}

Result<Json> WorkspaceService::createKey(const Principal& p, const std::string& ws,
                                         const std::string& name, const std::string& role_name) {
  MJ_TRY(checkText("name", name, 100));
  auto role = parseRole(role_name);
  if (!role) return Error::invalid("role", "must be one of owner, admin, member, billing, viewer");
  int64_t now = ctx_.clock.nowSeconds();
  return ctx_.db.write<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY_ASSIGN(Role actor_role, authorize(tx, p, ws, Action::kApiKeysManage));
    if (!mayGrant(actor_role, *role))
      return Error::make(ErrorCode::kForbidden,
                         "your role may not create a key with the " + role_name + " role");
    std::string secret = "mj_" + base64UrlEncode(crypto::randomBytes(32));
    std::string id = newId("key");
    MJ_TRY(
        tx.exec("INSERT INTO api_keys (id, workspace_id, name, role, key_hash, key_prefix, "
                "created_by, created_at) "
                "VALUES (?,?,?,?,?,?,?,?)",
                {id, ws, name, role_name, crypto::sha256Hex(secret), secret.substr(0, 10),
                 p.actorId(), now}));
    MJ_TRY(recordAudit(
        tx, p, {ws, "api_key.create", "api_key", id, {{"role", role_name}, {"name", name}}}, now));
    return Json{{"id", id},
                {"name", name},
                {"role", role_name},
                {"prefix", secret.substr(0, 10)},
                {"key", secret},
                {"created_at", formatRfc3339(now)},
                {"last_used_at", nullptr},
                {"revoked_at", nullptr}};
  });
}

Status WorkspaceService::revokeKey(const Principal& p, const std::string& ws,
                                   const std::string& key) {
  int64_t now = ctx_.clock.nowSeconds();
  Status st = ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    MJ_TRY(authorize(tx, p, ws, Action::kApiKeysManage));
    MJ_TRY_ASSIGN(auto n, tx.exec("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND "
                                  "workspace_id = ? AND revoked_at IS NULL",
                                  {now, key, ws}));
    if (n == 0) return Error::notFound("API key");
    return recordAudit(tx, p, {ws, "api_key.revoke", "api_key", key}, now);
  });
  forgetKeys();
  return st;
}

std::optional<Principal> WorkspaceService::cachedKey(const std::string& key, const std::string& ip,
                                                     const std::string& ua) {
  if (key.rfind("mj_", 0) != 0 || key.size() > 100) return std::nullopt;
  std::string digest = crypto::sha256Hex(key);
  std::lock_guard lk(key_cache_mu_);
  auto it = key_cache_.find(digest);
  if (it == key_cache_.end() || it->second.expires_at <= ctx_.clock.nowSeconds())
    return std::nullopt;
  Principal p = it->second.principal;
  p.ip = ip;
  p.user_agent = ua;
  return p;
}

Result<Principal> WorkspaceService::authenticateKey(const std::string& key, const std::string& ip,
                                                    const std::string& ua) {
  const Error bad = Error::make(ErrorCode::kUnauthenticated, "invalid or revoked API key");
  if (key.rfind("mj_", 0) != 0 || key.size() > 100) return bad;
  if (auto cached = cachedKey(key, ip, ua)) return *cached;
  int64_t now = ctx_.clock.nowSeconds();
  std::string digest = crypto::sha256Hex(key);
  MJ_TRY_ASSIGN(auto row, ctx_.db.read<std::optional<store::Row>>([&](store::Tx& tx) {
    return tx.queryOne(
        "SELECT k.id, k.workspace_id, k.role, k.last_used_at FROM api_keys k JOIN workspaces w "
        "ON w.id = k.workspace_id WHERE k.key_hash = ? AND k.revoked_at IS NULL AND w.status <> "
        "'deleted'",
        {digest});
  }));
  if (!row) return bad;
  // last_used_at at minute resolution keeps the hot path free of a write per request.
  if (row->isNull(3) || now - row->integer(3) >= 60) {
    MJ_TRY(ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
      MJ_TRY(tx.exec("UPDATE api_keys SET last_used_at = ? WHERE id = ?", {now, row->text(0)}));
      return {};
    }));
  }
  Principal p;
  p.kind = Principal::Kind::kApiKey;
  p.api_key_id = row->text(0);
  p.key_workspace_id = row->text(1);
  p.key_role = parseRole(row->text(2)).value_or(Role::kViewer);
  {
    std::lock_guard lk(key_cache_mu_);
    if (key_cache_.size() > 100000) key_cache_.clear();
    key_cache_[digest] = CachedKey{p, now + 10};
  }
  p.ip = ip;
  p.user_agent = ua;
  return p;
}

void WorkspaceService::forgetKeys() {
  std::lock_guard lk(key_cache_mu_);
  key_cache_.clear();
}

}  // namespace mailjuke::core
