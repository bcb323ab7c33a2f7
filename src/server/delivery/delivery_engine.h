// The delivery worker's engine, without the mail directory: the caller says which envelope
// senders are hosted mailboxes (for DSN routing), so tests can run it with a plain function.
//
// Thread-safety: start/stop/kick from any thread (not from the engine's own io thread for
// stop). Everything else runs on the runtime's main io context (one thread), so the engine's
// state needs no locks; SQL, fsync and DNS go to the worker pool through offload().
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/context.h"
#include "core/mail/mail_store.h"
#include "core/mailauth/resolver.h"
#include "net/runtime.h"
#include "server/delivery/delivery_worker.h"

namespace mailjuke::delivery {

// "local@domain" → the hosted mailbox id, or nullopt for a remote sender.
using SenderLookup = std::function<std::optional<std::string>(const std::string& address)>;

struct EngineStats {
  int64_t connections = 0;  // SMTP connection attempts
  int64_t delivered = 0;    // recipients delivered
  int64_t bounced = 0;      // recipients failed permanently (or expired)
  int64_t deferred = 0;     // entries deferred
};

class DeliveryEngine {
 public:
  DeliveryEngine(net::Runtime& runtime, DeliveryOptions options, core::CoreContext& ctx,
                 core::MailStore& store, core::mailauth::Resolver& resolver, SenderLookup senders);
  ~DeliveryEngine();
  void start();
  void stop();
  void kick();
  EngineStats stats() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace mailjuke::delivery
