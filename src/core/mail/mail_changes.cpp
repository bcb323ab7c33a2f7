#include "core/mail/mail_changes.h"

namespace mailjuke::core {
namespace {
thread_local const void* t_origin = nullptr;
}  // namespace

MailChanges::Scope::Scope(const void* origin) : previous_(t_origin) { t_origin = origin; }
MailChanges::Scope::~Scope() { t_origin = previous_; }

std::unique_ptr<MailChanges::Subscription> MailChanges::subscribe(const std::string& mailbox_id,
                                                                  const void* origin,
                                                                  Callback on_change) {
  std::lock_guard lock(mu_);
  uint64_t id = next_id_++;
  by_id_[id] = Entry{mailbox_id, origin, std::move(on_change)};
  by_mailbox_.emplace(mailbox_id, id);
  return std::make_unique<Subscription>(*this, id);
}

void MailChanges::unsubscribe(uint64_t id) {
  std::lock_guard lock(mu_);
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return;
  auto range = by_mailbox_.equal_range(it->second.mailbox_id);
  for (auto m = range.first; m != range.second; ++m) {
    if (m->second == id) {
      by_mailbox_.erase(m);
      break;
    }
  }
  by_id_.erase(it);
}

void MailChanges::notify(const std::string& mailbox_id) {
  const void* origin = t_origin;
  std::lock_guard lock(mu_);
  auto range = by_mailbox_.equal_range(mailbox_id);
  for (auto m = range.first; m != range.second; ++m) {
    const Entry& e = by_id_.at(m->second);
    if (origin && e.origin == origin) continue;
    e.callback();
  }
}

size_t MailChanges::subscribers() const {
  std::lock_guard lock(mu_);
  return by_id_.size();
}

}  // namespace mailjuke::core
