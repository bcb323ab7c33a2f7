// Keeps the DNS server's snapshot in step with the database: polls zone_state.version (cheap)
// every `interval` and, when it moved, rebuilds every zone and installs the new snapshot
// atomically. Works across nodes sharing one PostgreSQL. `poke()` asks for a check at once.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "core/domains/domain_service.h"
#include "proto/dns/zone_set.h"

namespace mailjuke::app {

class ZoneSync {
 public:
  using Install = std::function<void(std::shared_ptr<const dns::ZoneSet>)>;
  ZoneSync(core::DomainService& domains, Install install,
           std::chrono::milliseconds interval = std::chrono::milliseconds(200));
  ~ZoneSync();
  // Builds and installs the first snapshot synchronously.
  Status start();
  void poke();
  void stop();

 private:
  Status syncOnce();
  void loop();
  core::DomainService& domains_;
  Install install_;
  std::chrono::milliseconds interval_;
  int64_t version_ = -1;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false, poked_ = false;
  std::thread thread_;
};

}  // namespace mailjuke::app
