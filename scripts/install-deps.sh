#!/usr/bin/env bash
# Installs the Debian packages MailJuke needs. Usage: install-deps.sh [build|test|bench]...
# Idempotent: packages already present are skipped, so a warm machine pays nothing.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

build_pkgs=(
  build-essential cmake ninja-build ccache pkg-config clang-format
  libboost1.74-dev libssl-dev libsodium-dev libsqlite3-dev libpq-dev
  nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev
  libidn2-dev libpsl-dev libqrencode-dev libgmime-3.0-dev libgtest-dev libgmock-dev libcairo2-dev
)
test_pkgs=(
  postgresql python3 python3-dnspython python3-dkim python3-aiosmtpd
  dnsutils knot-dnsutils swaks libnet-ssleay-perl libio-socket-ssl-perl curl nsd knot poppler-utils
)
bench_pkgs=(wrk nginx-light dnsperf nsd knot postfix)  # postfix: smtp-source too

want=()
for group in "${@:-build}"; do
  case "$group" in
    build) want+=("${build_pkgs[@]}") ;;
    test) want+=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
    bench) want+=("${bench_pkgs[@]}") ;;
    *) echo "install-deps: unknown group '$group' (build, test, bench)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
echo "install-deps: installing ${missing[*]}"
if [[ " ${missing[*]} " == *" postfix "* ]]; then
  # The benchmark runs its own private Postfix; never configure (or start) a system instance.
  echo "postfix postfix/main_mailer_type select No configuration" | "${sudo_cmd[@]}" debconf-set-selections
fi
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
