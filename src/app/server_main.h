#pragma once

#include <string>

#include "app/config.h"

namespace mailjuke::app {

// `mailjuke serve`: runs until SIGTERM/SIGINT, then shuts down gracefully. Returns the exit code.
int serve(const Config& config, const std::string& only);
// `mailjuke migrate`.
int migrateOnly(const Config& config);
// `mailjuke admin create-operator` / `reset-password`.
int createOperator(const Config& config, const std::string& email, const std::string& password);
int resetPassword(const Config& config, const std::string& email, const std::string& password);
// `mailjuke zone export <domain>`: the zone as an RFC 1035 master file on stdout.
int zoneExport(const Config& config, const std::string& domain);

}  // namespace mailjuke::app
