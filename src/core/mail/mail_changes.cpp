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
  State& s = *state_;
  std::lock_guard lock(s.mu);
  uint64_t id = s.next_id++;
  s.by_id[id] = Entry{mailbox_id, origin, std::move(on_change)};
  s.by_mailbox.emplace(mailbox_id, id);
  return std::make_unique<Subscription>(state_, id);
}

MailChanges::Subscription::~Subscription() {
  auto state = hub_.lock();
  if (!state) return;
  std::lock_guard lock(state->mu);
  auto it = state->by_id.find(id_);
  if (it == state->by_id.end()) return;
  auto range = state->by_mailbox.equal_range(it->second.mailbox_id);
  for (auto m = range.first; m != range.second; ++m) {
    if (m->second == id_) {
      state->by_mailbox.erase(m);
      break;
    }
  }
  state->by_id.erase(it);
}

void MailChanges::Subscription::narrowTo(const std::string& folder_id) {
  auto state = hub_.lock();
  if (!state) return;
  std::lock_guard lock(state->mu);
  auto it = state->by_id.find(id_);
  if (it != state->by_id.end()) it->second.folder_id = folder_id;
}

void MailChanges::notify(const std::string& mailbox_id, const std::string& folder_id) {
  const void* origin = t_origin;
  State& s = *state_;
  std::lock_guard lock(s.mu);
  auto range = s.by_mailbox.equal_range(mailbox_id);
  for (auto m = range.first; m != range.second; ++m) {
    const Entry& e = s.by_id.at(m->second);
    if (origin && e.origin == origin) continue;
    if (!folder_id.empty() && !e.folder_id.empty() && e.folder_id != folder_id) continue;
    e.callback();
  }
}

size_t MailChanges::subscribers() const {
  std::lock_guard lock(state_->mu);
  return state_->by_id.size();
}

std::vector<std::string> MailChanges::watchedMailboxes() const {
  std::lock_guard lock(state_->mu);
  std::vector<std::string> out;
  for (const auto& [mailbox_id, id] : state_->by_mailbox)
    if (out.empty() || out.back() != mailbox_id) out.push_back(mailbox_id);
  return out;
}

}  // namespace mailjuke::core
