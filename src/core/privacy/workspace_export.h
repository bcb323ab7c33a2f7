// Whole-workspace export by an owner (policy §2: the organisation is the controller of its
// workspace; Art. 28(3)(g)): a ZIP with the workspace and its settings and DPA acceptances,
// domains, DNS records, mailboxes (without password hashes), members (what an owner sees: id,
// e-mail, name, role), the audit log and the invoices list, the mail as one mbox per mailbox
// and folder (workspace_mail_export.h), with a manifest. Built as a job;
// the download link is valid for [privacy] export_valid_days (5). Owners only.
#pragma once

#include <string>

#include "base/json.h"
#include "core/access/principal.h"
#include "core/context.h"

namespace mailjuke::core::privacy {

// 404 unless the principal is a member; 403 unless a person who owns the workspace.
Status requireWorkspaceOwner(store::Tx& tx, const Principal& p, const std::string& workspace_id);

// Creates the export row (status "processing"); the caller runs buildWorkspaceExport.
Result<Json> startWorkspaceExport(CoreContext& ctx, const Principal& p,
                                  const std::string& workspace_id);
// Builds the ZIP under `export_dir`; marks the row completed (or failed). Returns the row.
// The mail is read from the blob files under `blob_dir` (<data_dir>/blobs).
Status buildWorkspaceExport(CoreContext& ctx, const std::string& export_dir,
                            const std::string& blob_dir, int64_t valid_days,
                            const std::string& export_id);
// {id, status, files, created_at, completed_at, expires_at, download_url}.
Result<Json> getWorkspaceExport(CoreContext& ctx, const Principal& p,
                                const std::string& workspace_id, const std::string& export_id);
// The file, within its validity (410 after).
Result<std::string> workspaceExportPath(CoreContext& ctx, const Principal& p,
                                        const std::string& workspace_id,
                                        const std::string& export_id);
// Retention: files past their validity are deleted; returns how many.
Result<int64_t> expireWorkspaceExports(store::Tx& tx, int64_t now);

}  // namespace mailjuke::core::privacy
