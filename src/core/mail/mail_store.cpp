#include "core/mail/mail_store.h"

#include <sys/stat.h>

#include <algorithm>
#include <condition_variable>
#include <ctime>
#include <deque>
#include <map>
#include <mutex>
#include <set>

#include "base/ids.h"
#include "base/json.h"
#include "proto/mime/structure.h"
#include "proto/mime/structure_json.h"

namespace mailjuke::core {
namespace {

constexpr size_t kMaxBatch = 256;

std::string lowerDomain(const std::string& address) {
  auto at = address.rfind('@');
  std::string d = at == std::string::npos ? std::string() : address.substr(at + 1);
  std::transform(d.begin(), d.end(), d.begin(), [](unsigned char c) { return std::tolower(c); });
  return d;
}

std::string joinFlags(const std::vector<std::string>& flags) {
  std::string out;
  for (const auto& f : flags) {
    if (!out.empty()) out += ' ';
    out += f;
  }
  return out;
}

// One message's rows. Runs inside the batch transaction; the caller wraps it in a savepoint so a
// failure here undoes only this message.
// The MIME structure parsed once at delivery, so IMAP FETCH never re-parses the body
// (ENVELOPE, BODYSTRUCTURE, BODY[section] offsets). Only for messages stored in a folder.
struct MessageMeta {
  std::optional<std::string> envelope, bodystructure;
};

MessageMeta metaOf(const AcceptedMessage& m) {
  MessageMeta meta;
  if (m.local.empty()) return meta;
  auto s = mime::parseStructure(m.content);
  if (!s.ok()) return meta;
  meta.envelope = mime::envelopeToJson(s->envelope);
  meta.bodystructure = mime::partToJson(s->root);
  return meta;
}

Status applyOne(store::Tx& tx, const AcceptedMessage& m, const BlobRef& blob,
                const MessageMeta& meta, const std::string& message_id, int64_t now,
                int64_t max_age, std::vector<std::string>& folder_ids) {
  folder_ids.clear();
  const std::string day = formatDate(now);
  // Daily limit first: the upsert locks the counter row (PostgreSQL) so concurrent nodes agree.
  if (m.sender_mailbox_id) {
    MJ_TRY(tx.exec(
        "INSERT INTO mailbox_counters (mailbox_id, day, sent, bounced, received) VALUES "
        "(?, ?, 1, 0, 0) ON CONFLICT (mailbox_id, day) DO UPDATE SET sent = mailbox_counters.sent "
        "+ 1",
        {*m.sender_mailbox_id, day}));
    if (m.daily_limit > 0) {
      MJ_TRY_ASSIGN(
          auto row,
          tx.queryOne("SELECT sent FROM mailbox_counters WHERE mailbox_id = ? AND day = ?",
                      {*m.sender_mailbox_id, day}));
      if (row && row->integer(0) > m.daily_limit) {
        Error e = Error::make(ErrorCode::kRateLimited, "daily sending limit reached");
        e.retry_after_seconds = static_cast<int>(86400 - now % 86400);
        return e;
      }
    }
  }
  for (const auto& d : m.local) {
    MJ_TRY_ASSIGN(auto folder,
                  tx.queryOne(std::string("SELECT id, uidnext, highest_modseq FROM mail_folders "
                                          "WHERE mailbox_id = ? AND name = ?") +
                                  tx.forUpdate(),
                              {d.mailbox_id, d.folder}));
    if (!folder) return Error::notFound("folder " + d.folder + " of mailbox " + d.mailbox_id);
    std::string folder_id = folder->text(0);
    folder_ids.push_back(folder_id);
    int64_t uid = folder->integer(1);
    int64_t modseq = folder->integer(2) + 1;
    MJ_TRY(
        tx.exec("UPDATE mail_folders SET uidnext = ?, highest_modseq = ?, total_bytes = "
                "total_bytes + ? WHERE id = ?",
                {uid + 1, modseq, blob.size, folder_id}));
    MJ_TRY(tx.exec(
        "INSERT INTO mail_messages (id, folder_id, uid, blob_id, size, internal_date, flags, "
        "modseq, envelope, bodystructure, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        {newId("msg"), folder_id, uid, blob.id, blob.size, m.received_at ? m.received_at : now,
         joinFlags(d.flags), modseq, store::nullable(meta.envelope),
         store::nullable(meta.bodystructure), now}));
    if (d.count_received) {
      MJ_TRY(
          tx.exec("INSERT INTO mailbox_counters (mailbox_id, day, sent, bounced, received) VALUES "
                  "(?, ?, 0, 0, 1) ON CONFLICT (mailbox_id, day) DO UPDATE SET received = "
                  "mailbox_counters.received + 1",
                  {d.mailbox_id, day}));
    }
  }
  // One queue entry per destination domain (RFC 5321 §3.3: one transaction, many RCPT).
  std::map<std::string, std::vector<std::string>> by_domain;
  for (const auto& r : m.remote_recipients) by_domain[lowerDomain(r)].push_back(r);
  for (const auto& [domain, rcpts] : by_domain) {
    MJ_TRY(tx.exec(
        "INSERT INTO mail_queue (id, message_id, blob_id, envelope_from, sender_mailbox_id, "
        "domain, recipients, status, attempts, next_attempt_at, expires_at, created_at, "
        "updated_at) VALUES (?,?,?,?,?,?,?,'queued',0,?,?,?,?)",
        {newId("q"), message_id, blob.id, m.envelope_from, store::nullable(m.sender_mailbox_id),
         domain, Json(rcpts).dump(), now, now + max_age, now, now}));
  }
  if (m.in_transaction) MJ_TRY(m.in_transaction(tx, message_id));
  return {};
}

}  // namespace

// Leader/follower group commit: callers enqueue their message; whoever finds no leader becomes
// one, takes up to kMaxBatch pending messages and commits them in one transaction (one fsync).
// Each message runs in its own savepoint, so one that fails is rolled back alone; if the batch
// transaction itself fails, every message is retried in a transaction of its own.
struct MailStore::Committer {
  struct Item {
    const AcceptedMessage* message;
    BlobRef blob;
    MessageMeta meta;
    std::string message_id;
    std::optional<Status> result;
    std::vector<std::string> folder_ids;  // of message->local, in order, once stored
  };
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Item*> pending;
  bool leading = false;
  int64_t transactions = 0;
  int64_t messages = 0;
};

MailStore::MailStore(CoreContext& ctx, BlobStore& blobs)
    : ctx_(ctx), blobs_(blobs), committer_(std::make_unique<Committer>()) {}

MailStore::~MailStore() = default;

MailStore::Stats MailStore::stats() const {
  std::lock_guard lock(committer_->mu);
  return {committer_->transactions, committer_->messages};
}

Result<std::string> MailStore::accept(const AcceptedMessage& message) {
  if (message.local.empty() && message.remote_recipients.empty())
    return Error::invalid("recipients", "a message needs at least one recipient");
  // The blob first: metadata never points at bytes that are not durable.
  MJ_TRY_ASSIGN(BlobRef blob, blobs_.put(message.content));
  Committer::Item item{&message, std::move(blob), metaOf(message), newId("m"), std::nullopt, {}};
  Committer& c = *committer_;
  std::unique_lock lock(c.mu);
  c.pending.push_back(&item);
  for (;;) {
    c.cv.wait(lock, [&] { return item.result.has_value() || !c.leading; });
    if (item.result) break;
    // Lead one batch (ours is in it: we are pending and batches are taken in order... or a
    // previous leader took it, in which case result is set when it finishes).
    c.leading = true;
    std::vector<Committer::Item*> batch;
    while (!c.pending.empty() && batch.size() < kMaxBatch) {
      batch.push_back(c.pending.front());
      c.pending.pop_front();
    }
    lock.unlock();
    const int64_t now = ctx_.clock.nowSeconds();
    const int64_t max_age = queue_max_age_seconds_;
    std::vector<std::optional<Status>> results(batch.size());
    int64_t tx_count = 0;
    Status st = ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
      for (size_t i = 0; i < batch.size(); ++i) {
        results[i].reset();
        if (batch.size() == 1) {
          results[i] = applyOne(tx, *batch[i]->message, batch[i]->blob, batch[i]->meta,
                                batch[i]->message_id, now, max_age, batch[i]->folder_ids);
          if (!results[i]->ok()) return Error(results[i]->error());
          continue;
        }
        MJ_TRY(tx.exec("SAVEPOINT mj_accept"));
        Status one = applyOne(tx, *batch[i]->message, batch[i]->blob, batch[i]->meta,
                              batch[i]->message_id, now, max_age, batch[i]->folder_ids);
        if (!one.ok()) MJ_TRY(tx.exec("ROLLBACK TO SAVEPOINT mj_accept"));
        MJ_TRY(tx.exec("RELEASE SAVEPOINT mj_accept"));
        results[i] = std::move(one);
      }
      return {};
    });
    if (st.ok()) {
      tx_count = 1;
    } else if (batch.size() == 1) {
      results[0] = st;
    } else {
      // The batch failed as a whole: one transaction per message, so one bad message cannot
      // fail the others.
      for (size_t i = 0; i < batch.size(); ++i) {
        results[i] = ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) {
          return applyOne(tx, *batch[i]->message, batch[i]->blob, batch[i]->meta,
                          batch[i]->message_id, now, max_age, batch[i]->folder_ids);
        });
        if (results[i]->ok()) ++tx_count;
      }
    }
    lock.lock();
    for (size_t i = 0; i < batch.size(); ++i) {
      batch[i]->result = results[i] ? std::move(*results[i]) : Status(st);
      if (batch[i]->result->ok()) ++c.messages;
    }
    c.transactions += tx_count;
    c.leading = false;
    c.cv.notify_all();
  }
  if (!item.result->ok()) return Error(item.result->error());
  // IDLE (RFC 2177) and untagged updates: sessions with that folder selected reload.
  const bool known = item.folder_ids.size() == message.local.size();
  for (size_t i = 0; i < message.local.size(); ++i)
    changes_.notify(message.local[i].mailbox_id, known ? item.folder_ids[i] : std::string());
  return item.message_id;
}

Result<int64_t> MailStore::usedBytes(const std::string& mailbox_id) {
  return ctx_.db.read<int64_t>([&](store::Tx& tx) -> Result<int64_t> {
    // Kept by every write of mail_messages (migration 0023): one row per folder.
    MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT COALESCE(SUM(total_bytes), 0) FROM mail_folders "
                                        "WHERE mailbox_id = ?",
                                        {mailbox_id}));
    return row ? row->integer(0) : int64_t(0);
  });
}

Result<MailCounters> MailStore::counters(const std::string& mailbox_id, int64_t now) {
  return ctx_.db.read<MailCounters>([&](store::Tx& tx) -> Result<MailCounters> {
    MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT sent, bounced, received FROM mailbox_counters "
                                        "WHERE mailbox_id = ? AND day = ?",
                                        {mailbox_id, formatDate(now)}));
    MailCounters out;
    if (row) {
      out.sent_today = row->integer(0);
      out.bounced_today = row->integer(1);
      out.received_today = row->integer(2);
    }
    return out;
  });
}

Result<std::vector<std::pair<std::string, MailCounters>>> MailStore::countersOfDay(int64_t now) {
  using Out = std::vector<std::pair<std::string, MailCounters>>;
  return ctx_.db.read<Out>([&](store::Tx& tx) -> Result<Out> {
    MJ_TRY_ASSIGN(auto rows, tx.query("SELECT mailbox_id, sent, bounced, received FROM "
                                      "mailbox_counters WHERE day = ? ORDER BY mailbox_id",
                                      {formatDate(now)}));
    Out out;
    for (const auto& r : rows)
      out.push_back({r.text(0), {r.integer(1), r.integer(2), r.integer(3)}});
    return out;
  });
}

Result<int64_t> MailStore::collectGarbage() {
  MJ_TRY_ASSIGN(auto files, blobs_.list());
  MJ_TRY_ASSIGN(
      auto referenced,
      ctx_.db.read<std::set<std::string>>([](store::Tx& tx) -> Result<std::set<std::string>> {
        std::set<std::string> out;
        MJ_TRY_ASSIGN(auto a, tx.query("SELECT DISTINCT blob_id FROM mail_messages"));
        for (auto& r : a) out.insert(r.text(0));
        MJ_TRY_ASSIGN(auto b, tx.query("SELECT DISTINCT blob_id FROM mail_queue"));
        for (auto& r : b) out.insert(r.text(0));
        return out;
      }));
  // The reference set was read after the listing, so a blob committed in between is seen as
  // referenced; the age check protects blobs written but not yet committed.
  // File times are wall-clock times, so the cutoff is too.
  const int64_t cutoff = static_cast<int64_t>(::time(nullptr)) - gc_grace_seconds_;
  int64_t removed = 0;
  for (const auto& id : files) {
    if (referenced.count(id)) continue;
    struct stat st;
    if (::stat(blobs_.path(id).c_str(), &st) != 0) continue;
    if (st.st_mtime > cutoff) continue;
    MJ_TRY(blobs_.remove(id));
    ++removed;
  }
  return removed;
}

}  // namespace mailjuke::core
