// mailjuke_dns_serve: loads zone files and serves them on UDP+TCP until SIGINT/SIGTERM.
//
//   mailjuke_dns_serve [options] ZONE...
//     ZONE                  a zone file, ORIGIN=FILE, or a directory of zone files
//     --listen IP:PORT      default 127.0.0.1:0 (a free port)
//     --axfr-allow IP       may transfer zones over TCP (repeatable)
//     --notify IP:PORT      secondary to NOTIFY on serial changes (repeatable)
//     --udp-threads N       UDP answering threads (default: one per CPU)
//     --tcp-idle-ms N, --max-tcp N, --max-udp-payload N, --udp-busy-poll-us N
//     --export-dir DIR      write each loaded zone as master-file text to DIR/<origin>zone
//     --export-only         export and exit without serving
//
// Prints "listening IP:PORT" once serving; SIGHUP reloads the files and prints "reloaded N
// zones" (or "reload failed: ..." and keeps the old zones).
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "proto/dns/zone_set.h"
#include "proto/dns/zone_text.h"
#include "server/dns/dns_server.h"

namespace fs = std::filesystem;
using namespace mailjuke;
using namespace mailjuke::dns;

namespace {

struct Source {
  std::optional<Name> origin;
  fs::path path;
};

Result<std::vector<Zone>> loadZones(const std::vector<std::string>& args) {
  std::vector<Source> sources;
  for (const auto& arg : args) {
    Source s;
    std::string path = arg;
    if (auto eq = arg.find('='); eq != std::string::npos && !fs::exists(arg)) {
      auto origin = Name::parse(arg.substr(0, eq));
      if (!origin) return origin.error();
      s.origin = *origin;
      path = arg.substr(eq + 1);
    }
    if (fs::is_directory(path)) {
      std::vector<fs::path> files;
      for (const auto& e : fs::directory_iterator(path))
        if (e.is_regular_file()) files.push_back(e.path());
      std::sort(files.begin(), files.end());
      for (auto& f : files) sources.push_back(Source{std::nullopt, f});
    } else {
      s.path = path;
      sources.push_back(s);
    }
  }
  std::vector<Zone> zones;
  for (const auto& s : sources) {
    std::ifstream in(s.path, std::ios::binary);
    if (!in) return Error::make(ErrorCode::kNotFound, "cannot read " + s.path.string());
    std::stringstream text;
    text << in.rdbuf();
    auto zone = parseZoneText(text.str(), s.origin);
    if (!zone)
      return Error::make(ErrorCode::kInvalid, s.path.string() + ": " + zone.error().message);
    zones.push_back(std::move(*zone));
  }
  return zones;
}

Result<std::shared_ptr<const ZoneSet>> load(const std::vector<std::string>& args,
                                            const std::string& export_dir) {
  MJ_TRY_ASSIGN(auto zones, loadZones(args));
  MJ_TRY_ASSIGN(auto set, ZoneSet::build(std::move(zones)));
  if (!export_dir.empty()) {
    for (const auto& z : set->zones()) {
      std::ofstream out(fs::path(export_dir) / (z.origin.toString() + "zone"));
      out << zoneToText(z);
    }
  }
  return set;
}

int usage() {
  std::cerr << "usage: mailjuke_dns_serve [--listen IP:PORT] [--axfr-allow IP]... "
               "[--notify IP:PORT]... [--udp-threads N] [--tcp-idle-ms N] [--max-tcp N] "
               "[--max-udp-payload N] [--export-dir DIR] [--export-only] ZONE...\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  DnsServerOptions options;
  options.listen = "127.0.0.1:0";
  std::vector<std::string> zone_args;
  std::string export_dir;
  bool export_only = false;
  try {
    for (int i = 1; i < argc; ++i) {
      std::string a = argv[i];
      auto value = [&]() -> std::string {
        if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
        return argv[++i];
      };
      if (a == "--listen")
        options.listen = value();
      else if (a == "--axfr-allow")
        options.transfer_allow.push_back(value());
      else if (a == "--notify")
        options.notify.push_back(value());
      else if (a == "--udp-threads")
        options.udp_threads = std::stoi(value());
      else if (a == "--tcp-idle-ms")
        options.tcp_idle_timeout = std::chrono::milliseconds(std::stoi(value()));
      else if (a == "--max-tcp")
        options.max_tcp_connections = std::stoul(value());
      else if (a == "--max-udp-payload")
        options.max_udp_payload = static_cast<uint16_t>(std::stoi(value()));
      else if (a == "--udp-busy-poll-us")
        options.udp_busy_poll = std::chrono::microseconds(std::stoi(value()));
      else if (a == "--export-dir")
        export_dir = value();
      else if (a == "--export-only")
        export_only = true;
      else if (a.starts_with("--"))
        return usage();
      else
        zone_args.push_back(a);
    }
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return usage();
  }
  if (zone_args.empty()) return usage();

  auto initial = load(zone_args, export_dir);
  if (!initial) {
    std::cerr << "error: " << initial.error().message << "\n";
    return 1;
  }
  if (export_only) return 0;

  // Block the signals before any thread starts, so only sigwait() below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGHUP);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto holder = std::make_shared<SnapshotHolder>(*initial);
  DnsServer server(options, holder);
  auto bound = server.start();
  if (!bound) {
    std::cerr << "error: " << bound.error().message << "\n";
    return 1;
  }
  std::cout << "listening " << *bound << std::endl;
  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig != SIGHUP) break;
    auto next = load(zone_args, export_dir);
    if (next) {
      server.installSnapshot(*next);
      std::cout << "reloaded " << (*next)->zones().size() << " zones" << std::endl;
    } else {
      std::cout << "reload failed: " << next.error().message << std::endl;
    }
  }
  server.stop();
  auto st = server.stats();
  std::cerr << "stopped: udp " << st.udp_queries << " in " << st.udp_batches << " batches, tcp "
            << st.tcp_queries << " transfers " << st.transfers << " notifies " << st.notifies_sent
            << "/" << st.notifies_acked << "\n";
  return 0;
}
