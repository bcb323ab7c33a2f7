#include "app/zone_sync.h"

#include <spdlog/spdlog.h>

namespace mailjuke::app {

ZoneSync::ZoneSync(core::DomainService& domains, Install install,
                   std::chrono::milliseconds interval)
    : domains_(domains), install_(std::move(install)), interval_(interval) {}

ZoneSync::~ZoneSync() { stop(); }

Status ZoneSync::syncOnce() {
  MJ_TRY_ASSIGN(int64_t version, domains_.zonesVersion());
  if (version == version_) return {};
  MJ_TRY_ASSIGN(auto zones, domains_.allZones());
  std::vector<Error> rejected;
  MJ_TRY_ASSIGN(auto snapshot, dns::ZoneSet::fromRecords(zones.zones, &rejected));
  for (const auto& e : rejected) spdlog::error("zone left out of DNS: {}", e.message);
  install_(std::move(snapshot));
  version_ = zones.version;
  spdlog::info("dns: installed {} zones (version {})", zones.zones.size() - rejected.size(),
               version_);
  return {};
}

Status ZoneSync::start() {
  MJ_TRY(syncOnce());
  thread_ = std::thread([this] { loop(); });
  return {};
}

void ZoneSync::poke() {
  {
    std::lock_guard lk(mu_);
    poked_ = true;
  }
  cv_.notify_one();
}

void ZoneSync::loop() {
  std::unique_lock lk(mu_);
  while (!stop_) {
    cv_.wait_for(lk, interval_, [&] { return stop_ || poked_; });
    if (stop_) break;
    poked_ = false;
    lk.unlock();
    auto st = syncOnce();
    if (!st.ok()) spdlog::warn("dns: zone sync failed: {}", st.error().message);
    lk.lock();
  }
}

void ZoneSync::stop() {
  {
    std::lock_guard lk(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

}  // namespace mailjuke::app
