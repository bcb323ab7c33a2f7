#include "core/audit/audit_log.h"

#include "base/clock.h"
#include "base/ids.h"
#include "base/json_writer.h"

namespace mailjuke::core {

Status recordAudit(store::Tx& tx, const Principal& actor, const AuditEntry& e, int64_t now) {
  auto r = tx.exec(
      "INSERT INTO audit_events (id, workspace_id, actor_type, actor_id, action, target_type, "
      "target_id, ip, user_agent, data, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
      {newId("evt"), e.workspace_id.empty() ? store::Value(nullptr) : store::Value(e.workspace_id),
       actor.actorType(),
       actor.actorId().empty() ? store::Value(nullptr) : store::Value(actor.actorId()), e.action,
       e.target_type.empty() ? store::Value(nullptr) : store::Value(e.target_type),
       e.target_id.empty() ? store::Value(nullptr) : store::Value(e.target_id), actor.ip,
       actor.user_agent.substr(0, 512), e.data.dump(), now});
  if (!r.ok()) return std::move(r).error();
  if (!e.workspace_id.empty()) tx.touch(auditTag(e.workspace_id));
  return {};
}

void writeAuditRow(JsonWriter& w, const store::Row& r) {
  auto opt = [&](size_t i) -> JsonWriter& { return r.isNull(i) ? w.null() : w.str(r.text(i)); };
  w.beginObject();
  w.key("id").str(r.text(0));
  w.key("workspace_id");
  opt(1);
  w.key("actor").beginObject().key("type").str(r.text(2)).key("id");
  opt(3);
  w.endObject();
  w.key("action").str(r.text(4));
  w.key("target").beginObject().key("type");
  opt(5);
  w.key("id");
  opt(6);
  w.endObject();
  w.key("ip").str(r.text(7));
  w.key("user_agent").str(r.text(8));
  // `data` was written by recordAudit from a Json dump, so it is valid JSON already.
  w.key("data").raw(r.text(9).empty() ? std::string_view("{}") : std::string_view(r.text(9)));
  w.key("created_at").str(formatRfc3339(r.integer(10)));
  w.endObject();
}

Result<Page> listAudit(store::Tx& tx, const AuditQuery& q) {
  std::string sql =
      "SELECT id, workspace_id, actor_type, actor_id, action, target_type, target_id, ip, "
      "user_agent, data, created_at FROM audit_events WHERE workspace_id = ?";
  store::Params p{q.workspace_id};
  if (q.cursor) {
    sql += " AND id < ?";
    p.push_back(*q.cursor);
  }
  if (q.action) {
    if (!q.action->empty() && q.action->back() == '.') {
      sql += " AND action LIKE ?";
      p.push_back(*q.action + "%");
    } else {
      sql += " AND action = ?";
      p.push_back(*q.action);
    }
  }
  if (q.actor_id) {
    sql += " AND actor_id = ?";
    p.push_back(*q.actor_id);
  }
  sql += " ORDER BY id DESC LIMIT ?";
  p.push_back(int64_t(q.limit + 1));
  MJ_TRY_ASSIGN(auto rows, tx.query(sql, p));
  Page page;
  // Hot path (the HTTP benchmark's list): serialise rows directly, no DOM per row.
  JsonWriter w;
  w.reserve(rows.size() * 400);
  w.beginArray();
  for (size_t i = 0; i < rows.size() && i < size_t(q.limit); ++i) writeAuditRow(w, rows[i]);
  w.endArray();
  page.raw_data = w.take();
  if (rows.size() > size_t(q.limit)) page.next_cursor = rows[q.limit - 1].text(0);
  return page;
}

}  // namespace mailjuke::core
