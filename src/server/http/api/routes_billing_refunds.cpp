// Refunds (docs/billing.md "Refunds"): operators refund card payments; owners and billing
// members get unused wallet credit back to their cards. Both move money, so both require an
// Idempotency-Key (the first answer is replayed for a repeated key).
#include "server/http/api/api.h"
#include "server/http/api/json_input.h"

namespace mailjuke::api {

void addBillingRefundRoutes(Api& api) {
  auto& billing = api.services().billing;
  api.add({"GET", "/api/v1/admin/payments",
           "Card payments, newest first, with what is refunded and refundable "
           "(filter: workspace=ws_…)",
           "admin", Auth::kOperator, 0, [&billing](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(int limit, c.limit());
             MJ_TRY_ASSIGN(auto page,
                           billing.payments(c.req.queryParam("workspace"), c.cursor(), limit));
             return http::Response::json(200, page.render());
           }});
  api.add({"POST", "/api/v1/admin/payments/{pay}/refund",
           "Refund a card payment ({amount?, reason}): back to the card and out of the wallet; "
           "409 names what is refundable; Idempotency-Key required",
           "admin", Auth::kOperator, 16 * 1024,
           [&billing](Ctx& c) -> Result<http::Response> {
             if (!c.req.headers.get("idempotency-key"))
               return Error::invalid("Idempotency-Key", "is required on requests that move money");
             MJ_TRY_ASSIGN(auto in, JsonInput::from(c.body, {"amount", "reason"}));
             MJ_TRY_ASSIGN(auto amount, in.optInt("amount", 1, int64_t(1) << 40));
             MJ_TRY_ASSIGN(auto reason, in.str("reason", 500));
             if (reason.empty()) return Error::invalid("reason", "is required");
             MJ_TRY_ASSIGN(auto out,
                           billing.refundPayment(c.principal, c.param("pay"), amount, reason));
             return jsonResponse(201, out);
           },
           true, 201});
  api.add({"POST", "/api/v1/workspaces/{ws}/wallet/refunds",
           "Refund unused wallet credit to the cards it came from ({amount?}, default all that "
           "came from cards); credits from other sources are not paid out; Idempotency-Key "
           "required",
           "billing", Auth::kAny, 16 * 1024,
           [&billing](Ctx& c) -> Result<http::Response> {
             if (!c.req.headers.get("idempotency-key"))
               return Error::invalid("Idempotency-Key", "is required on requests that move money");
             MJ_TRY_ASSIGN(auto in, JsonInput::from(c.body, {"amount"}));
             MJ_TRY_ASSIGN(auto amount, in.optInt("amount", 1, int64_t(1) << 40));
             MJ_TRY_ASSIGN(auto out,
                           billing.refundWalletCredit(c.principal, c.param("ws"), amount));
             return jsonResponse(201, out);
           },
           true, 201});
}

}  // namespace mailjuke::api
