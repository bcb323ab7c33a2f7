// Builds the configured payment provider: sandbox, or stripe over net::httpsRequest.
#pragma once

#include <memory>

#include "app/config.h"
#include "core/billing/payment_provider.h"

namespace mailjuke::app {

std::unique_ptr<core::billing::PaymentProvider> makePaymentProvider(const Config& config);

}  // namespace mailjuke::app
