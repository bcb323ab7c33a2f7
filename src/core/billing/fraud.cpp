#include "core/billing/fraud.h"

namespace mailjuke::core::billing {

Result<std::vector<std::string>> fraudRules(store::Tx& tx, const BillingSettings& s,
                                            const std::string& ws, int64_t amount,
                                            const std::string& payment_method, int64_t now) {
  std::vector<std::string> hits;
  if (payment_method == "tok_fraud") hits.push_back("test_card_fraud");
  MJ_TRY_ASSIGN(auto recent, tx.queryOne("SELECT COUNT(*) FROM payments WHERE workspace_id = ? "
                                         "AND purpose = 'top_up' AND created_at > ?",
                                         {ws, now - 3600}));
  if (recent->integer(0) >= s.fraud_topups_per_hour) hits.push_back("velocity");
  MJ_TRY_ASSIGN(auto paid, tx.queryOne("SELECT COUNT(*) FROM payments WHERE workspace_id = ? AND "
                                       "status = 'succeeded'",
                                       {ws}));
  if (paid->integer(0) == 0 && amount > s.fraud_first_topup_limit)
    hits.push_back("large_first_top_up");
  MJ_TRY_ASSIGN(auto declined, tx.queryOne("SELECT COUNT(*) FROM payments WHERE workspace_id = ? "
                                           "AND status = 'failed' AND created_at > ?",
                                           {ws, now - 86400}));
  if (declined->integer(0) >= s.fraud_declines_per_day) hits.push_back("many_declines");
  return hits;
}

}  // namespace mailjuke::core::billing
