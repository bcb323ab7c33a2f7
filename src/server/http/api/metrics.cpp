#include "server/http/api/metrics.h"

#include <fmt/format.h>

namespace mailjuke::api {

void Metrics::observe(const std::string& route, int status, double seconds) {
  std::lock_guard lk(mu_);
  ++requests_[{route, status}];
  for (size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) ++buckets_[i];
  ++count_;
  sum_ += seconds;
}

void Metrics::addGauge(std::string name, std::string help, std::function<double()> read) {
  std::lock_guard lk(mu_);
  gauges_.push_back({std::move(name), std::move(help), std::move(read)});
}

void Metrics::addCollector(std::function<std::string()> render) {
  std::lock_guard lk(mu_);
  collectors_.push_back(std::move(render));
}

std::string Metrics::render() const {
  std::lock_guard lk(mu_);
  std::string out =
      "# HELP mailjuke_http_requests_total HTTP requests by route and status.\n"
      "# TYPE mailjuke_http_requests_total counter\n";
  for (const auto& [key, n] : requests_)
    out += fmt::format("mailjuke_http_requests_total{{route=\"{}\",status=\"{}\"}} {}\n", key.first,
                       key.second, n);
  out +=
      "# HELP mailjuke_http_request_duration_seconds HTTP request latency.\n"
      "# TYPE mailjuke_http_request_duration_seconds histogram\n";
  for (size_t i = 0; i < kBuckets.size(); ++i)
    out += fmt::format("mailjuke_http_request_duration_seconds_bucket{{le=\"{}\"}} {}\n",
                       kBuckets[i], buckets_[i]);
  out += fmt::format("mailjuke_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {}\n", count_);
  out += fmt::format("mailjuke_http_request_duration_seconds_sum {}\n", sum_);
  out += fmt::format("mailjuke_http_request_duration_seconds_count {}\n", count_);
  for (const auto& g : gauges_)
    out += fmt::format("# HELP {0} {1}\n# TYPE {0} gauge\n{0} {2}\n", g.name, g.help, g.read());
  for (const auto& c : collectors_) out += c();
  return out;
}

RateLimiter::Decision RateLimiter::take(const std::string& subject, int64_t now) {
  std::lock_guard lk(mu_);
  int64_t window = now / 60;
  if (window != window_) {
    window_ = window;
    used_.clear();
  }
  int64_t& n = used_[subject];
  int64_t reset = 60 - now % 60;
  if (n >= limit_) return {false, limit_, 0, reset};
  ++n;
  return {true, limit_, limit_ - n, reset};
}

}  // namespace mailjuke::api
