// Test helper: a Resolver answering from maps; a name listed in `tempfail` fails every lookup and
// an unknown name is NXDOMAIN unless some other type has records there (then NoData).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/mailauth/resolver.h"

namespace mailjuke::core::mailauth::testing {

class FakeResolver : public Resolver {
 public:
  std::map<std::string, std::vector<std::string>> txt_records, a_records, aaaa_records;
  std::map<std::string, std::vector<MxHost>> mx_records;
  std::set<std::string> tempfail;
  std::vector<std::string> queries;  // "TYPE name", in order

  Lookup<std::string> txt(const std::string& n) override { return find("TXT", n, txt_records); }
  Lookup<std::string> a(const std::string& n) override { return find("A", n, a_records); }
  Lookup<std::string> aaaa(const std::string& n) override { return find("AAAA", n, aaaa_records); }
  Lookup<MxHost> mx(const std::string& n) override { return find("MX", n, mx_records); }

 private:
  static std::string key(std::string n) {
    for (auto& c : n) c = (c >= 'A' && c <= 'Z') ? char(c + 32) : c;
    if (!n.empty() && n.back() == '.') n.pop_back();
    return n;
  }
  bool exists(const std::string& k) const {
    return txt_records.count(k) || a_records.count(k) || aaaa_records.count(k) ||
           mx_records.count(k);
  }
  template <class T>
  Lookup<T> find(const char* type, const std::string& name,
                 const std::map<std::string, std::vector<T>>& m) {
    std::string k = key(name);
    queries.push_back(std::string(type) + " " + k);
    Lookup<T> out;
    if (tempfail.count(k)) {
      out.status = LookupStatus::kTempFail;
    } else if (auto it = m.find(k); it != m.end() && !it->second.empty()) {
      out.values = it->second;
    } else {
      out.status = exists(k) ? LookupStatus::kNoData : LookupStatus::kNxDomain;
    }
    return out;
  }
};

}  // namespace mailjuke::core::mailauth::testing
