#include "core/privacy/records.h"

#include <algorithm>
#include <map>
#include <set>

#include "core/privacy/data_inventory.h"
#include "core/privacy/subject_links.h"
#include "core/privacy/subprocessors.h"

namespace mailjuke::core::privacy {
namespace {

const char* roleName(Role r) { return r == Role::kController ? "controller" : "processor"; }

std::set<std::string> personalCategories(const TableUse& t) {
  std::set<std::string> out;
  for (const auto& c : t.columns)
    if (c.category != Category::kNotPersonal) out.insert(categoryName(c.category));
  return out;
}

const TableUse* findTable(std::string_view name) {
  for (const auto& t : dataInventory())
    if (t.table == name) return &t;
  return nullptr;
}

Json securityMeasures() {
  return Json::array({"access control by role (owner, admin, member, billing, viewer)",
                      "passwords hashed with Argon2id; API keys and tokens stored as SHA-256",
                      "recoverable secrets sealed with an AEAD key",
                      "TLS on every listener that carries personal data",
                      "append-only audit log of changes",
                      "IP addresses truncated after 30 days; retention jobs purge expired data"});
}

}  // namespace

const char* categorySource(const char* category) {
  std::string c = category;
  if (c == "device" || c == "usage" || c == "security") return "collected automatically (§3)";
  if (c == "payment") return "from the payment processor (§3)";
  if (c == "content") return "the workspace's organisation, on whose instructions we process";
  return "you, directly (§3)";
}

Result<Json> processingRecords(store::Tx& tx, const Settings& settings) {
  MJ_TRY_ASSIGN(auto subs, listSubprocessors(tx));
  // One record per purpose; tables sharing a purpose merge.
  std::map<std::string, Json> by_purpose;
  for (const auto& t : dataInventory()) {
    auto cats = personalCategories(t);
    if (cats.empty()) continue;
    std::string key(t.purpose);
    auto& rec = by_purpose[key];
    if (rec.is_null()) {
      rec = {{"purpose", key},
             {"role", roleName(t.role)},
             {"legal_basis", legalBasisName(t.basis)},
             {"data_categories", Json::array()},
             {"data_subjects", Json::array()},
             {"tables", Json::array()},
             {"retention", Json::array()},
             {"recipients", Json::array()}};
    }
    for (const auto& c : cats)
      if (std::find(rec["data_categories"].begin(), rec["data_categories"].end(), c) ==
          rec["data_categories"].end())
        rec["data_categories"].push_back(c);
    rec["data_subjects"].push_back(std::string(t.identifies));
    rec["tables"].push_back(std::string(t.table));
    rec["retention"].push_back(std::string(t.table) + ": " + std::string(t.retention));
    for (const auto& s : subs["data"]) {
      bool overlap = false;
      for (const auto& c : s["data_categories"]) overlap |= cats.count(c.get<std::string>()) > 0;
      if (!overlap) continue;
      Json r = {{"vendor", s["vendor"]},
                {"purpose", s["purpose"]},
                {"location", s["location"]},
                {"transfer_safeguard", s["transfer_safeguard"]}};
      if (std::find(rec["recipients"].begin(), rec["recipients"].end(), r) ==
          rec["recipients"].end())
        rec["recipients"].push_back(r);
    }
  }
  Json records = Json::array();
  for (auto& [_, rec] : by_purpose) {
    auto& subjects = rec["data_subjects"];
    std::set<std::string> uniq;
    for (const auto& x : subjects) uniq.insert(x.get<std::string>());
    subjects = Json(std::vector<std::string>(uniq.begin(), uniq.end()));
    rec["security_measures"] = securityMeasures();
    records.push_back(rec);
  }
  return Json{{"controller", {{"name", settings.platform_name}, {"url", settings.public_url}}},
              {"generated_from", "data inventory (src/core/privacy/data_inventory.cpp)"},
              {"records", records}};
}

Result<Json> holdings(store::Tx& tx, const std::string& user_id, const std::string& email) {
  std::map<std::string, Json> by_table;
  for (const auto& link : subjectLinks()) {
    const TableUse* t = findTable(link.table);
    if (!t) continue;
    std::string value = std::string(link.prefix) + (link.by == LinkBy::kUserId ? user_id : email);
    MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT COUNT(*) FROM " + std::string(link.table) +
                                            " WHERE " + std::string(link.column) + " = ?",
                                        {value}));
    int64_t n = row ? row->integer(0) : 0;
    if (n == 0) continue;
    auto& j = by_table[std::string(t->table)];
    if (j.is_null()) {
      Json cats = Json::array();
      for (const auto& c : personalCategories(*t)) cats.push_back(c);
      j = {{"table", std::string(t->table)},
           {"rows", 0},
           {"categories", cats},
           {"purpose", std::string(t->purpose)},
           {"legal_basis", legalBasisName(t->basis)},
           {"retention", std::string(t->retention)},
           {"role", roleName(t->role)}};
    }
    j["rows"] = j["rows"].get<int64_t>() + n;
  }
  Json out = Json::array();
  for (auto& [_, j] : by_table) out.push_back(j);
  return out;
}

}  // namespace mailjuke::core::privacy
