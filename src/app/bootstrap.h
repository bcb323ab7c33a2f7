// Start-up steps shared by the commands: data directory, secret key, database and migrations.
#pragma once

#include <memory>
#include <string>

#include "app/config.h"
#include "base/clock.h"
#include "core/context.h"
#include "store/sql/database.h"

namespace mailjuke::app {

struct Bootstrapped {
  std::unique_ptr<store::Database> db;
  std::string secret_key;
  SystemClock clock;
  std::unique_ptr<core::CoreContext> ctx;
};

// Creates data_dir, loads or creates the secret key (0600), opens the database and migrates.
Result<std::unique_ptr<Bootstrapped>> bootstrap(const Config& config);
core::Settings settingsFrom(const Config& config);

}  // namespace mailjuke::app
