#include "core/mailboxes/mail_directory.h"

#include <spdlog/spdlog.h>

#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include "base/crypto.h"
#include "base/encoding.h"
#include "core/domains/domain_name.h"

namespace mailjuke::core {
namespace {

struct Snapshot {
  int64_t mailbox_version = -1;
  int64_t zone_version = -1;
  std::string workspaces_mark;  // which workspaces are not active (see refresh())
  std::unordered_map<std::string, std::shared_ptr<const MailAccount>> by_address;
  std::unordered_map<std::string, std::shared_ptr<const MailAccount>> by_id;
  std::unordered_set<std::string> domains;
  std::unordered_map<std::string, DkimSigningKey> keys;
};

// Lower-case A-label of a domain given in any case, U-label or A-label.
std::string normalizeDomain(std::string_view domain) {
  std::string d = toLowerAscii(domain);
  if (!d.empty() && d.back() == '.') d.pop_back();
  for (unsigned char c : d)
    if (c >= 0x80) {
      auto parsed = parseDomainName("domain", d);
      return parsed.ok() ? parsed->ascii : d;
    }
  return d;
}

constexpr size_t kMaxCachedLogins = 100000;

}  // namespace

struct MailDirectory::State {
  std::mutex refresh_mu;  // one rebuild at a time, so an older snapshot never replaces a newer
  mutable std::mutex mu;
  std::shared_ptr<const Snapshot> snapshot = std::make_shared<Snapshot>();
  // HMAC key for the login cache: random per process, never stored.
  const std::string cache_key = crypto::randomBytes(32);
  std::mutex cache_mu;
  std::unordered_set<std::string> verified;  // HMAC(id \0 hash \0 password) of good logins

  std::shared_ptr<const Snapshot> current() const {
    std::lock_guard lk(mu);
    return snapshot;
  }
};

MailDirectory::MailDirectory(CoreContext& ctx) : ctx_(ctx), state_(std::make_unique<State>()) {}
MailDirectory::~MailDirectory() = default;

Status MailDirectory::refresh() {
  std::lock_guard refresh_lock(state_->refresh_mu);
  auto old = state_->current();
  auto next = std::make_shared<Snapshot>();
  bool changed = false;
  MJ_TRY(ctx_.db.run(store::TxMode::kRead, [&](store::Tx& tx) -> Status {
    changed = false;
    // Workspace suspension (operators) and deletion do not bump mailbox_state, so the count and
    // latest change of non-active workspaces are part of the version too.
    MJ_TRY_ASSIGN(auto v, tx.queryOne("SELECT (SELECT version FROM mailbox_state WHERE id = 1), "
                                      "(SELECT version FROM zone_state WHERE id = 1), "
                                      "(SELECT COUNT(*) FROM workspaces WHERE status <> 'active'), "
                                      "(SELECT COALESCE(MAX(updated_at), 0) FROM workspaces "
                                      "WHERE status <> 'active')"));
    if (!v) return Error::internal("mailbox_state is missing");
    std::string mark = v->text(2) + "/" + v->text(3);
    if (v->integer(0) == old->mailbox_version && v->integer(1) == old->zone_version &&
        mark == old->workspaces_mark)
      return {};
    changed = true;
    *next = Snapshot{};
    next->mailbox_version = v->integer(0);
    next->zone_version = v->integer(1);
    next->workspaces_mark = mark;
    MJ_TRY_ASSIGN(auto domains, tx.query("SELECT id, name FROM domains"));
    std::unordered_map<std::string, std::string> names;
    for (const auto& d : domains) {
      names[d.text(0)] = d.text(1);
      next->domains.insert(d.text(1));
    }
    MJ_TRY_ASSIGN(auto rows,
                  tx.query("SELECT m.id, m.workspace_id, m.domain_id, m.local_part, m.first_name, "
                           "m.last_name, m.password_hash, m.status, m.daily_limit, m.forward_to, "
                           "w.status FROM mailboxes m JOIN workspaces w ON w.id = m.workspace_id"));
    for (const auto& r : rows) {
      auto a = std::make_shared<MailAccount>();
      a->id = r.text(0);
      a->workspace_id = r.text(1);
      a->domain_id = r.text(2);
      a->local_part = r.text(3);
      a->domain = names[a->domain_id];
      a->display_name = r.text(4) + (r.text(4).empty() || r.text(5).empty() ? "" : " ") + r.text(5);
      a->password_hash = r.text(6);
      a->suspended = r.text(7) != "active";
      a->daily_limit = r.integer(8);
      a->forward_to = r.optText(9);
      // Any workspace status but active (suspended, canceled, deleted) stops its mailboxes.
      a->workspace_suspended = r.text(10) != "active";
      next->by_address[a->address()] = a;
      next->by_id[a->id] = a;
    }
    // Newest active key last, so it wins when a rotation left two active keys.
    MJ_TRY_ASSIGN(auto keys, tx.query("SELECT domain_id, selector, private_key FROM dkim_keys "
                                      "WHERE status = 'active' ORDER BY created_at, id"));
    for (const auto& k : keys) {
      auto it = names.find(k.text(0));
      if (it == names.end()) continue;
      auto pem = crypto::open(ctx_.secret_key, k.text(2));
      if (!pem) {
        spdlog::warn("dkim: cannot unseal the key {} of {}", k.text(1), it->second);
        continue;
      }
      next->keys[it->second] = DkimSigningKey{it->second, k.text(1), std::move(*pem)};
    }
    return {};
  }));
  if (changed) {
    std::lock_guard lk(state_->mu);
    state_->snapshot = std::move(next);
  }
  return {};
}

std::shared_ptr<const MailAccount> MailDirectory::find(std::string_view address) const {
  auto at = address.rfind('@');
  if (at == std::string_view::npos) return nullptr;
  std::string key =
      toLowerAscii(address.substr(0, at)) + "@" + normalizeDomain(address.substr(at + 1));
  auto snap = state_->current();
  auto it = snap->by_address.find(key);
  return it == snap->by_address.end() ? nullptr : it->second;
}

std::shared_ptr<const MailAccount> MailDirectory::findById(std::string_view id) const {
  auto snap = state_->current();
  auto it = snap->by_id.find(std::string(id));
  return it == snap->by_id.end() ? nullptr : it->second;
}

bool MailDirectory::hostsDomain(std::string_view domain) const {
  return state_->current()->domains.count(normalizeDomain(domain)) > 0;
}

std::optional<DkimSigningKey> MailDirectory::signingKey(std::string_view domain) const {
  auto snap = state_->current();
  auto it = snap->keys.find(normalizeDomain(domain));
  if (it == snap->keys.end()) return std::nullopt;
  return it->second;
}

std::pair<MailAuthResult, std::shared_ptr<const MailAccount>> MailDirectory::authenticate(
    std::string_view username, std::string_view password) {
  auto account = find(username);
  if (!account || password.empty()) return {MailAuthResult::kBadCredentials, nullptr};
  std::string material = account->id;
  material += '\0';
  material += account->password_hash;
  material += '\0';
  material += password;
  std::string digest = crypto::hmacSha256(state_->cache_key, material);
  bool cached = false;
  {
    std::lock_guard lk(state_->cache_mu);
    cached = state_->verified.count(digest) > 0;
  }
  if (!cached) {
    if (!crypto::verifyPassword(account->password_hash, password))
      return {MailAuthResult::kBadCredentials, nullptr};
    std::lock_guard lk(state_->cache_mu);
    if (state_->verified.size() >= kMaxCachedLogins) state_->verified.clear();
    state_->verified.insert(digest);
  }
  // Checked after the password, so a wrong password never learns the mailbox is suspended.
  if (account->suspended || account->workspace_suspended)
    return {MailAuthResult::kSuspended, account};
  return {MailAuthResult::kOk, account};
}

}  // namespace mailjuke::core
