#include "core/privacy/subprocessors.h"

#include <set>

#include "base/clock.h"
#include "base/ids.h"
#include "core/privacy/data_inventory.h"

namespace mailjuke::core::privacy {
namespace {

constexpr const char* kColumns =
    "id, vendor, purpose, data_categories, location, safeguard, created_at, updated_at";

Json rowJson(const store::Row& r) {
  Json cats = Json::parse(r.text(3), nullptr, false);
  if (!cats.is_array()) cats = Json::array();
  return {{"id", r.text(0)},
          {"vendor", r.text(1)},
          {"purpose", r.text(2)},
          {"data_categories", cats},
          {"location", r.text(4)},
          {"transfer_safeguard", r.text(5)},
          {"created_at", formatRfc3339(r.integer(6))},
          {"updated_at", formatRfc3339(r.integer(7))}};
}

Status checkText(const char* field, const std::optional<std::string>& v, bool required) {
  if (!v) return required ? Error::invalid(field, "is required") : Status{};
  if (v->empty() || v->size() > 500) return Error::invalid(field, "must be 1-500 characters");
  return {};
}

Result<std::string> categoriesJson(const std::vector<std::string>& cats) {
  std::set<std::string> known;
  for (auto c : {Category::kAccount, Category::kContact, Category::kBilling, Category::kPayment,
                 Category::kDevice, Category::kUsage, Category::kContent, Category::kSupport,
                 Category::kSecurity})
    known.insert(categoryName(c));
  for (const auto& c : cats)
    if (!known.count(c)) return Error::invalid("data_categories", "unknown category '" + c + "'");
  return Json(cats).dump();
}

Result<Json> getOne(store::Tx& tx, const std::string& id) {
  MJ_TRY_ASSIGN(
      auto row,
      tx.queryOne(std::string("SELECT ") + kColumns + " FROM subprocessors WHERE id = ?", {id}));
  if (!row) return Error::notFound("subprocessor");
  return rowJson(*row);
}

}  // namespace

Result<Json> listSubprocessors(store::Tx& tx) {
  MJ_TRY_ASSIGN(auto rows, tx.query(std::string("SELECT ") + kColumns +
                                    " FROM subprocessors ORDER BY vendor, id"));
  Json data = Json::array();
  for (const auto& r : rows) data.push_back(rowJson(r));
  return Json{{"data", data}, {"next_cursor", nullptr}};
}

Result<Json> createSubprocessor(CoreContext& ctx, const SubprocessorInput& in) {
  MJ_TRY(checkText("vendor", in.vendor, true));
  MJ_TRY(checkText("purpose", in.purpose, true));
  MJ_TRY(checkText("location", in.location, true));
  MJ_TRY(checkText("transfer_safeguard", in.safeguard, true));
  MJ_TRY_ASSIGN(auto cats, categoriesJson(in.data_categories.value_or(std::vector<std::string>{})));
  int64_t now = ctx.clock.nowSeconds();
  std::string id = newId("spr");
  return ctx.db.write<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY(
        tx.exec("INSERT INTO subprocessors (id, vendor, purpose, data_categories, location, "
                "safeguard, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?)",
                {id, *in.vendor, *in.purpose, cats, *in.location, *in.safeguard, now, now}));
    return getOne(tx, id);
  });
}

Result<Json> updateSubprocessor(CoreContext& ctx, const std::string& id,
                                const SubprocessorInput& in) {
  MJ_TRY(checkText("vendor", in.vendor, false));
  MJ_TRY(checkText("purpose", in.purpose, false));
  MJ_TRY(checkText("location", in.location, false));
  MJ_TRY(checkText("transfer_safeguard", in.safeguard, false));
  std::optional<std::string> cats;
  if (in.data_categories) {
    MJ_TRY_ASSIGN(auto c, categoriesJson(*in.data_categories));
    cats = c;
  }
  int64_t now = ctx.clock.nowSeconds();
  return ctx.db.write<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY(getOne(tx, id));
    auto set = [&](const char* col, const std::optional<std::string>& v) -> Status {
      if (!v) return {};
      MJ_TRY(tx.exec(
          std::string("UPDATE subprocessors SET ") + col + " = ?, updated_at = ? WHERE id = ?",
          {*v, now, id}));
      return {};
    };
    MJ_TRY(set("vendor", in.vendor));
    MJ_TRY(set("purpose", in.purpose));
    MJ_TRY(set("location", in.location));
    MJ_TRY(set("safeguard", in.safeguard));
    MJ_TRY(set("data_categories", cats));
    return getOne(tx, id);
  });
}

Status deleteSubprocessor(CoreContext& ctx, const std::string& id) {
  return ctx.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    MJ_TRY_ASSIGN(auto n, tx.exec("DELETE FROM subprocessors WHERE id = ?", {id}));
    if (n == 0) return Error::notFound("subprocessor");
    return {};
  });
}

}  // namespace mailjuke::core::privacy
