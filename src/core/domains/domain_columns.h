// The domains columns DomainService::domainJson() reads, in its order.
#pragma once

namespace mailjuke::core {

inline constexpr const char* kDomainColumns =
    "id, name, unicode_name, source, status, verification_token, forward_url, dmarc_policy, "
    "autorenew, "
    "expires_at, price_amount, price_currency, zone_serial, created_at, updated_at, verify_report";

}  // namespace mailjuke::core
