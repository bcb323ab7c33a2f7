#include "server/dns/notifier.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <unordered_map>

#include "proto/dns/transfer.h"

namespace mailjuke::dns {

namespace asio = boost::asio;
using asio::ip::udp;

namespace {
constexpr int kMaxInFlight = 16;
}

Notifier::Notifier(asio::io_context& io, const DnsServerOptions& options,
                   std::vector<udp::endpoint> targets, asio::ip::address local,
                   ServerCounters& counters)
    : io_(io),
      options_(options),
      targets_(std::move(targets)),
      local_(local),
      counters_(counters) {}

void Notifier::onInstall(const std::shared_ptr<const ZoneSet>& previous,
                         const std::shared_ptr<const ZoneSet>& current) {
  if (targets_.empty() || !current) return;
  std::unordered_map<std::string, uint32_t> old_serials;
  if (previous)
    for (const auto& z : previous->zones())
      old_serials.emplace(z.origin.lower().wire(), z.serial().value_or(0));
  bool first_load = old_serials.empty();
  std::vector<Zone> changed;
  for (const auto& z : current->zones()) {
    auto it = old_serials.find(z.origin.lower().wire());
    bool differs = it == old_serials.end() ? !first_load : it->second != z.serial().value_or(0);
    if (!differs) continue;
    Zone copy;
    copy.origin = z.origin;
    if (const Record* soa = z.soa()) copy.records.push_back(*soa);
    changed.push_back(std::move(copy));
  }
  if (changed.empty()) return;
  asio::post(io_, [this, changed = std::move(changed)]() mutable { enqueue(std::move(changed)); });
}

void Notifier::enqueue(std::vector<Zone> zones) {
  for (auto& z : zones) {
    for (const auto& target : targets_) {
      std::string key = z.origin.lower().wire() + "@" + target.address().to_string() + ":" +
                        std::to_string(target.port());
      auto [it, inserted] = waiting_.try_emplace(key, Job{z, target});
      if (inserted)
        queue_.push_back(key);
      else
        it->second.zone = z;  // not sent yet: send the newest SOA instead
    }
  }
  while (active_ < kMaxInFlight && !queue_.empty()) {
    ++active_;
    asio::co_spawn(io_, worker(), asio::detached);
  }
}

asio::awaitable<void> Notifier::worker() {
  while (!queue_.empty()) {
    std::string key = std::move(queue_.front());
    queue_.pop_front();
    auto it = waiting_.find(key);
    Job job = std::move(it->second);
    waiting_.erase(it);
    try {
      co_await send(std::move(job));
    } catch (const std::exception&) {
      // A socket error: this NOTIFY is abandoned; the secondary's refresh timer still runs.
    }
  }
  --active_;
}

asio::awaitable<void> Notifier::send(Job job) {
  auto socket = std::make_shared<udp::socket>(io_, job.target.protocol());
  if (local_.is_v4() == job.target.address().is_v4() && !local_.is_unspecified())
    socket->bind(udp::endpoint(local_, 0));
  const uint16_t id = static_cast<uint16_t>(random_());
  const std::string message = buildNotify(id, job.zone);
  auto timeout = options_.notify_timeout;
  asio::steady_timer timer(io_);
  std::vector<char> buffer(4096);
  for (int attempt = 0; attempt < std::max(1, options_.notify_attempts); ++attempt) {
    boost::system::error_code ec;
    co_await socket->async_send_to(asio::buffer(message), job.target,
                                   asio::redirect_error(asio::use_awaitable, ec));
    counters_.notifies_sent.fetch_add(1, std::memory_order_relaxed);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      timer.expires_at(deadline);
      timer.async_wait([socket](boost::system::error_code e) {
        if (!e) socket->cancel();
      });
      udp::endpoint sender;
      size_t n = co_await socket->async_receive_from(asio::buffer(buffer), sender,
                                                     asio::redirect_error(asio::use_awaitable, ec));
      timer.cancel();
      if (ec == asio::error::operation_aborted) break;  // timed out: retransmit
      if (ec) {  // e.g. an ICMP error surfaced: wait out this attempt without spinning
        timer.expires_at(deadline);
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        break;
      }
      // RFC 1996 §4.7: the response ends the retries (whatever its RCODE).
      if (sender == job.target &&
          isNotifyResponse(std::string_view(buffer.data(), n), id, job.zone.origin)) {
        counters_.notifies_acked.fetch_add(1, std::memory_order_relaxed);
        co_return;
      }
    }
    timeout *= 2;  // RFC 1996 §3.6: retry with an increasing interval
  }
}

}  // namespace mailjuke::dns
