#include "server/delivery/delivery_engine.h"

#include <condition_variable>
#include <map>
#include <mutex>
#include <set>

#include "core/mail/dsn.h"
#include "core/mail/mail_queue.h"
#include "core/mail/outbox_bounces.h"
#include "server/delivery/mx_route.h"
#include "server/delivery/smtp_client.h"

namespace mailjuke::delivery {

namespace asio = net::asio;
using net::awaitable;

namespace {
constexpr auto kIdleKeep = std::chrono::seconds(5);  // an idle session waits this long for reuse
constexpr size_t kIdlePerDestination = 4;
constexpr int64_t kLeaseSeconds = 3600;  // longer than any one attempt
}  // namespace

struct DeliveryEngine::State : std::enable_shared_from_this<State> {
  State(net::Runtime& rt, DeliveryOptions o, core::CoreContext& c, core::MailStore& st,
        core::mailauth::Resolver& r, SenderLookup s)
      : runtime(rt),
        options(std::move(o)),
        ctx(c),
        store(st),
        resolver(r),
        senders(std::move(s)),
        queue(c, core::BackoffPolicy{options.first_retry_seconds, 4 * 3600}),
        io(rt.mainContext()),
        wake(io) {}

  net::Runtime& runtime;
  DeliveryOptions options;
  core::CoreContext& ctx;
  core::MailStore& store;
  core::mailauth::Resolver& resolver;
  SenderLookup senders;
  core::MailQueue queue;
  asio::io_context& io;
  asio::steady_timer wake;

  // io thread only:
  bool stopping = false;
  bool kicked = false;
  size_t inflight = 0;
  struct Idle {
    std::shared_ptr<SmtpSession> session;
    std::chrono::steady_clock::time_point since;
  };
  std::map<std::string, std::vector<Idle>> idle;
  std::set<std::shared_ptr<SmtpSession>> active;

  mutable std::mutex mu;  // stats and the stop handshake
  std::condition_variable cv;
  EngineStats stats;
  bool started = false;
  bool loop_done = false;

  // offload() for functions returning Result<T> (Asio 1.74's co_spawn needs a default-
  // constructible value, so it travels in an optional). Callers pass lambdas that capture by
  // reference only (the awaiting frame outlives the call): g++ 12 destroys a non-trivial
  // temporary passed to a coroutine twice.
  template <class F>
  awaitable<std::invoke_result_t<F>> blocking(F fn) {
    using R = std::invoke_result_t<F>;
    auto r = co_await net::offload(
        runtime.workers(), [fn = std::move(fn)]() mutable { return std::optional<R>(fn()); });
    co_return std::move(*r);
  }

  void count(int64_t EngineStats::*field, int64_t n = 1) {
    std::lock_guard lock(mu);
    stats.*field += n;
  }

  void finishOne() {
    --inflight;
    wake.cancel();  // room for another entry
    std::lock_guard lock(mu);
    cv.notify_all();
  }

  std::shared_ptr<SmtpSession> takeIdle(const std::string& key) {
    auto it = idle.find(key);
    while (it != idle.end() && !it->second.empty()) {
      auto s = it->second.back().session;
      it->second.pop_back();
      if (s->usable()) return s;
      s->close();
    }
    return nullptr;
  }

  void putIdle(const std::string& key, std::shared_ptr<SmtpSession> s) {
    auto& list = idle[key];
    if (stopping || !s->usable() || list.size() >= kIdlePerDestination) {
      asio::co_spawn(io, quitSession(s), asio::detached);
      return;
    }
    list.push_back({std::move(s), std::chrono::steady_clock::now()});
  }

  void expireIdle(bool all) {
    auto now = std::chrono::steady_clock::now();
    for (auto it = idle.begin(); it != idle.end();) {
      auto& list = it->second;
      for (size_t i = 0; i < list.size();) {
        if (all || now - list[i].since >= kIdleKeep) {
          asio::co_spawn(io, quitSession(list[i].session), asio::detached);
          list.erase(list.begin() + static_cast<long>(i));
        } else {
          ++i;
        }
      }
      it = list.empty() ? idle.erase(it) : std::next(it);
    }
  }

  static awaitable<void> quitSession(std::shared_ptr<SmtpSession> s) {
    try {
      co_await s->quit();
    } catch (...) {
      s->close();
    }
  }

  awaitable<void> loop();
  awaitable<void> deliver(core::QueueEntry entry);
  awaitable<TransactionResult> attempt(const core::QueueEntry& entry, const std::string& message,
                                       const Route& route, std::string& remote);
  awaitable<void> settle(const core::QueueEntry& entry, const std::string& message,
                         std::vector<RecipientOutcome> outcomes, const std::string& remote);
};

awaitable<void> DeliveryEngine::State::loop() {
  auto self = shared_from_this();
  // Crash recovery: entries left 'delivering' by a previous process are due again.
  co_await blocking([&] { return queue.recover(); });
  while (!stopping) {
    kicked = false;
    size_t room = options.concurrency > inflight ? options.concurrency - inflight : 0;
    if (room > 0) {
      auto due = co_await blocking([&] { return queue.claimDue(room, kLeaseSeconds); });
      if (due.ok()) {
        for (auto& e : *due) {
          ++inflight;
          asio::co_spawn(io, deliver(std::move(e)), asio::detached);
        }
      }
    }
    expireIdle(false);
    if (stopping) break;
    if (kicked) continue;
    wake.expires_after(options.poll);
    boost::system::error_code ec;
    co_await wake.async_wait(asio::redirect_error(net::use_awaitable, ec));
  }
  expireIdle(true);
  std::lock_guard lock(mu);
  loop_done = true;
  cv.notify_all();
}

awaitable<TransactionResult> DeliveryEngine::State::attempt(const core::QueueEntry& entry,
                                                            const std::string& message,
                                                            const Route& route,
                                                            std::string& remote) {
  const std::string key = options.relay.empty() ? entry.domain : options.relay;
  TransactionResult result;
  std::string last_error = "451 4.4.1 no mail exchanger answered";
  // A session kept from the previous message to this destination: RSET and reuse it.
  if (auto s = takeIdle(key)) {
    active.insert(s);
    result = co_await s->send(entry.envelope_from, entry.recipients, message);
    active.erase(s);
    if (!result.try_next_host) {
      remote = s->peer();
      putIdle(key, s);
      co_return result;
    }
    s->close();
  }
  for (const auto& host : route.hosts) {
    for (const auto& addr : host.addresses) {
      if (stopping) break;
      boost::system::error_code ec;
      auto ip = asio::ip::make_address(addr, ec);
      if (ec) continue;
      asio::ip::tcp::endpoint ep(ip, host.port);
      ClientOptions copts;
      copts.helo = options.hostname;
      SmtpReply failure;
      // Named arguments: g++ 12 destroys converted temporaries passed to coroutines twice.
      asio::any_io_executor ex = io.get_executor();
      auto s = co_await SmtpSession::open(ex, ep, copts, failure);
      if (!s && failure.code == 0 && failure.text().find("TLS") != std::string::npos) {
        copts.try_starttls = false;  // opportunistic TLS failed: plain text (RFC 7435 §6)
        s = co_await SmtpSession::open(ex, ep, copts, failure);
      }
      count(&EngineStats::connections);
      if (!s) {
        last_error = failure.text();
        continue;
      }
      active.insert(s);
      result = co_await s->send(entry.envelope_from, entry.recipients, message);
      active.erase(s);
      if (result.try_next_host) {
        last_error = result.recipients.empty() ? last_error : result.recipients[0].reply;
        s->close();
        continue;
      }
      remote = host.name;
      putIdle(key, s);
      co_return result;
    }
  }
  result.recipients.clear();
  for (const auto& r : entry.recipients)
    result.recipients.push_back({r, RecipientState::kTemporary, last_error});
  co_return result;
}

awaitable<void> DeliveryEngine::State::deliver(core::QueueEntry entry) {
  auto self = shared_from_this();
  std::vector<RecipientOutcome> outcomes;
  std::string message, remote;
  std::optional<std::string> failure;
  try {
    const int64_t now = ctx.clock.nowSeconds();
    auto blob = co_await blocking([&] { return store.blobs().get(entry.blob_id); });
    if (blob.ok()) message = std::move(blob).value();
    bool expired = now >= entry.expires_at || now >= entry.created_at + options.max_age_seconds;
    if (expired || !blob.ok()) {
      // RFC 5321 §4.5.4.1: give up after the retry period, with the last error in the DSN.
      std::string why = !blob.ok()
                            ? "554 5.3.0 message body lost: " + blob.error().message
                            : "expired after " + std::to_string(entry.attempts) +
                                  " attempts; last error: " + entry.last_error.value_or("none");
      for (const auto& r : entry.recipients)
        outcomes.push_back({r, RecipientState::kPermanent, why});
    } else {
      Route route = co_await blocking(
          [&] { return resolveRoute(resolver, entry.domain, options.relay, options.port); });
      if (route.kind != Route::Kind::kOk) {
        auto state = route.kind == Route::Kind::kPermanent ? RecipientState::kPermanent
                                                           : RecipientState::kTemporary;
        for (const auto& r : entry.recipients) outcomes.push_back({r, state, route.error});
      } else {
        outcomes = (co_await attempt(entry, message, route, remote)).recipients;
      }
    }
    co_await settle(entry, message, std::move(outcomes), remote);
  } catch (const std::exception& e) {
    failure = e.what();
  }
  if (failure) {
    // One catch-all per entry: the lease brings it back if even the defer fails.
    try {
      co_await blocking([&] { return queue.defer(entry.id, "internal error: " + *failure); });
    } catch (...) {
    }
  }
  finishOne();
}

awaitable<void> DeliveryEngine::State::settle(const core::QueueEntry& entry,
                                              const std::string& message,
                                              std::vector<RecipientOutcome> outcomes,
                                              const std::string& remote) {
  auto self = shared_from_this();
  std::vector<std::string> temporary;
  std::vector<core::DsnRecipient> failed;
  std::string last_error;
  for (auto& o : outcomes) {
    if (o.state == RecipientState::kDelivered) {
      count(&EngineStats::delivered);
    } else if (o.state == RecipientState::kPermanent) {
      count(&EngineStats::bounced);
      failed.push_back({o.address, core::failureStatus(o.reply), o.reply, remote});
    } else {
      temporary.push_back(o.address);
      last_error = o.reply;
    }
  }
  // Platform e-mail (the outbox): its row is marked bounced instead of a DSN to the platform
  // sender. Before the queue update, like the DSN: a crash repeats it (idempotent).
  bool platform = false;
  if (!failed.empty()) {
    auto marked = co_await blocking([&] {
      return core::bounceOutboxByQueueId(ctx, entry.message_id, failed, ctx.clock.nowSeconds());
    });
    platform = marked.ok() && *marked;
  }
  // The DSN first: a crash before the queue update repeats the attempt (at-least-once).
  if (!failed.empty() && !entry.envelope_from.empty() && !platform) {
    core::DsnInput in;
    in.reporting_mta = options.hostname;
    in.original_envelope_from = entry.envelope_from;
    in.original_message = message;
    in.arrival_date = entry.created_at;
    in.now = ctx.clock.nowSeconds();
    in.recipients = std::move(failed);
    auto sent = co_await blocking([&] {
      auto hosted = senders ? senders(in.original_envelope_from) : std::nullopt;
      return core::sendDsn(ctx, store, in, hosted, entry.sender_mailbox_id);
    });
    (void)sent;
  }
  if (!temporary.empty()) {
    co_await blocking([&] { return queue.defer(entry.id, last_error, temporary); });
    count(&EngineStats::deferred);
  } else {
    co_await blocking([&] { return queue.markDelivered(entry.id); });
  }
}

DeliveryEngine::DeliveryEngine(net::Runtime& runtime, DeliveryOptions options,
                               core::CoreContext& ctx, core::MailStore& store,
                               core::mailauth::Resolver& resolver, SenderLookup senders)
    : state_(std::make_shared<State>(runtime, std::move(options), ctx, store, resolver,
                                     std::move(senders))) {}

DeliveryEngine::~DeliveryEngine() { stop(); }

void DeliveryEngine::start() {
  {
    std::lock_guard lock(state_->mu);
    if (state_->started) return;
    state_->started = true;
  }
  asio::co_spawn(state_->io, state_->loop(), asio::detached);
}

void DeliveryEngine::stop() {
  {
    std::lock_guard lock(state_->mu);
    if (!state_->started || state_->loop_done) return;
  }
  auto s = state_;
  asio::post(s->io, [s] {
    s->stopping = true;
    s->wake.cancel();
    for (auto& a : s->active) a->close();
  });
  std::unique_lock lock(s->mu);
  s->cv.wait_for(lock, std::chrono::seconds(30), [&] { return s->loop_done && s->inflight == 0; });
}

void DeliveryEngine::kick() {
  auto s = state_;
  asio::post(s->io, [s] {
    s->kicked = true;
    s->wake.cancel();
  });
}

EngineStats DeliveryEngine::stats() const {
  std::lock_guard lock(state_->mu);
  return state_->stats;
}

}  // namespace mailjuke::delivery
