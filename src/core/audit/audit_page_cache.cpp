#include "core/audit/audit_page_cache.h"

namespace mailjuke::core {

std::string AuditPageCache::keyOf(const AuditQuery& q) {
  std::string key = q.workspace_id;
  auto add = [&key](const std::optional<std::string>& part) {
    key += '\x1f';
    if (part) key += "=" + *part;  // "=" tells an empty filter from no filter
  };
  add(q.action);
  add(q.actor_id);
  add(q.cursor);
  key += '\x1f' + std::to_string(q.limit);
  return key;
}

std::shared_ptr<const std::string> AuditPageCache::find(const std::string& key,
                                                        const store::Database& db,
                                                        const std::string& workspace_id) const {
  uint64_t current = db.generation(auditTag(workspace_id));
  std::lock_guard lk(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.generation != current ||
      Clock::now() - it->second.filled_at > kMaxAge)
    return nullptr;
  return it->second.body;
}

void AuditPageCache::put(std::string key, std::shared_ptr<const std::string> body,
                         uint64_t generation) {
  std::lock_guard lk(mu_);
  if (entries_.size() >= kMaxEntries) entries_.clear();
  entries_[std::move(key)] = Entry{std::move(body), generation, Clock::now()};
}

}  // namespace mailjuke::core
