#include "core/jobs/job_runner.h"

namespace mailjuke::core {

JobRunner::~JobRunner() { stop(); }

void JobRunner::start() {
  if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
}

void JobRunner::stop() {
  stopping_ = true;
  {
    std::lock_guard lk(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void JobRunner::submit(Task task) {
  {
    std::lock_guard lk(mu_);
    queue_.push_back(std::move(task));
  }
  cv_.notify_one();
}

void JobRunner::loop() {
  auto next_tick = std::chrono::steady_clock::now();
  std::unique_lock lk(mu_);
  while (!stop_) {
    cv_.wait_until(lk, next_tick, [&] { return stop_ || !queue_.empty(); });
    if (stop_) break;
    if (!queue_.empty()) {
      Task t = std::move(queue_.front());
      queue_.pop_front();
      lk.unlock();
      t();
      lk.lock();
    }
    if (std::chrono::steady_clock::now() >= next_tick) {
      next_tick = std::chrono::steady_clock::now() + interval_;
      if (tick_) {
        lk.unlock();
        tick_();
        lk.lock();
      }
    }
  }
}

}  // namespace mailjuke::core
