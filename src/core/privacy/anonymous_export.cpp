#include "core/privacy/anonymous_export.h"

#include <filesystem>

#include "base/crypto.h"
#include "base/encoding.h"

namespace mailjuke::core::privacy {

std::string exportDownloadToken(const std::string& secret_key, const std::string& request_id) {
  return hexEncode(
             crypto::hmacSha256(crypto::hmacSha256(secret_key, "export-download"), request_id))
      .substr(0, 40);
}

Result<std::string> exportPathByToken(CoreContext& ctx, const std::string& request_id,
                                      const std::string& token) {
  if (!crypto::constantTimeEqual(token, exportDownloadToken(ctx.secret_key, request_id)))
    return Error::notFound("export");
  int64_t now = ctx.clock.nowSeconds();
  MJ_TRY_ASSIGN(auto row, ctx.db.read<std::optional<store::Row>>([&](store::Tx& tx) {
    return tx.queryOne(
        "SELECT email, export_path, export_expires_at FROM privacy_requests WHERE id = ?",
        {request_id});
  }));
  if (!row || row->isNull(0) || row->isNull(1)) {
    if (row && !row->isNull(0) && !row->isNull(2))
      return Error::make(ErrorCode::kGone, "the download link has expired (5 days)");
    return Error::notFound("export");
  }
  if (row->integer(2) <= now || !std::filesystem::exists(row->text(1)))
    return Error::make(ErrorCode::kGone, "the download link has expired (5 days)");
  return row->text(1);
}

}  // namespace mailjuke::core::privacy
