// Exports for people who asked without a login (policy §12): once the e-mailed code is verified,
// an access or portability request for an address that has an account is exported at once and
// the link is e-mailed to that address. The link carries a token signed for the request, so it
// works without signing in, for the export's 5 days only.
#pragma once

#include <string>

#include "core/context.h"

namespace mailjuke::core::privacy {

std::string exportDownloadToken(const std::string& secret_key, const std::string& request_id);

// The export file of a verified no-login request, given its token; 404 for a wrong token or a
// signed-in request, 410 once expired.
Result<std::string> exportPathByToken(CoreContext& ctx, const std::string& request_id,
                                      const std::string& token);

}  // namespace mailjuke::core::privacy
