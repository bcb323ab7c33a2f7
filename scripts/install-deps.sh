#!/usr/bin/env bash
# Installs the Debian packages MailJuke needs. Usage: install-deps.sh [build|test|bench]...
# Idempotent: packages already present are skipped, so a warm machine pays nothing.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

build_pkgs=(
  build-essential cmake ninja-build ccache pkg-config clang-format
  libboost1.74-dev libssl-dev libsodium-dev libsqlite3-dev libpq-dev
  nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev
  libidn2-dev libpsl-dev libqrencode-dev libzip-dev libgmime-3.0-dev libgtest-dev libgmock-dev libcairo2-dev
)
test_pkgs=(
  postgresql python3 python3-dnspython python3-dkim python3-aiosmtpd
  dnsutils knot-dnsutils swaks libnet-ssleay-perl libio-socket-ssl-perl curl nsd knot poppler-utils
  chromium
  isync  # mbsync: tests/e2e/test_imap_clients.py
)
bench_pkgs=(wrk nginx-light dnsperf nsd knot postfix dovecot-imapd)  # postfix: smtp-source too

# npm packages: the site's libraries (web/, served under /vendor/) for every group that builds,
# playwright-core and axe-core (tests/browser/, driving /usr/bin/chromium) for the test group.
# Installed from the lock files when node_modules is missing or came from another lock file.
# Node itself comes from Debian unless present.
npm_dirs=()
want=()
for group in "${@:-build}"; do
  case "$group" in
    build) want+=("${build_pkgs[@]}"); npm_dirs+=(web) ;;
    test) want+=("${build_pkgs[@]}" "${test_pkgs[@]}"); npm_dirs+=(web tests/browser) ;;
    bench) want+=("${bench_pkgs[@]}") ;;
    *) echo "install-deps: unknown group '$group' (build, test, bench)" >&2; exit 2 ;;
  esac
done

root=$(cd "$(dirname "$0")/.." && pwd)
install_npm() {
  for d in "${npm_dirs[@]}"; do
    # A copy of the lock file marks what node_modules was installed from: reinstall on change.
    cmp -s "$root/$d/package-lock.json" "$root/$d/node_modules/.mailjuke-lock" && continue
    echo "install-deps: npm ci in $d"
    (cd "$root/$d" && npm ci --no-audit --no-fund --loglevel=error &&
      cp package-lock.json node_modules/.mailjuke-lock)
  done
}

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v npm >/dev/null || missing+=(nodejs npm)
if [ ${#missing[@]} -eq 0 ]; then
  install_npm
  exit 0
fi

sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
echo "install-deps: installing ${missing[*]}"
if [[ " ${missing[*]} " == *" postfix "* ]]; then
  # The benchmark runs its own private Postfix; never configure (or start) a system instance.
  echo "postfix postfix/main_mailer_type select No configuration" | "${sudo_cmd[@]}" debconf-set-selections
fi
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
install_npm
