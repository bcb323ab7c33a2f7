#include "core/privacy/workspace_export.h"

#include <filesystem>

#include "base/clock.h"
#include "base/crypto.h"
#include "base/ids.h"
#include "core/audit/audit_log.h"
#include "core/privacy/data_inventory.h"
#include "core/privacy/subject_links.h"
#include "core/privacy/workspace_mail_export.h"
#include "core/privacy/zip_writer.h"

namespace mailjuke::core::privacy {
namespace {

// The exported columns of an inventory table: every column but secrets.
std::vector<std::string> exportedColumns(std::string_view table) {
  std::vector<std::string> cols;
  for (const auto& t : dataInventory())
    if (t.table == table)
      for (const auto& c : t.columns)
        if (!isSecretColumn(c.column)) cols.emplace_back(c.column);
  return cols;
}

Json cell(const store::Row& r, size_t i, const std::string& column) {
  if (r.isNull(i)) return nullptr;
  const bool time = column.size() > 3 && column.compare(column.size() - 3, 3, "_at") == 0;
  if (time) return formatRfc3339(r.integer(i));
  return r.text(i);
}

Result<Json> rows(store::Tx& tx, std::string_view table, const std::string& where,
                  const store::Params& params) {
  auto cols = exportedColumns(table);
  std::string sql = "SELECT ";
  for (size_t i = 0; i < cols.size(); ++i) sql += (i ? ", t." : "t.") + cols[i];
  sql += " FROM " + std::string(table) + " t WHERE " + where + " ORDER BY t." + cols[0];
  MJ_TRY_ASSIGN(auto result, tx.query(sql, params));
  Json out = Json::array();
  for (const auto& r : result) {
    Json o = Json::object();
    for (size_t i = 0; i < cols.size(); ++i) o[cols[i]] = cell(r, i, cols[i]);
    out.push_back(std::move(o));
  }
  return out;
}

// download_url is a path on this server, like the other *_url fields of the API.
Json rowJson(const store::Row& r) {
  const std::string status = r.text(2);
  Json j = {{"id", r.text(0)},
            {"workspace_id", r.text(1)},
            {"status", status},
            {"files", r.integer(3)},
            {"created_at", formatRfc3339(r.integer(4))},
            {"completed_at", r.isNull(5) ? Json(nullptr) : Json(formatRfc3339(r.integer(5)))},
            {"expires_at", r.isNull(6) ? Json(nullptr) : Json(formatRfc3339(r.integer(6)))},
            {"error", r.isNull(7) ? Json(nullptr) : Json(r.text(7))},
            {"download_url", nullptr}};
  if (status == "completed")
    j["download_url"] = "/api/v1/workspaces/" + r.text(1) + "/exports/" + r.text(0) + "/download";
  return j;
}

constexpr const char* kRowColumns =
    "id, workspace_id, status, files, created_at, completed_at, expires_at, error, export_path";

}  // namespace

Status requireWorkspaceOwner(store::Tx& tx, const Principal& p, const std::string& ws) {
  if (!p.isUser()) {
    if (p.isKey() && p.key_workspace_id == ws)
      return Error::make(ErrorCode::kForbidden, "only an owner (signed in) may export a workspace");
    return Error::notFound("workspace");
  }
  MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT m.role FROM memberships m JOIN workspaces w ON w.id "
                                      "= m.workspace_id WHERE m.workspace_id = ? AND m.user_id = "
                                      "? AND w.status <> 'deleted'",
                                      {ws, p.user_id}));
  if (!row) return Error::notFound("workspace");
  if (row->text(0) != "owner")
    return Error::make(ErrorCode::kForbidden, "only an owner may export the whole workspace");
  return {};
}

Result<Json> startWorkspaceExport(CoreContext& ctx, const Principal& p, const std::string& ws) {
  int64_t now = ctx.clock.nowSeconds();
  std::string id = newId("wex");
  return ctx.db.write<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY(requireWorkspaceOwner(tx, p, ws));
    MJ_TRY(tx.exec(
        "INSERT INTO workspace_exports (id, workspace_id, requested_by, status, created_at) "
        "VALUES (?,?,?,'processing',?)",
        {id, ws, p.user_id, now}));
    MJ_TRY(
        recordAudit(tx, p, {ws, "workspace.export", "workspace_export", id, Json::object()}, now));
    MJ_TRY_ASSIGN(auto row, tx.queryOne(std::string("SELECT ") + kRowColumns +
                                            " FROM workspace_exports WHERE id = ?",
                                        {id}));
    return rowJson(*row);
  });
}

Status buildWorkspaceExport(CoreContext& ctx, const std::string& export_dir,
                            const std::string& blob_dir, int64_t valid_days,
                            const std::string& id) {
  struct File {
    std::string name;
    Json data;
    std::string what;
  };
  std::vector<File> files;
  std::string ws;
  auto gathered = ctx.db.read<bool>([&](store::Tx& tx) -> Result<bool> {
    MJ_TRY_ASSIGN(auto ex,
                  tx.queryOne("SELECT workspace_id FROM workspace_exports WHERE id = ?", {id}));
    if (!ex) return Error::notFound("workspace export");
    ws = ex->text(0);
    files.clear();  // a retried transaction starts again
    const store::Params p{ws};
    MJ_TRY_ASSIGN(auto workspace, rows(tx, "workspaces", "t.id = ?", p));
    for (auto& w : workspace) {
      Json s = w["settings"].is_string()
                   ? Json::parse(w["settings"].get<std::string>(), nullptr, false)
                   : Json::object();
      w["settings"] = s.is_discarded() ? Json::object() : s;
    }
    files.push_back({"workspace.json", workspace, "the workspace, its settings and data region"});
    MJ_TRY_ASSIGN(auto dpa, rows(tx, "dpa_acceptances", "t.workspace_id = ?", p));
    files.push_back({"dpa_acceptances.json", dpa, "data processing agreement acceptances"});
    MJ_TRY_ASSIGN(auto domains, rows(tx, "domains", "t.workspace_id = ?", p));
    files.push_back({"domains.json", domains, "domains"});
    MJ_TRY_ASSIGN(auto dns,
                  rows(tx, "dns_records",
                       "t.domain_id IN (SELECT id FROM domains WHERE workspace_id = ?)", p));
    files.push_back({"dns_records.json", dns, "DNS records of the domains"});
    MJ_TRY_ASSIGN(auto mailboxes, rows(tx, "mailboxes", "t.workspace_id = ?", p));
    files.push_back({"mailboxes.json", mailboxes, "mailboxes, without password hashes"});
    // Members: what an owner sees in the members list, nothing of their other accounts' data.
    MJ_TRY_ASSIGN(auto members, tx.query("SELECT u.id, u.email, u.name, m.role, m.created_at FROM "
                                         "memberships m JOIN users u ON u.id = m.user_id WHERE "
                                         "m.workspace_id = ? ORDER BY m.created_at, u.id",
                                         p));
    Json mj = Json::array();
    for (const auto& m : members)
      mj.push_back({{"user_id", m.text(0)},
                    {"email", m.text(1)},
                    {"name", m.text(2)},
                    {"role", m.text(3)},
                    {"joined_at", formatRfc3339(m.integer(4))}});
    files.push_back({"members.json", mj, "members: id, e-mail, name, role"});
    MJ_TRY_ASSIGN(auto audit, rows(tx, "audit_events", "t.workspace_id = ?", p));
    files.push_back({"audit_log.json", audit, "the workspace's audit log"});
    MJ_TRY_ASSIGN(auto invoices, rows(tx, "invoices", "t.workspace_id = ?", p));
    files.push_back({"invoices.json", invoices, "invoices (the PDFs are in the billing API)"});
    return true;
  });
  int64_t now = ctx.clock.nowSeconds();
  std::string path = export_dir + "/workspace-" + id + "-" + crypto::randomToken(12) + ".zip";
  Status built = gathered.ok() ? Status{} : Status(gathered.error());
  int64_t files_total = int64_t(files.size() + 1);  // with the manifest
  if (built.ok()) {
    std::error_code ec;
    std::filesystem::create_directories(export_dir, ec);
    std::string tmp = path + ".tmp";
    const std::string mail_dir = path + ".mail";
    ZipWriter zip(tmp);
    auto mail = writeWorkspaceMail(ctx, blob_dir, ws, mail_dir);
    if (!mail.ok()) {
      built = Status(mail.error());
    } else if (!zip.ok()) {
      built = Error::internal("cannot create " + tmp);
    } else {
      Json manifest_files = Json::array();
      for (auto& f : files) {
        manifest_files.push_back(
            {{"file", f.name}, {"rows", int64_t(f.data.size())}, {"what", f.what}});
        if (built.ok()) built = zip.add(f.name, f.data.dump(2));
      }
      Json mail_index = Json::array();
      for (const auto& m : *mail) {
        manifest_files.push_back(
            {{"file", m.file},
             {"rows", m.messages},
             {"what", "mail of " + m.mailbox + ", folder " + m.folder + " (mboxrd)"}});
        mail_index.push_back({{"file", m.file},
                              {"mailbox", m.mailbox},
                              {"folder", m.folder},
                              {"messages", m.messages},
                              {"bytes", m.bytes}});
        if (built.ok()) built = zip.addFile(m.file, m.path);
        ++files_total;
      }
      Json manifest = {{"generated_at", formatRfc3339(now)},
                       {"workspace_id", ws},
                       {"controller", "the organisation that owns the workspace"},
                       {"processor", ctx.settings.platform_name},
                       {"format", "JSON, UTF-8, times RFC 3339 UTC"},
                       {"excluded",
                        "password hashes and sealed passwords, API key hashes, DKIM private keys, "
                        "members' data beyond what an owner sees"},
                       {"mail",
                        {{"format",
                          "one mbox file per mailbox and folder (mboxrd: From_ line with the "
                          "message's arrival time, '>From ' quoting, LF line ends)"},
                         {"folders", mail_index}}},
                       {"files", manifest_files}};
      if (built.ok()) built = zip.add("manifest.json", manifest.dump(2));
      if (built.ok()) built = zip.close();  // streams the mbox files into the ZIP
      if (built.ok()) {
        std::filesystem::rename(tmp, path, ec);
        if (ec) built = Error::internal("cannot move the export into place: " + ec.message());
      }
    }
    std::filesystem::remove_all(mail_dir, ec);
    if (!built.ok()) std::filesystem::remove(tmp, ec);
  }
  return ctx.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    if (!built.ok()) {
      MJ_TRY(
          tx.exec("UPDATE workspace_exports SET status = 'failed', error = ?, completed_at = ? "
                  "WHERE id = ?",
                  {built.error().message.substr(0, 500), now, id}));
      return {};
    }
    MJ_TRY(tx.exec(
        "UPDATE workspace_exports SET status = 'completed', export_path = ?, expires_at = ?, "
        "files = ?, completed_at = ? WHERE id = ?",
        {path, now + valid_days * 86400, files_total, now, id}));
    return {};
  });
}

Result<Json> getWorkspaceExport(CoreContext& ctx, const Principal& p, const std::string& ws,
                                const std::string& id) {
  return ctx.db.read<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY(requireWorkspaceOwner(tx, p, ws));
    MJ_TRY_ASSIGN(auto row, tx.queryOne(std::string("SELECT ") + kRowColumns +
                                            " FROM workspace_exports WHERE id = ? AND "
                                            "workspace_id = ?",
                                        {id, ws}));
    if (!row) return Error::notFound("workspace export");
    return rowJson(*row);
  });
}

Result<std::string> workspaceExportPath(CoreContext& ctx, const Principal& p, const std::string& ws,
                                        const std::string& id) {
  int64_t now = ctx.clock.nowSeconds();
  return ctx.db.read<std::string>([&](store::Tx& tx) -> Result<std::string> {
    MJ_TRY(requireWorkspaceOwner(tx, p, ws));
    MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT status, export_path, expires_at FROM "
                                        "workspace_exports WHERE id = ? AND workspace_id = ?",
                                        {id, ws}));
    if (!row) return Error::notFound("workspace export");
    if (row->text(0) != "completed")
      return Error::make(ErrorCode::kConflict, "the export is " + row->text(0));
    if (row->isNull(1) || row->integer(2) <= now || !std::filesystem::exists(row->text(1)))
      return Error::make(ErrorCode::kGone, "the download link has expired");
    return row->text(1);
  });
}

Result<int64_t> expireWorkspaceExports(store::Tx& tx, int64_t now) {
  MJ_TRY_ASSIGN(auto due, tx.query("SELECT id, export_path FROM workspace_exports WHERE "
                                   "export_path IS NOT NULL AND expires_at <= ?",
                                   {now}));
  for (const auto& r : due) {
    std::error_code ec;
    std::filesystem::remove(r.text(1), ec);
    MJ_TRY(tx.exec("UPDATE workspace_exports SET export_path = NULL WHERE id = ?", {r.text(0)}));
  }
  return int64_t(due.size());
}

}  // namespace mailjuke::core::privacy
