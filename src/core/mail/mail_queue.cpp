#include "core/mail/mail_queue.h"

namespace mailjuke::core {
namespace {

const char* kColumns =
    "id, message_id, blob_id, envelope_from, sender_mailbox_id, domain, recipients, status, "
    "attempts, next_attempt_at, expires_at, last_error, created_at, updated_at";

QueueEntry fromRow(const store::Row& r) {
  QueueEntry e;
  e.id = r.text(0);
  e.message_id = r.text(1);
  e.blob_id = r.text(2);
  e.envelope_from = r.text(3);
  e.sender_mailbox_id = r.optText(4);
  e.domain = r.text(5);
  Json rcpts = Json::parse(r.text(6), nullptr, false);
  if (rcpts.is_array())
    for (auto& x : rcpts)
      if (x.is_string()) e.recipients.push_back(x.get<std::string>());
  e.status = r.text(7);
  e.attempts = r.integer(8);
  e.next_attempt_at = r.integer(9);
  e.expires_at = r.integer(10);
  e.last_error = r.optText(11);
  e.created_at = r.integer(12);
  e.updated_at = r.integer(13);
  return e;
}

}  // namespace

int64_t backoffSeconds(const BackoffPolicy& policy, int64_t attempts) {
  int64_t delay = policy.first_retry_seconds;
  for (int64_t i = 0; i < attempts && delay < policy.max_retry_seconds; ++i) delay *= 2;
  return std::min(delay, policy.max_retry_seconds);
}

Json queueEntryJson(const QueueEntry& e) {
  return Json{{"id", e.id},
              {"message_id", e.message_id},
              {"envelope_from", e.envelope_from},
              {"sender_mailbox_id", e.sender_mailbox_id ? Json(*e.sender_mailbox_id) : Json()},
              {"domain", e.domain},
              {"recipients", e.recipients},
              {"status", e.status},
              {"attempts", e.attempts},
              {"next_attempt_at", formatRfc3339(e.next_attempt_at)},
              {"expires_at", formatRfc3339(e.expires_at)},
              {"last_error", e.last_error ? Json(*e.last_error) : Json()},
              {"created_at", formatRfc3339(e.created_at)},
              {"updated_at", formatRfc3339(e.updated_at)}};
}

MailQueue::MailQueue(CoreContext& ctx, BackoffPolicy policy) : ctx_(ctx), policy_(policy) {}

Result<int64_t> MailQueue::recover() {
  int64_t now = ctx_.clock.nowSeconds();
  return ctx_.db.write<int64_t>([&](store::Tx& tx) {
    return tx.exec(
        "UPDATE mail_queue SET status = 'queued', next_attempt_at = ?, updated_at = ? "
        "WHERE status = 'delivering'",
        {now, now});
  });
}

Result<std::vector<QueueEntry>> MailQueue::claimDue(size_t limit, int64_t lease_seconds) {
  int64_t now = ctx_.clock.nowSeconds();
  return ctx_.db.write<std::vector<QueueEntry>>(
      [&](store::Tx& tx) -> Result<std::vector<QueueEntry>> {
        // For 'delivering' rows next_attempt_at is the lease's end: an expired lease is due.
        std::string sql = std::string("SELECT ") + kColumns +
                          " FROM mail_queue WHERE status IN ('queued', 'delivering') AND "
                          "next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?";
        if (tx.dialect() == store::Dialect::kPostgres) sql += " FOR UPDATE SKIP LOCKED";
        MJ_TRY_ASSIGN(auto rows, tx.query(sql, {now, static_cast<int64_t>(limit)}));
        std::vector<QueueEntry> out;
        for (auto& r : rows) {
          QueueEntry e = fromRow(r);
          MJ_TRY(tx.exec(
              "UPDATE mail_queue SET status = 'delivering', next_attempt_at = ?, updated_at = ? "
              "WHERE id = ?",
              {now + lease_seconds, now, e.id}));
          e.status = "delivering";
          out.push_back(std::move(e));
        }
        return out;
      });
}

Status MailQueue::markDelivered(const std::string& id) {
  return ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    MJ_TRY(tx.exec("DELETE FROM mail_queue WHERE id = ?", {id}));
    return {};
  });
}

Status MailQueue::defer(const std::string& id, const std::string& error,
                        const std::vector<std::string>& recipients) {
  int64_t now = ctx_.clock.nowSeconds();
  return ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT attempts FROM mail_queue WHERE id = ?", {id}));
    if (!row) return Error::notFound("queue entry");
    int64_t attempts = row->integer(0);
    int64_t next = now + backoffSeconds(policy_, attempts);
    if (recipients.empty()) {
      MJ_TRY(
          tx.exec("UPDATE mail_queue SET status = 'queued', attempts = ?, next_attempt_at = ?, "
                  "last_error = ?, updated_at = ? WHERE id = ?",
                  {attempts + 1, next, error, now, id}));
    } else {
      MJ_TRY(
          tx.exec("UPDATE mail_queue SET status = 'queued', attempts = ?, next_attempt_at = ?, "
                  "last_error = ?, recipients = ?, updated_at = ? WHERE id = ?",
                  {attempts + 1, next, error, Json(recipients).dump(), now, id}));
    }
    return {};
  });
}

Status MailQueue::fail(const std::string& id, const std::string& error) {
  return markDelivered(id);
}

Result<std::optional<QueueEntry>> MailQueue::get(const std::string& id) {
  return ctx_.db.read<std::optional<QueueEntry>>(
      [&](store::Tx& tx) -> Result<std::optional<QueueEntry>> {
        MJ_TRY_ASSIGN(
            auto row,
            tx.queryOne(std::string("SELECT ") + kColumns + " FROM mail_queue WHERE id = ?", {id}));
        if (!row) return std::optional<QueueEntry>();
        return std::optional<QueueEntry>(fromRow(*row));
      });
}

Result<Page> MailQueue::list(const QueueFilter& filter, const PageRequest& page) {
  return ctx_.db.read<Page>([&](store::Tx& tx) {
    std::string sql = std::string("SELECT ") + kColumns + " FROM mail_queue WHERE 1 = 1";
    store::Params params;
    if (filter.status) {
      sql += " AND status = ?";
      params.push_back(*filter.status);
    }
    if (filter.domain) {
      sql += " AND domain = ?";
      params.push_back(*filter.domain);
    }
    return paginate(tx, sql, params, "id", page,
                    [](const store::Row& r) { return queueEntryJson(fromRow(r)); });
  });
}

Status MailQueue::retryNow(const std::string& id) {
  int64_t now = ctx_.clock.nowSeconds();
  return ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    MJ_TRY_ASSIGN(auto n, tx.exec("UPDATE mail_queue SET status = 'queued', next_attempt_at = ?, "
                                  "updated_at = ? WHERE id = ?",
                                  {now, now, id}));
    if (n == 0) return Error::notFound("queue entry");
    return {};
  });
}

Status MailQueue::remove(const std::string& id) {
  return ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    MJ_TRY_ASSIGN(auto n, tx.exec("DELETE FROM mail_queue WHERE id = ?", {id}));
    if (n == 0) return Error::notFound("queue entry");
    return {};
  });
}

Result<std::vector<std::pair<std::string, int64_t>>> MailQueue::countByStatus() {
  using Out = std::vector<std::pair<std::string, int64_t>>;
  return ctx_.db.read<Out>([](store::Tx& tx) -> Result<Out> {
    MJ_TRY_ASSIGN(
        auto rows,
        tx.query("SELECT status, COUNT(*) FROM mail_queue GROUP BY status ORDER BY status"));
    Out out;
    for (const auto& r : rows) out.push_back({r.text(0), r.integer(1)});
    return out;
  });
}

}  // namespace mailjuke::core
