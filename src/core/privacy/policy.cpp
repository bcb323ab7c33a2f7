#include "core/privacy/policy.h"

#include <cctype>
#include <fstream>
#include <sstream>

#include "base/clock.h"
#include "base/ids.h"
#include "core/notify/outbox.h"

namespace mailjuke::core::privacy {
namespace {

Json versionJson(const store::Row& r, bool with_text) {
  Json j = {{"version", r.text(0)},
            {"effective_date", formatDate(r.integer(2))},
            {"effective_at", formatRfc3339(r.integer(2))},
            {"last_updated", formatDate(r.integer(2))},
            {"material", r.boolean(3)},
            {"url", "/api/v1/legal/privacy-policy/versions/" + r.text(0)}};
  if (with_text) j["text"] = r.text(1);
  return j;
}

constexpr const char* kColumns = "version, body, effective_at, material";

}  // namespace

Status seedPolicy(CoreContext& ctx, const std::string& policy_file) {
  std::string text = kSeedPolicyText;
  const auto& file = policy_file;
  if (!file.empty()) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return Error::invalid("privacy.policy_file", "cannot read " + file);
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  int64_t now = ctx.clock.nowSeconds();
  return ctx.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT COUNT(*) FROM policy_versions"));
    if (row && row->integer(0) > 0) return {};
    MJ_TRY(tx.exec(
        "INSERT INTO policy_versions (id, version, body, effective_at, material, created_at) "
        "VALUES (?,?,?,?,0,?)",
        {newId("pol"), std::string(kSeedPolicyVersion), text, parseRfc3339(kSeedPolicyEffective),
         now}));
    return {};
  });
}

Result<Json> currentPolicy(store::Tx& tx, int64_t now) {
  MJ_TRY_ASSIGN(auto rows, tx.query(std::string("SELECT ") + kColumns +
                                    " FROM policy_versions ORDER BY effective_at DESC, id DESC"));
  Json history = Json::array();
  Json current;
  for (const auto& r : rows) {
    history.push_back(versionJson(r, false));
    if (current.is_null() && r.integer(2) <= now) current = versionJson(r, true);
  }
  if (current.is_null()) return Error::notFound("privacy policy");
  current["history"] = history;
  return current;
}

Result<Json> policyVersion(store::Tx& tx, const std::string& version) {
  MJ_TRY_ASSIGN(auto row, tx.queryOne(std::string("SELECT ") + kColumns +
                                          " FROM policy_versions WHERE version = ?",
                                      {version}));
  if (!row) return Error::notFound("policy version");
  return versionJson(*row, true);
}

Result<std::optional<std::string>> currentPolicyVersion(store::Tx& tx, int64_t now) {
  MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT version FROM policy_versions WHERE effective_at <= ? "
                                      "ORDER BY effective_at DESC, id DESC LIMIT 1",
                                      {now}));
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(row->text(0));
}

Result<Json> publishPolicy(CoreContext& ctx, const PolicyInput& in,
                           const std::string& operator_id) {
  if (in.version.empty() || in.version.size() > 64)
    return Error::invalid("version", "must be 1-64 characters");
  for (char c : in.version)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_')
      return Error::invalid("version", "may contain letters, digits, '-', '.', '_' only");
  if (in.text.empty()) return Error::invalid("text", "must not be empty");
  int64_t now = ctx.clock.nowSeconds();
  int64_t effective = in.effective_at ? in.effective_at : now;
  return ctx.db.write<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY_ASSIGN(auto dup,
                  tx.queryOne("SELECT 1 FROM policy_versions WHERE version = ?", {in.version}));
    if (dup) return Error::make(ErrorCode::kConflict, "this version is already published");
    MJ_TRY(
        tx.exec("INSERT INTO policy_versions (id, version, body, effective_at, material, "
                "published_by, created_at) VALUES (?,?,?,?,?,?,?)",
                {newId("pol"), in.version, in.text, effective, int64_t(in.material ? 1 : 0),
                 operator_id, now}));
    if (in.material) {
      // Policy §12: material changes get additional notice — an e-mail to every active user.
      MJ_TRY_ASSIGN(auto users,
                    tx.query("SELECT id, email, name FROM users WHERE status = 'active'"));
      for (const auto& u : users)
        MJ_TRY(enqueueEmail(
            tx,
            {"policy_update", u.text(1), u.text(0), "We are updating our privacy policy",
             "Hello " + u.text(2) + ",\n\nOur privacy policy changes on " + formatDate(effective) +
                 " (version " + in.version + "). Read it at " + ctx.settings.public_url +
                 "/privacy\n\nYou will see a notice in the dashboard "
                 "until you acknowledge it."},
            now));
    }
    return policyVersion(tx, in.version);
  });
}

}  // namespace mailjuke::core::privacy
