// A small background worker: runs queued tasks one at a time on its own thread, and a periodic
// tick (housekeeping) every `interval`. Owned by the composition root; tasks must not throw.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace mailjuke::core {

class JobRunner {
 public:
  using Task = std::function<void()>;
  explicit JobRunner(std::chrono::milliseconds interval = std::chrono::seconds(1))
      : interval_(interval) {}
  ~JobRunner();
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  void start();
  void stop();
  void submit(Task task);
  // Called on the runner thread every interval (set before start()).
  void setTick(Task tick) { tick_ = std::move(tick); }
  // True once stop() was called: long tasks check it between rows and give up early.
  bool stopping() const { return stopping_.load(); }

 private:
  void loop();
  std::chrono::milliseconds interval_;
  Task tick_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Task> queue_;
  bool stop_ = false;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace mailjuke::core
