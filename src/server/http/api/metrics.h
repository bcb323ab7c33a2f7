// Prometheus text metrics for the HTTP API: requests by route and status, a latency histogram,
// open connections and the database pool. Thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace mailjuke::api {

class Metrics {
 public:
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
  void observe(const std::string& route, int status, double seconds);
  // Extra gauges provided by the composition root (connections, DB pool, ...).
  void addGauge(std::string name, std::string help, std::function<double()> read);
  // Whole metric families with labels (Prometheus text, HELP/TYPE included), rendered at scrape
  // time on the worker pool, so they may read the database.
  void addCollector(std::function<std::string()> render);
  std::string render() const;

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;
  std::array<uint64_t, kBuckets.size()> buckets_{};
  uint64_t count_ = 0;
  double sum_ = 0;
  struct Gauge {
    std::string name, help;
    std::function<double()> read;
  };
  std::vector<Gauge> gauges_;
  std::vector<std::function<std::string()>> collectors_;
};

// Fixed-window request budget per principal (or client IP), for the RateLimit-* headers.
class RateLimiter {
 public:
  explicit RateLimiter(int64_t per_minute) : limit_(per_minute) {}
  struct Decision {
    bool allowed;
    int64_t limit, remaining, reset_seconds;
  };
  Decision take(const std::string& subject, int64_t now_seconds);

 private:
  int64_t limit_;
  std::mutex mu_;
  int64_t window_ = 0;
  std::map<std::string, int64_t> used_;
};

}  // namespace mailjuke::api
