#include "core/privacy/flags.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

#include "base/crypto.h"
#include "base/ids.h"

namespace mailjuke::core::privacy {
namespace {

std::string hex(const std::string& raw) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += d[c >> 4];
    out += d[c & 15];
  }
  return out;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

Result<ProcessingFlags> processingFlags(store::Tx& tx, const std::string& user_id) {
  ProcessingFlags f;
  MJ_TRY_ASSIGN(auto rows, tx.query("SELECT kind, purpose FROM processing_flags WHERE user_id = ? "
                                    "AND lifted_at IS NULL",
                                    {user_id}));
  for (const auto& r : rows) {
    if (r.text(0) == "restriction") f.restricted = true;
    if (r.text(0) == "objection" && r.text(1) == "product_analytics") f.objects_analytics = true;
    if (r.text(0) == "objection" && r.text(1) == "marketing") f.objects_marketing = true;
  }
  for (const char* purpose : {"analytics", "marketing_email"}) {
    MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT granted FROM consent_events WHERE user_id = ? AND "
                                        "purpose = ? ORDER BY created_at DESC, id DESC LIMIT 1",
                                        {user_id, std::string(purpose)}));
    bool granted = row && row->boolean(0);
    (std::string(purpose) == "analytics" ? f.analytics_consent : f.marketing_consent) = granted;
  }
  return f;
}

Result<bool> mayProcess(store::Tx& tx, const std::string& user_id, Purpose purpose) {
  MJ_TRY_ASSIGN(auto f, processingFlags(tx, user_id));
  if (f.restricted) return false;  // Art. 18(2): storage only
  switch (purpose) {
    case Purpose::kProductAnalytics:
      return f.analytics_consent && !f.objects_analytics;
    case Purpose::kMarketing:
      return f.marketing_consent && !f.objects_marketing;
    case Purpose::kConnectedTools:
      return true;
  }
  return false;
}

Status setFlag(store::Tx& tx, const std::string& user_id, const std::string& kind,
               const std::string& purpose, int64_t now) {
  MJ_TRY_ASSIGN(auto row,
                tx.queryOne("SELECT id FROM processing_flags WHERE user_id = ? AND kind = "
                            "? AND purpose = ? AND lifted_at IS NULL",
                            {user_id, kind, purpose}));
  if (row) return {};
  MJ_TRY(tx.exec(
      "INSERT INTO processing_flags (id, user_id, kind, purpose, created_at) VALUES (?,?,?,?,?)",
      {newId("pfl"), user_id, kind, purpose, now}));
  return {};
}

Status liftFlag(store::Tx& tx, const std::string& user_id, const std::string& kind,
                const std::string& purpose, int64_t now) {
  MJ_TRY(
      tx.exec("UPDATE processing_flags SET lifted_at = ? WHERE user_id = ? AND kind = ? AND "
              "purpose = ? AND lifted_at IS NULL",
              {now, user_id, kind, purpose}));
  return {};
}

std::string addressHmac(const std::string& secret_key, const std::string& email) {
  return hex(crypto::hmacSha256(crypto::hmacSha256(secret_key, "suppression"), lower(email)));
}

Status suppress(store::Tx& tx, const std::string& secret_key, const std::string& email,
                const std::string& reason, int64_t now) {
  std::string h = addressHmac(secret_key, email);
  MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT 1 FROM suppression_list WHERE email_hmac = ?", {h}));
  if (row) return {};
  MJ_TRY(tx.exec("INSERT INTO suppression_list (email_hmac, reason, created_at) VALUES (?,?,?)",
                 {h, reason, now}));
  return {};
}

Result<bool> isSuppressed(store::Tx& tx, const std::string& secret_key, const std::string& email) {
  MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT 1 FROM suppression_list WHERE email_hmac = ?",
                                      {addressHmac(secret_key, email)}));
  return row.has_value();
}

std::string pseudonym(const std::string& secret_key, const std::string& value) {
  return "psn_" +
         hex(crypto::hmacSha256(crypto::hmacSha256(secret_key, "pseudonym"), value)).substr(0, 32);
}

std::string truncateIp(const std::string& ip) {
  if (ip.find('/') != std::string::npos) return ip;
  unsigned char buf[16];
  char out[INET6_ADDRSTRLEN];
  if (inet_pton(AF_INET, ip.c_str(), buf) == 1) {
    buf[3] = 0;
    inet_ntop(AF_INET, buf, out, sizeof out);
    return std::string(out) + "/24";
  }
  if (inet_pton(AF_INET6, ip.c_str(), buf) == 1) {
    std::fill(buf + 6, buf + 16, 0);
    inet_ntop(AF_INET6, buf, out, sizeof out);
    return std::string(out) + "/48";
  }
  return ip;
}

}  // namespace mailjuke::core::privacy
