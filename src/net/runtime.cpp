#include "net/runtime.h"

namespace mailjuke::net {

Runtime::Runtime(int io_threads, int worker_threads) : workers_(std::max(worker_threads, 1)) {
  for (int i = 0; i < std::max(io_threads, 1); ++i) {
    contexts_.push_back(std::make_unique<asio::io_context>(1));
    guards_.push_back(asio::make_work_guard(*contexts_.back()));
  }
}

Runtime::~Runtime() { stop(); }

asio::io_context& Runtime::nextContext() {
  return *contexts_[next_.fetch_add(1, std::memory_order_relaxed) % contexts_.size()];
}

void Runtime::start() {
  for (auto& ctx : contexts_) threads_.emplace_back([c = ctx.get()] { c->run(); });
}

void Runtime::stop() {
  if (stopped_) return;
  stopped_ = true;
  guards_.clear();
  for (auto& ctx : contexts_) ctx->stop();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  workers_.stop();
  workers_.join();
}

}  // namespace mailjuke::net
