#include "core/privacy/breaches.h"

#include <map>
#include <set>

#include "base/clock.h"
#include "base/ids.h"
#include "core/audit/audit_log.h"
#include "core/notify/outbox.h"
#include "core/pagination.h"
#include "core/privacy/data_inventory.h"

namespace mailjuke::core::privacy {
namespace {

constexpr const char* kColumns =
    "id, status, description, categories, people_affected, measures, detected_at, aware_at, "
    "authority_notified_at, subjects_notified_at, alerted_at, created_by, created_at, updated_at";
constexpr const char* kTimeFields[] = {"detected_at", "aware_at", "authority_notified_at",
                                       "subjects_notified_at"};
const std::set<std::string> kStatuses = {"open", "contained", "closed"};

Json optTime(const store::Row& r, size_t i) {
  auto v = r.optInteger(i);
  return v ? Json(formatRfc3339(*v)) : Json(nullptr);
}

Json rowJson(const store::Row& r, int64_t now) {
  Json cats = Json::parse(r.text(3), nullptr, false);
  if (!cats.is_array()) cats = Json::array();
  int64_t deadline = r.integer(7) + kBreachNotifySeconds;
  // A closed breach without notification was judged unlikely to risk anyone (Art. 33(1)).
  bool overdue = r.isNull(8) && r.text(1) != "closed" && now > deadline;
  auto people = r.optInteger(4);
  return {{"id", r.text(0)},
          {"status", r.text(1)},
          {"description", r.text(2)},
          {"categories", cats},
          {"people_affected", people ? Json(*people) : Json(nullptr)},
          {"measures", r.text(5)},
          {"detected_at", formatRfc3339(r.integer(6))},
          {"aware_at", formatRfc3339(r.integer(7))},
          {"authority_notified_at", optTime(r, 8)},
          {"subjects_notified_at", optTime(r, 9)},
          {"notification_deadline", formatRfc3339(deadline)},
          {"overdue", overdue},
          {"hours_past_deadline", overdue ? (now - deadline) / 3600 : 0},
          {"alerted_at", optTime(r, 10)},
          {"created_by", r.text(11)},
          {"created_at", formatRfc3339(r.integer(12))},
          {"updated_at", formatRfc3339(r.integer(13))}};
}

// The validated column values a body sets, as {column: value} (Json null clears nothing: the
// register's times can be corrected but not removed).
Result<std::map<std::string, store::Value>> fieldsFrom(const Json& body, int64_t now) {
  static const std::set<std::string> allowed = {"description",
                                                "detected_at",
                                                "aware_at",
                                                "authority_notified_at",
                                                "subjects_notified_at",
                                                "categories",
                                                "people_affected",
                                                "measures",
                                                "status"};
  if (!body.is_object()) return Error::invalid("body", "must be a JSON object");
  std::map<std::string, store::Value> out;
  for (const auto& [k, v] : body.items()) {
    if (!allowed.count(k)) return Error::invalid(k, "unknown field");
    if (v.is_null()) return Error::invalid(k, "cannot be null");
  }
  if (body.contains("description")) {
    const auto& d = body["description"];
    if (!d.is_string() || d.get<std::string>().empty() || d.get<std::string>().size() > 20000)
      return Error::invalid("description", "must be 1-20000 characters");
    out["description"] = d.get<std::string>();
  }
  if (body.contains("measures")) {
    const auto& m = body["measures"];
    if (!m.is_string() || m.get<std::string>().size() > 20000)
      return Error::invalid("measures", "must be a string of at most 20000 characters");
    out["measures"] = m.get<std::string>();
  }
  if (body.contains("status")) {
    const auto& s = body["status"];
    if (!s.is_string() || !kStatuses.count(s.get<std::string>()))
      return Error::invalid("status", "must be open, contained or closed");
    out["status"] = s.get<std::string>();
  }
  if (body.contains("people_affected")) {
    const auto& n = body["people_affected"];
    if (!n.is_number_integer() || n.get<int64_t>() < 0 || n.get<int64_t>() > 10'000'000'000)
      return Error::invalid("people_affected", "must be a whole number of people (0 or more)");
    out["people_affected"] = n.get<int64_t>();
  }
  if (body.contains("categories")) {
    std::set<std::string> known;
    for (auto c : {Category::kAccount, Category::kContact, Category::kBilling, Category::kPayment,
                   Category::kDevice, Category::kUsage, Category::kContent, Category::kSupport,
                   Category::kSecurity})
      known.insert(categoryName(c));
    const auto& cats = body["categories"];
    if (!cats.is_array()) return Error::invalid("categories", "must be an array of categories");
    std::set<std::string> seen;
    for (const auto& c : cats) {
      if (!c.is_string() || !known.count(c.get<std::string>()))
        return Error::invalid("categories", "unknown category " + c.dump() +
                                                " (use the data inventory's categories)");
      seen.insert(c.get<std::string>());
    }
    out["categories"] = Json(std::vector<std::string>(seen.begin(), seen.end())).dump();
  }
  for (const char* f : kTimeFields) {
    if (!body.contains(f)) continue;
    const auto& t = body[f];
    int64_t v = t.is_string() ? parseRfc3339(t.get<std::string>()) : -1;
    if (v < 0) return Error::invalid(f, "must be an RFC 3339 time");
    if (v > now + 300) return Error::invalid(f, "cannot be in the future");
    out[f] = v;
  }
  return out;
}

// The order of the times once a change is applied to `cur` (the stored or default values).
Status checkOrder(const std::map<std::string, std::optional<int64_t>>& t) {
  auto at = [&](const char* k) { return t.count(k) ? t.at(k) : std::nullopt; };
  if (at("detected_at") && at("aware_at") && *at("aware_at") < *at("detected_at"))
    return Error::invalid("aware_at", "cannot be before detected_at");
  for (const char* f : {"authority_notified_at", "subjects_notified_at"})
    if (at(f) && at("aware_at") && *at(f) < *at("aware_at"))
      return Error::invalid(f, "cannot be before aware_at");
  return {};
}

Json valueJson(const std::string& column, const store::Value& v) {
  if (std::holds_alternative<std::nullptr_t>(v)) return nullptr;
  if (const auto* i = std::get_if<int64_t>(&v)) {
    for (const char* f : kTimeFields)
      if (column == f) return formatRfc3339(*i);
    return *i;
  }
  if (const auto* s = std::get_if<std::string>(&v)) {
    if (column == "categories") return Json::parse(*s, nullptr, false);
    return *s;
  }
  return nullptr;
}

Status addEvent(store::Tx& tx, const std::string& breach, const std::string& actor,
                const std::string& action, const Json& changes, int64_t now) {
  MJ_TRY(tx.exec(
      "INSERT INTO breach_events (id, breach_id, actor, action, changes, created_at) VALUES "
      "(?,?,?,?,?,?)",
      {newId("bev"), breach, actor, action, changes.dump(), now}));
  return {};
}

Result<Json> history(store::Tx& tx, const std::string& id) {
  MJ_TRY_ASSIGN(auto rows, tx.query("SELECT actor, action, changes, created_at FROM "
                                    "breach_events WHERE breach_id = ? ORDER BY created_at, id",
                                    {id}));
  Json out = Json::array();
  for (const auto& r : rows)
    out.push_back({{"actor", r.text(0)},
                   {"action", r.text(1)},
                   {"changes", Json::parse(r.text(2), nullptr, false)},
                   {"at", formatRfc3339(r.integer(3))}});
  return out;
}

}  // namespace

Status validateBreachInput(const Json& body, int64_t now) {
  MJ_TRY_ASSIGN(auto f, fieldsFrom(body, now));
  std::map<std::string, std::optional<int64_t>> times;
  for (const char* t : kTimeFields)
    if (f.count(t)) times[t] = std::get<int64_t>(f[t]);
  return checkOrder(times);
}

Result<Json> getBreach(store::Tx& tx, const std::string& id, int64_t now) {
  MJ_TRY_ASSIGN(
      auto row,
      tx.queryOne(std::string("SELECT ") + kColumns + " FROM breaches WHERE id = ?", {id}));
  if (!row) return Error::notFound("breach");
  Json j = rowJson(*row, now);
  MJ_TRY_ASSIGN(j["history"], history(tx, id));
  return j;
}

Result<Page> listBreaches(store::Tx& tx, int64_t now, std::optional<std::string> cursor,
                          int limit) {
  return paginate(tx, std::string("SELECT ") + kColumns + " FROM breaches WHERE 1=1", {}, "id",
                  {std::move(cursor), limit, true},
                  [now](const store::Row& r) { return rowJson(r, now); });
}

Result<Json> createBreach(CoreContext& ctx, const Json& body, const Principal& op) {
  int64_t now = ctx.clock.nowSeconds();
  MJ_TRY_ASSIGN(auto f, fieldsFrom(body, now));
  if (!f.count("description")) return Error::invalid("description", "is required");
  if (!f.count("detected_at")) return Error::invalid("detected_at", "is required");
  if (!f.count("aware_at")) f["aware_at"] = now;
  if (!f.count("status")) f["status"] = std::string("open");
  std::map<std::string, std::optional<int64_t>> times;
  for (const char* t : kTimeFields)
    if (f.count(t)) times[t] = std::get<int64_t>(f[t]);
  MJ_TRY(checkOrder(times));
  std::string id = newId("brc");
  return ctx.db.write<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY(
        tx.exec("INSERT INTO breaches (id, status, description, created_by, detected_at, aware_at, "
                "created_at, updated_at) VALUES (?,?,?,?,?,?,?,?)",
                {id, f["status"], f["description"], op.user_id, f["detected_at"], f["aware_at"],
                 now, now}));
    Json changes = Json::object();
    for (const auto& [col, v] : f) {
      if (col != "status" && col != "description" && col != "detected_at" && col != "aware_at")
        MJ_TRY(tx.exec("UPDATE breaches SET " + col + " = ? WHERE id = ?", {v, id}));
      changes[col] = valueJson(col, v);
    }
    MJ_TRY(addEvent(tx, id, op.user_id, "created", changes, now));
    MJ_TRY(recordAudit(tx, op, {"", "breach.create", "breach", id, {{"status", changes["status"]}}},
                       now));
    return getBreach(tx, id, now);
  });
}

Result<Json> updateBreach(CoreContext& ctx, const std::string& id, const Json& body,
                          const Principal& op) {
  int64_t now = ctx.clock.nowSeconds();
  MJ_TRY_ASSIGN(auto f, fieldsFrom(body, now));
  return ctx.db.write<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY_ASSIGN(
        auto row,
        tx.queryOne(std::string("SELECT ") + kColumns + " FROM breaches WHERE id = ?", {id}));
    if (!row) return Error::notFound("breach");
    const std::map<std::string, size_t> index = {{"status", 1},
                                                 {"description", 2},
                                                 {"categories", 3},
                                                 {"people_affected", 4},
                                                 {"measures", 5},
                                                 {"detected_at", 6},
                                                 {"aware_at", 7},
                                                 {"authority_notified_at", 8},
                                                 {"subjects_notified_at", 9}};
    std::map<std::string, std::optional<int64_t>> times;
    for (const char* t : kTimeFields) times[t] = row->optInteger(index.at(t));
    for (const char* t : kTimeFields)
      if (f.count(t)) times[t] = std::get<int64_t>(f[t]);
    MJ_TRY(checkOrder(times));
    Json changes = Json::object();
    for (const auto& [col, v] : f) {
      size_t i = index.at(col);
      store::Value old = row->isNull(i)                       ? store::Value(nullptr)
                         : std::holds_alternative<int64_t>(v) ? store::Value(row->integer(i))
                                                              : store::Value(row->text(i));
      if (old == v) continue;
      changes[col] = {{"from", valueJson(col, old)}, {"to", valueJson(col, v)}};
      MJ_TRY(tx.exec("UPDATE breaches SET " + col + " = ? WHERE id = ?", {v, id}));
    }
    if (!changes.empty()) {
      MJ_TRY(tx.exec("UPDATE breaches SET updated_at = ? WHERE id = ?", {now, id}));
      MJ_TRY(addEvent(tx, id, op.user_id, "updated", changes, now));
      Json fields = Json::array();
      for (auto it = changes.begin(); it != changes.end(); ++it) fields.push_back(it.key());
      MJ_TRY(recordAudit(tx, op, {"", "breach.update", "breach", id, {{"fields", fields}}}, now));
    }
    return getBreach(tx, id, now);
  });
}

Result<int64_t> raiseBreachAlerts(store::Tx& tx, const CoreContext& ctx, int64_t now) {
  MJ_TRY_ASSIGN(auto due, tx.query("SELECT id, aware_at, description FROM breaches WHERE "
                                   "authority_notified_at IS NULL AND alerted_at IS NULL AND "
                                   "status <> 'closed' AND aware_at <= ? ORDER BY id",
                                   {now - kBreachNotifySeconds}));
  if (due.empty()) return int64_t(0);
  MJ_TRY_ASSIGN(auto ops, tx.query("SELECT id, email FROM users WHERE is_operator = 1 AND "
                                   "status = 'active' ORDER BY id"));
  for (const auto& b : due) {
    const std::string id = b.text(0);
    int64_t hours = (now - b.integer(1)) / 3600;
    std::string summary = b.text(2).substr(0, 300);
    for (const auto& o : ops)
      MJ_TRY(enqueueEmail(
          tx,
          {"breach_alert", o.text(1), o.text(0),
           "Breach " + id + ": 72 hours passed without notifying the supervisory authority",
           "The personal data breach " + id + " (\"" + summary + "\") became known at " +
               formatRfc3339(b.integer(1)) + ", " + std::to_string(hours) +
               " hours ago, and the supervisory authority has not been notified (GDPR Art. "
               "33(1): within 72 hours; a late notification must give the reasons for the "
               "delay).\n\nRecord the notification time in the breach register, or close the "
               "breach if it is unlikely to result in a risk to people.\n\n" +
               ctx.settings.public_url + "/api/v1/admin/breaches/" + id},
          now));
    MJ_TRY(tx.exec("UPDATE breaches SET alerted_at = ? WHERE id = ?", {now, id}));
    MJ_TRY(addEvent(tx, id, "system", "alerted",
                    {{"operators", int64_t(ops.size())}, {"hours_since_aware", hours}}, now));
  }
  return int64_t(due.size());
}

}  // namespace mailjuke::core::privacy
