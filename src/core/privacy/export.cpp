#include "core/privacy/export.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <map>
#include <regex>
#include <set>

#include "base/clock.h"
#include "base/json.h"
#include "core/privacy/data_inventory.h"
#include "core/privacy/records.h"
#include "core/privacy/subject_links.h"
#include "core/privacy/subprocessors.h"
#include "core/privacy/zip_writer.h"

namespace mailjuke::core::privacy {
namespace {

const TableUse* findTable(std::string_view name) {
  for (const auto& t : dataInventory())
    if (t.table == name) return &t;
  return nullptr;
}

bool exported(const SubjectLink& link, const ColumnUse& c) {
  if (isSecretColumn(c.column)) return false;
  if (link.columns.empty() || c.category == Category::kNotPersonal) return true;
  for (auto col : link.columns)
    if (col == c.column) return true;
  return false;
}

// The table's main category: the first personal column's.
std::string tableCategory(const TableUse& t) {
  for (const auto& c : t.columns)
    if (c.category != Category::kNotPersonal) return categoryName(c.category);
  return "account";
}

// Other people's addresses inside the person's rows (an invitee named in their audit event)
// are not theirs to receive.
std::string redactOthers(const std::string& text, const std::string& email) {
  if (text.find('@') == std::string::npos) return text;
  static const std::regex kAddress(R"([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+)");
  std::string out;
  auto begin = std::sregex_iterator(text.begin(), text.end(), kAddress);
  size_t last = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    out += text.substr(last, size_t(it->position()) - last);
    std::string found = it->str();
    bool mine = found.size() == email.size() &&
                std::equal(found.begin(), found.end(), email.begin(), [](char a, char b) {
                  return std::tolower(static_cast<unsigned char>(a)) ==
                         std::tolower(static_cast<unsigned char>(b));
                });
    out += mine ? found : "[another person]";
    last = size_t(it->position() + it->length());
  }
  return out + text.substr(last);
}

Json cellJson(const std::string& column, const std::optional<std::string>& v,
              const std::string& email) {
  if (!v) return nullptr;
  if (column.size() > 3 && column.ends_with("_at")) {
    try {
      size_t used = 0;
      long long secs = std::stoll(*v, &used);
      if (used == v->size()) return formatRfc3339(secs);
    } catch (...) {
    }
  }
  return redactOthers(*v, email);
}

struct TableRows {
  const TableUse* table = nullptr;
  std::vector<std::string> columns;
  std::vector<std::vector<Json>> rows;
  std::set<std::string> ids;
};

using Zip = ZipWriter;

}  // namespace

std::string csvField(const std::string& s) {
  std::string v = s;
  if (!v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@')) v = "'" + v;
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

Result<ExportSummary> writeExport(CoreContext& ctx, const std::string& user_id,
                                  const std::string& path,
                                  const std::function<void(int, int)>& progress) {
  int64_t now = ctx.clock.nowSeconds();
  MJ_TRY_ASSIGN(auto email_row, ctx.db.read<std::optional<store::Row>>([&](store::Tx& tx) {
    return tx.queryOne("SELECT email FROM users WHERE id = ?", {user_id});
  }));
  if (!email_row) return Error::notFound("account");
  const std::string email = email_row->text(0);
  MJ_TRY_ASSIGN(auto subs, ctx.db.read<Json>([&](store::Tx& tx) { return listSubprocessors(tx); }));

  std::map<std::string, TableRows> tables;
  const auto& links = subjectLinks();
  int done = 0;
  for (const auto& link : links) {
    const TableUse* t = findTable(link.table);
    if (t) {
      auto& tr = tables[std::string(t->table)];
      tr.table = t;
      std::vector<std::string> cols;
      for (const auto& c : t->columns)
        if (exported(link, c)) cols.emplace_back(c.column);
      if (tr.columns.empty()) tr.columns = cols;
      std::string sql = "SELECT ";
      for (size_t i = 0; i < tr.columns.size(); ++i) sql += (i ? ", " : "") + tr.columns[i];
      sql += " FROM " + std::string(link.table) + " WHERE " + std::string(link.column) + " = ?";
      std::string value = std::string(link.prefix) + (link.by == LinkBy::kUserId ? user_id : email);
      MJ_TRY_ASSIGN(auto rows, ctx.db.read<store::Rows>(
                                   [&](store::Tx& tx) { return tx.query(sql, {value}); }));
      for (const auto& r : rows) {
        std::vector<Json> cells;
        for (size_t i = 0; i < tr.columns.size(); ++i) {
          // Columns this link does not entitle the person to (someone else's) stay empty.
          bool mine = std::find(cols.begin(), cols.end(), tr.columns[i]) != cols.end();
          cells.push_back(mine ? cellJson(tr.columns[i], r.optText(i), email) : Json(nullptr));
        }
        // A row reached through two links (an e-mail to the person) appears once.
        if (tr.columns[0] == "id" && !tr.ids.insert(r.text(0)).second) continue;
        tr.rows.push_back(std::move(cells));
      }
    }
    if (progress) progress(++done, int(links.size()));
  }

  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::string tmp = path + ".tmp";
  Zip zip(tmp);
  if (!zip.ok()) return Error::internal("cannot create " + tmp);
  ExportSummary sum;
  std::map<std::string, Json> by_category;
  Json manifest_tables = Json::array();
  for (auto& [name, tr] : tables) {
    if (tr.rows.empty()) continue;
    std::string category = tableCategory(*tr.table);
    Json rows = Json::array();
    std::string csv;
    for (size_t i = 0; i < tr.columns.size(); ++i) csv += (i ? "," : "") + csvField(tr.columns[i]);
    csv += "\r\n";
    for (const auto& cells : tr.rows) {
      Json obj = Json::object();
      for (size_t i = 0; i < cells.size(); ++i) {
        obj[tr.columns[i]] = cells[i];
        std::string text = cells[i].is_null()     ? ""
                           : cells[i].is_string() ? cells[i].get<std::string>()
                                                  : cells[i].dump();
        csv += (i ? "," : "") + csvField(text);
      }
      csv += "\r\n";
      rows.push_back(std::move(obj));
    }
    sum.rows += int64_t(tr.rows.size());
    auto& cat = by_category[category];
    if (cat.is_null()) cat = {{"category", category}, {"tables", Json::object()}};
    cat["tables"][name] = {{"purpose", std::string(tr.table->purpose)},
                           {"legal_basis", legalBasisName(tr.table->basis)},
                           {"rows", rows}};
    MJ_TRY(zip.add("csv/" + name + ".csv", csv));
    ++sum.files;
    // The manifest (Art. 15(1)(a)-(h)): what, why, basis, retention, recipients, source.
    std::set<std::string> cats;
    Json what = Json::array();
    for (const auto& c : tr.table->columns)
      if (c.category != Category::kNotPersonal &&
          std::find(tr.columns.begin(), tr.columns.end(), std::string(c.column)) !=
              tr.columns.end()) {
        what.push_back({{"column", std::string(c.column)}, {"category", categoryName(c.category)}});
        cats.insert(categoryName(c.category));
      }
    Json recipients = Json::array();
    for (const auto& s : subs["data"]) {
      bool overlap = false;
      for (const auto& c : s["data_categories"]) overlap |= cats.count(c.get<std::string>()) > 0;
      if (overlap)
        recipients.push_back({{"vendor", s["vendor"]},
                              {"location", s["location"]},
                              {"transfer_safeguard", s["transfer_safeguard"]}});
    }
    Json sources = Json::array();
    for (const auto& c : cats) sources.push_back(categorySource(c.c_str()));
    manifest_tables.push_back(
        {{"table", name},
         {"files", {category + ".json", "csv/" + name + ".csv"}},
         {"rows", tr.rows.size()},
         {"what", what},
         {"why", std::string(tr.table->purpose)},
         {"legal_basis", legalBasisName(tr.table->basis)},
         {"retention", std::string(tr.table->retention)},
         {"role", tr.table->role == Role::kController ? "controller" : "processor"},
         {"recipients", recipients},
         {"source", sources}});
  }
  for (auto& [category, j] : by_category) {
    MJ_TRY(zip.add(category + ".json", j.dump(2)));
    ++sum.files;
  }
  Json manifest = {
      {"generated_at", formatRfc3339(now)},
      {"subject", {{"user_id", user_id}, {"email", email}}},
      {"controller", ctx.settings.platform_name},
      {"format", "one JSON file per data category, one CSV per table (RFC 4180, UTF-8)"},
      {"excluded",
       "password and key hashes, security tokens; other people's personal data; "
       "workspace content the organisation controls (ask the workspace owner)"},
      {"tables", manifest_tables}};
  MJ_TRY(zip.add("manifest.json", manifest.dump(2)));
  ++sum.files;
  MJ_TRY(zip.close());
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Error::internal("cannot move the export into place: " + ec.message());
  return sum;
}

}  // namespace mailjuke::core::privacy
