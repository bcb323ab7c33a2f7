// A fixed pool of engine connections, handed out one per transaction.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

namespace mailjuke::store {

template <class Conn>
class Pool {
 public:
  void add(std::unique_ptr<Conn> c) {
    all_.push_back(c.get());
    free_.push_back(std::move(c));
  }
  // Blocks until a connection is free.
  std::unique_ptr<Conn> take() {
    std::unique_lock lk(mu_);
    cv_.wait(lk, [&] { return !free_.empty(); });
    auto c = std::move(free_.back());
    free_.pop_back();
    return c;
  }
  void give(std::unique_ptr<Conn> c) {
    {
      std::lock_guard lk(mu_);
      free_.push_back(std::move(c));
    }
    cv_.notify_one();
  }
  size_t size() const { return all_.size(); }
  size_t inUse() const {
    std::lock_guard lk(mu_);
    return all_.size() - free_.size();
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Conn>> free_;
  std::vector<Conn*> all_;
};

// Returns the connection to the pool when it goes out of scope.
template <class Conn>
class Lease {
 public:
  explicit Lease(Pool<Conn>& p) : pool_(p), conn_(p.take()) {}
  ~Lease() { pool_.give(std::move(conn_)); }
  Conn& operator*() { return *conn_; }
  Conn* operator->() { return conn_.get(); }

 private:
  Pool<Conn>& pool_;
  std::unique_ptr<Conn> conn_;
};

}  // namespace mailjuke::store
