#!/usr/bin/env bash
# IMAP benchmark: MailJuke beside Dovecot on loopback, in one run.
# Both servers get the same MESSAGES-message INBOX (default 1,000, ~3.5 KB each; the issue
# asks for 10,000: MESSAGES=10000) through
# pipelined APPEND; then bench/imap/load.py drives both with the same client and SESSIONS
# (default 4) concurrent implicit-TLS sessions per phase: login + SELECT, FETCH 1:* (FLAGS
# ENVELOPE BODYSTRUCTURE), header SEARCH, UID FETCH 1:* BODY.PEEK[], APPEND, and an mbsync full
# download. RUNS (default 3) interleaved runs; medians, server CPU and peak RSS/PSS go to the
# "## IMAP" section of docs/benchmarks.md (OUT=- prints it only). KEEP=1 keeps the work dir.
# Dovecot: Debian's dovecot-imapd as a private instance (own base_dir, config, passwd-file user
# and Maildir in the work dir, 127.0.0.1 only), stopped by pid; no system instance is touched.
# Needs root (Dovecot's master drops privileges itself); build first: make build.
# Usage: [RUNS=3 SESSIONS=4 MESSAGES=1000] bench/imap.sh
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3} sessions=${SESSIONS:-4} messages=${MESSAGES:-1000} out=${OUT:-docs/benchmarks.md}
domain=bench-imap.com local=reader
py=/usr/bin/python3 driver=$PWD/bench/imap/load.py
[ "$(id -u)" -eq 0 ] || { echo "bench/imap: run as root (Dovecot's master needs it)" >&2; exit 1; }
bash scripts/install-deps.sh bench >/dev/null
command -v mbsync >/dev/null || bash scripts/install-deps.sh test >/dev/null
bin=${MAILJUKE_BIN:-$PWD/build/mailjuke}
[ -x "$bin" ] || { echo "bench/imap: build first (make build)" >&2; exit 1; }

work=$(mktemp -d /tmp/mailjuke-bench-imap.XXXXXX)
chmod 755 "$work"
dv=$work/dovecot
cleanup() {
  for pidfile in "$dv/run/master.pid" "$work/mailjuke.pid"; do
    [ -s "$pidfile" ] || continue
    pid=$(tr -d ' ' < "$pidfile")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  done
  [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
bench_name=bench/imap
source bench/lib.sh  # the scripts run from the repository root (cd above)

# ---- Dovecot: a private instance --------------------------------------------------------------
start_dovecot() {
  local port; port=$(free_port)
  mkdir -p "$dv/run" "$dv/state" "$dv/home"
  dv_user="$local@$domain" dv_pass=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
    -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1,DNS:127.0.0.1" -keyout "$dv/key.pem" -out "$dv/cert.pem" 2>/dev/null
  echo "$dv_user:{PLAIN}$dv_pass:$(id -u nobody):$(getent group nogroup | cut -d: -f3)::$dv/home/$local" > "$dv/passwd"
  mkdir -p "$dv/home/$local"
  chown -R nobody:nogroup "$dv/home"
  cat > "$dv/dovecot.conf" <<CONF
base_dir = $dv/run
state_dir = $dv/state
log_path = $dv/dovecot.log
info_log_path = $dv/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <$dv/cert.pem
ssl_key = <$dv/key.pem
auth_mechanisms = plain
disable_plaintext_auth = yes
mail_location = maildir:~/Maildir
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dv/passwd
}
userdb {
  driver = passwd-file
  args = username_format=%u $dv/passwd
}
service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $port
    ssl = yes
  }
}
service stats {
  unix_listener stats-writer {
    mode = 0666
  }
}
CONF
  dovecot -c "$dv/dovecot.conf"
  for _ in $(seq 1 100); do [ -s "$dv/run/master.pid" ] && break; sleep 0.1; done
  dv_pid=$(tr -d ' ' < "$dv/run/master.pid")
  dv_addr=127.0.0.1:$port
  wait_port "$port" && return
  echo "bench/imap: dovecot is not listening on $port (see $dv/dovecot.log, KEEP=1)" >&2; exit 1
}

# ---- MailJuke: `mailjuke serve` --------------------------------------------------------------
start_mailjuke() {
  start_mailjuke_serve
  mj_addr=$(listener imaps)
  [ -n "$mj_addr" ] || { echo "bench/imap: this mailjuke build has no imaps listener" >&2; exit 1; }
  $py "$driver" setup "$(listener http)" "$domain" "$local" > "$work/setup.json"
  mj_user=$($py -c 'import json,sys; print(json.load(open(sys.argv[1]))["user"])' "$work/setup.json")
  mj_pass=$($py -c 'import json,sys; print(json.load(open(sys.argv[1]))["password"])' "$work/setup.json")
}

start_dovecot
start_mailjuke
echo "bench/imap: loading $messages messages into each server" >&2
$py "$driver" fill "$dv_addr" "$dv_user" "$dv_pass" "$messages"
$py "$driver" fill "$mj_addr" "$mj_user" "$mj_pass" "$messages"
mkdir -p "$work/results"
for run in $(seq 1 "$runs"); do
  echo -n "run $run dovecot:  "
  $py "$driver" run dovecot "$dv_addr" "$dv_user" "$dv_pass" "$dv_pid" "$sessions" \
    "$work/results/dovecot.jsonl" "$dv/cert.pem"
  echo -n "run $run mailjuke: "
  $py "$driver" run mailjuke "$mj_addr" "$mj_user" "$mj_pass" "$mj_pid" "$sessions" \
    "$work/results/mailjuke.jsonl" "$work/var/tls/cert.pem"
done

params=$($py -c 'import json,sys; a=sys.argv[1:]; print(json.dumps(dict(date=a[0], cores=int(a[1]),
  runs=int(a[2]), messages=int(a[3]), sessions=int(a[4]), dovecot_version=a[5], mbsync_version=a[6])))' \
  "$(date -u +%Y-%m-%d)" "$(nproc)" "$runs" "$messages" "$sessions" \
  "Dovecot $(dovecot --version | cut -d' ' -f1)" "$(mbsync --version | cut -d' ' -f2)")
$py "$driver" report "$out" "$params" "$work/results"
