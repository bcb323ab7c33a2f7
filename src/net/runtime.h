// The io runtime: N network threads, each running its own io_context, plus a bounded worker
// pool for blocking work (SQL, fsync). Network code `co_await offload(...)` to use the pool.
#pragma once

#include <atomic>
#include <memory>
#include <thread>
#include <type_traits>
#include <vector>

#include "net/asio.h"

namespace mailjuke::net {

class Runtime {
 public:
  Runtime(int io_threads, int worker_threads);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  // Round-robin over the io contexts; the first one also hosts acceptors and timers.
  asio::io_context& nextContext();
  asio::io_context& mainContext() { return *contexts_.front(); }
  asio::thread_pool& workers() { return workers_; }
  size_t ioThreads() const { return contexts_.size(); }

  void start();
  // Stops all io contexts and joins the threads. Safe to call twice.
  void stop();

 private:
  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards_;
  std::vector<std::thread> threads_;
  asio::thread_pool workers_;
  std::atomic<size_t> next_{0};
  bool stopped_ = false;
};

// Runs `fn` on the worker pool and resumes the calling coroutine on its own executor with the
// result. Exceptions propagate to the caller.
template <class F>
awaitable<std::invoke_result_t<F>> offload(asio::thread_pool& pool, F fn) {
  using R = std::invoke_result_t<F>;
  co_return co_await asio::co_spawn(
      pool, [fn = std::move(fn)]() mutable -> awaitable<R> { co_return fn(); }, use_awaitable);
}

}  // namespace mailjuke::net
