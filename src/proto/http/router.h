// Path routing with {param} segments. Pure and generic: `R` is whatever the server attaches to a
// route (handler, policy, docs); it must have `std::string method` and `std::string pattern`.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace mailjuke::http {

std::vector<std::string_view> splitPath(std::string_view path);

template <class R>
class Router {
 public:
  struct Match {
    const R* route = nullptr;   // null: no route
    bool path_matched = false;  // true with route == null: 405, method not allowed
    std::map<std::string, std::string> params;
  };

  void add(R route) {
    routes_.push_back(std::move(route));
    patterns_.clear();
    for (const auto& r : routes_) patterns_.push_back(splitPath(r.pattern));
  }
  const std::vector<R>& routes() const { return routes_; }

  Match match(std::string_view method, std::string_view path) const {
    Match m;
    auto segs = splitPath(path);
    for (size_t i = 0; i < routes_.size(); ++i) {
      const auto& r = routes_[i];
      std::map<std::string, std::string> params;
      if (!matches(patterns_[i], segs, params)) continue;
      m.path_matched = true;
      if (r.method == method || (method == "HEAD" && r.method == "GET")) {
        m.route = &r;
        m.params = std::move(params);
        return m;
      }
    }
    return m;
  }

 private:
  static bool matches(const std::vector<std::string_view>& ps,
                      const std::vector<std::string_view>& segs,
                      std::map<std::string, std::string>& params) {
    if (ps.size() != segs.size()) return false;
    for (size_t i = 0; i < ps.size(); ++i) {
      auto p = ps[i];
      if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
        if (segs[i].empty()) return false;
        params.emplace(std::string(p.substr(1, p.size() - 2)), std::string(segs[i]));
      } else if (p != segs[i]) {
        return false;
      }
    }
    return true;
  }

  std::vector<R> routes_;
  std::vector<std::vector<std::string_view>> patterns_;  // views into routes_[i].pattern
};

}  // namespace mailjuke::http
