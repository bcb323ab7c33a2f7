// In-process change notifications per mailbox, for IMAP IDLE (RFC 2177) and the untagged
// updates of RFC 9051 §7.4.1: MailStore::accept and ImapStore signal a mailbox after their
// transaction committed; IMAP sessions with a folder of that mailbox selected are told, and
// reload their folder. No polling: a session waits on its socket and on this hub.
//
// A change made by a session on behalf of itself (STORE, EXPUNGE) is tagged with that session
// as the origin (Scope on the worker thread that does the write), so it does not wake itself.
//
// Scope: one process. Changes made by other nodes sharing one PostgreSQL reach this hub through
// RemoteChanges (remote_changes.h), a poll every 2 s of the watched mailboxes; NOOP/CHECK
// always reload anyway.
//
// Thread-safety: every method may be called from any thread. Callbacks run on the notifying
// thread, under the hub's lock: they must be quick and must not call back into the hub.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace mailjuke::core {

class MailChanges {
 public:
  using Callback = std::function<void()>;

  struct State;
  // Unsubscribes when destroyed (after which the callback is never called again). May outlive
  // the hub (a session torn down after the mail store at shutdown).
  class Subscription {
   public:
    Subscription(std::weak_ptr<State> hub, uint64_t id) : hub_(std::move(hub)), id_(id) {}
    ~Subscription();
    // From now on hear only changes of this folder and changes of the mailbox as a whole
    // (notify without a folder); "" hears every change. A session narrows it to the folder it
    // selects, so mail arriving in other folders does not make it reload.
    void narrowTo(const std::string& folder_id);
    Subscription(const Subscription&) = delete;
    Subscription& operator=(const Subscription&) = delete;

   private:
    std::weak_ptr<State> hub_;
    uint64_t id_;
  };

  // Marks writes on this thread as made by `origin` (an opaque session pointer) while alive.
  class Scope {
   public:
    explicit Scope(const void* origin);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    const void* previous_;
  };

  // `on_change` runs after each change of `mailbox_id` not made by `origin` (nullptr: all).
  std::unique_ptr<Subscription> subscribe(const std::string& mailbox_id, const void* origin,
                                          Callback on_change);
  // Signals a committed change of one folder of the mailbox ("": of the mailbox as a whole, or
  // of a folder not known here); the origin is this thread's Scope, if any.
  void notify(const std::string& mailbox_id, const std::string& folder_id = {});
  size_t subscribers() const;
  // The mailboxes that have at least one subscriber, ascending (RemoteChanges polls these).
  std::vector<std::string> watchedMailboxes() const;

  struct Entry {
    std::string mailbox_id;
    const void* origin;
    Callback callback;
    std::string folder_id;  // "" = every folder
  };
  struct State {
    std::mutex mu;
    uint64_t next_id = 1;
    std::map<uint64_t, Entry> by_id;
    std::multimap<std::string, uint64_t> by_mailbox;
  };

 private:
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

}  // namespace mailjuke::core
