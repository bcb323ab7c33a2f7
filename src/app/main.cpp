// mailjuke: serve | migrate | admin | config check | zone export | version.
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <iostream>

#include "app/config.h"
#include "app/server_main.h"
#include "base/crypto.h"

using namespace mailjuke;

int main(int argc, char** argv) {
  crypto::init();
  CLI::App cli{"MailJuke: domains, DNS, mailboxes and billing for cold e-mail, in one binary"};
  cli.require_subcommand(1);
  std::string config_path;
  cli.add_option("-c,--config", config_path, "TOML configuration file")->check(CLI::ExistingFile);

  auto* serve = cli.add_subcommand("serve", "Run all enabled listeners and background jobs");
  std::string only;
  serve->add_option("--only", only, "Comma-separated roles to run: http,dns,smtp,imap");
  auto* migrate = cli.add_subcommand("migrate", "Apply database migrations and exit");
  auto* admin = cli.add_subcommand("admin", "Operator administration");
  admin->require_subcommand(1);
  auto* create_op = admin->add_subcommand("create-operator", "Create an operator account");
  std::string email, password;
  create_op->add_option("--email", email, "E-mail address")->required();
  create_op->add_option("--password", password, "Password (12-128 characters)")->required();
  auto* reset = admin->add_subcommand("reset-password", "Set a new password for an account");
  reset->add_option("--email", email, "E-mail address")->required();
  reset->add_option("--password", password, "New password (12-128 characters)")->required();
  auto* config_cmd = cli.add_subcommand("config", "Configuration tools");
  config_cmd->require_subcommand(1);
  auto* check = config_cmd->add_subcommand("check", "Validate the configuration and exit");
  auto* zone_cmd = cli.add_subcommand("zone", "DNS zone tools");
  zone_cmd->require_subcommand(1);
  auto* zone_export = zone_cmd->add_subcommand("export", "Print a domain's zone (RFC 1035)");
  std::string zone_domain;
  zone_export->add_option("domain", zone_domain, "Domain name")->required();
  auto* version = cli.add_subcommand("version", "Print the version");

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e);
  }
  if (version->parsed()) {
    std::cout << "mailjuke " << MAILJUKE_VERSION << "\n";
    return 0;
  }
  auto config = app::loadConfig(config_path, app::environmentMap());
  if (!config.ok()) {
    const auto& e = config.error();
    std::cerr << "mailjuke: configuration error: "
              << (e.fields.empty() ? "" : e.fields.front().field + ": ") << e.message << "\n";
    return 2;
  }
  spdlog::set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","msg":%v})",
                      spdlog::pattern_time_type::utc);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
  if (check->parsed()) {
    std::cout << "configuration is valid\n";
    return 0;
  }
  if (migrate->parsed()) return app::migrateOnly(*config);
  if (create_op->parsed()) return app::createOperator(*config, email, password);
  if (reset->parsed()) return app::resetPassword(*config, email, password);
  if (zone_export->parsed()) return app::zoneExport(*config, zone_domain);
  if (serve->parsed()) return app::serve(*config, only);
  return 0;
}
