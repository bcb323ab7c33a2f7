// Idempotency-Key (API.md, Stripe semantics): the first response for a key is stored and
// replayed for 24 h; the same key with a different body is 422; a concurrent duplicate is 409.
#include "base/crypto.h"
#include "proto/http/problem.h"
#include "server/http/api/api.h"

namespace mailjuke::api {

Result<http::Response> Api::idempotent(Ctx& ctx, const Route& route,
                                       const std::string& principal_key) {
  std::string key(*ctx.req.headers.get("idempotency-key"));
  if (key.empty() || key.size() > 255)
    return Error::invalid("Idempotency-Key", "must be 1 to 255 characters");
  auto& db = services_.ctx.db;
  int64_t now = services_.ctx.clock.nowSeconds();
  std::string digest = crypto::sha256Hex(ctx.req.method + " " + ctx.req.path + "\n" + ctx.req.body);
  enum class State { kFresh, kReplay, kMismatch, kInFlight };
  struct Seen {
    State state = State::kFresh;
    int status = 0;
    std::string content_type, body;
  };
  MJ_TRY_ASSIGN(Seen seen, db.write<Seen>([&](store::Tx& tx) -> Result<Seen> {
    MJ_TRY(tx.exec("DELETE FROM idempotency_keys WHERE created_at < ?", {now - 86400}));
    MJ_TRY_ASSIGN(auto row,
                  tx.queryOne("SELECT request_hash, status, content_type, response_body FROM "
                              "idempotency_keys WHERE principal = ? AND idem_key = ?",
                              {principal_key, key}));
    if (!row) {
      // Claim the key before executing, so a concurrent duplicate cannot run twice.
      MJ_TRY(tx.exec(
          "INSERT INTO idempotency_keys (principal, idem_key, method, path, request_hash, status, "
          "content_type, response_body, created_at) VALUES (?,?,?,?,?,0,'','',?)",
          {principal_key, key, ctx.req.method, ctx.req.path, digest, now}));
      return Seen{};
    }
    if (row->text(0) != digest) return Seen{State::kMismatch};
    if (row->integer(1) == 0) return Seen{State::kInFlight};
    return Seen{State::kReplay, int(row->integer(1)), row->text(2), row->text(3)};
  }));
  if (seen.state == State::kMismatch)
    return Error::invalid("Idempotency-Key", "was already used with a different request");
  if (seen.state == State::kInFlight)
    return Error::make(ErrorCode::kConflict,
                       "a request with this Idempotency-Key is still being processed");
  if (seen.state == State::kReplay) {
    http::Response r = http::Response::text(seen.status, seen.content_type, seen.body);
    r.headers.set("idempotent-replayed", "true");
    return r;
  }
  auto result = route.handler(ctx);
  http::Response res = result.ok() ? std::move(result).value() : http::problem(result.error());
  MJ_TRY(db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    MJ_TRY(
        tx.exec("UPDATE idempotency_keys SET status = ?, content_type = ?, response_body = ? WHERE "
                "principal = ? AND idem_key = ?",
                {int64_t(res.status), std::string(res.headers.get("content-type").value_or("")),
                 res.body, principal_key, key}));
    return {};
  }));
  return res;
}

}  // namespace mailjuke::api
