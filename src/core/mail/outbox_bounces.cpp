#include "core/mail/outbox_bounces.h"

#include <spdlog/spdlog.h>

#include "base/encoding.h"
#include "core/mail/dsn_report.h"
#include "core/privacy/flags.h"

namespace mailjuke::core {
namespace {

std::string domainOf(std::string_view address) {
  auto at = address.rfind('@');
  return at == std::string_view::npos ? std::string() : toLowerAscii(address.substr(at + 1));
}

std::string reasonOf(const std::string& status, const std::string& diagnostic,
                     const std::string& remote) {
  std::string r = status.empty() ? std::string("bounced") : status;
  if (!diagnostic.empty()) r += ": " + diagnostic;
  if (!remote.empty()) r += " (" + remote + ")";
  if (r.size() > 1000) r.resize(1000);
  return r;
}

// Marks the row `id` (only while `queued`) bounced; suppresses its address on a hard bounce.
// `recipient`, when not empty, must be the row's address. True when the row is (now) bounced.
Result<bool> markBounced(store::Tx& tx, const std::string& secret_key, const std::string& id,
                         const std::string& recipient, const std::string& status,
                         const std::string& reason, int64_t now) {
  MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT to_address, status FROM outbox WHERE id = ?", {id}));
  if (!row) return false;
  if (!recipient.empty() && toLowerAscii(row->text(0)) != toLowerAscii(recipient)) return false;
  if (row->text(1) == "bounced") return true;
  MJ_TRY_ASSIGN(auto n, tx.exec("UPDATE outbox SET status = 'bounced', bounced_at = ?, "
                                "bounce_status = ?, last_error = ? WHERE id = ? AND status = "
                                "'queued'",
                                {now, status, reason, id}));
  if (n != 1) return false;
  if (isHardBounce(status))
    MJ_TRY(privacy::suppress(tx, secret_key, row->text(0), "hard bounce", now));
  return true;
}

}  // namespace

Result<bool> bounceOutboxByQueueId(CoreContext& ctx, const std::string& queue_id,
                                   const std::vector<DsnRecipient>& failed, int64_t now) {
  if (queue_id.empty() || failed.empty()) return false;
  return ctx.db.write<bool>([&](store::Tx& tx) -> Result<bool> {
    MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT id FROM outbox WHERE queue_id = ?", {queue_id}));
    if (!row) return false;
    const auto& f = failed.front();  // an outbox message has one recipient
    MJ_TRY(markBounced(tx, ctx.secret_key, row->text(0), "", f.status,
                       reasonOf(f.status, f.diagnostic, f.remote_mta), now));
    return true;
  });
}

Result<int> bounceOutboxFromReport(CoreContext& ctx, const std::string& platform_address,
                                   std::string_view message, int64_t now) {
  auto report = parseDsnReport(message);
  if (!report) return 0;
  const std::string& mid = report->original_message_id;
  auto at = mid.rfind('@');
  if (at == std::string::npos || at == 0 ||
      toLowerAscii(mid.substr(at + 1)) != domainOf(platform_address))
    return 0;
  const std::string id = mid.substr(0, at);
  return ctx.db.write<int>([&](store::Tx& tx) -> Result<int> {
    int marked = 0;
    for (const auto& r : report->recipients) {
      if (r.action != "failed") continue;  // delayed, delivered, relayed: not a bounce
      const std::string status = r.status.empty() ? std::string("5.0.0") : r.status;
      MJ_TRY_ASSIGN(bool ok, markBounced(tx, ctx.secret_key, id, r.address, status,
                                         reasonOf(status, r.diagnostic, ""), now));
      if (ok) ++marked;
    }
    if (marked == 0)
      spdlog::info("outbox: a report for {} matched no queued platform message", mid);
    return marked;
  });
}

}  // namespace mailjuke::core
