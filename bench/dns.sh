#!/usr/bin/env bash
# Authoritative DNS benchmark: MailJuke beside Knot and NSD on loopback, one run, same zones.
#
#   bench/dns.sh [BUILD_DIR]        (default build dir: ./build; needs root for nsd/knotd)
#
# Two modes (MODE=server|tool; default server when BUILD_DIR/mailjuke exists):
#  - server: benchmarks the real `mailjuke serve` (HTTP API + DNS in one process). Starts it
#    with its data in the work dir, signs up, creates 1,000 purchased domains through the bulk
#    API (jobs of 500; DKIM key generation makes this take a minute or two), exports every zone
#    with GET .../domains/{id}/zone and gives those exact files to NSD and Knot. Records per
#    zone: SOA, 2 NS (out of zone), MX, SPF TXT, DKIM TXT (mj1, RSA-2048), DMARC TXT, tracking
#    CNAME. Queries: track CNAME (asked as A), MX, DKIM TXT, DMARC TXT, NXDOMAIN, 20 % each.
#    MJ_SERVER=<binary> (default BUILD_DIR/mailjuke). Reusing WORK=<dir> of an earlier server
#    run skips the provisioning.
#  - tool: the standalone tool tests/tools/dns_serve (MJ_BIN=<server command> to benchmark
#    another binary that takes the same arguments as mailjuke_dns_serve). Generates 1,000 zones
#    (SOA, 2 NS + glue, apex A, www A, MX, SPF TXT, DKIM TXT with an RSA-2048 key, DMARC TXT,
#    tracking CNAME); queries mix A, MX, DKIM TXT, DMARC TXT and NXDOMAIN (20 % each).
#
# For each server runs `dnsperf -l 15 -c 8 -T 1 -q 100` (RUNS times, servers interleaved,
# medians reported), a latency run `dnsperf -Q 10000 -l 10 -v` (p50/p99 from per-query times),
# and reads the server's peak RSS and PSS. Writes OUT (default docs/benchmarks-dns.md).
# Environment: RUNS=3, DURATION=15, PIN=1 also measures the server pinned to core 0 with
# dnsperf on core 1. Peers missing are skipped.
# Install peers with: scripts/install-deps.sh bench
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
MJ_BIN=${MJ_BIN:-$BUILD/tests/tools/dns_serve/mailjuke_dns_serve}
MJ_SERVER=${MJ_SERVER:-$BUILD/mailjuke}
if [ -z "${MODE:-}" ]; then
  if [ -x "$MJ_SERVER" ]; then MODE=server; else MODE=tool; fi
fi
case $MODE in server|tool) ;; *) echo "bench/dns: MODE must be server or tool" >&2; exit 2 ;; esac
RUNS=${RUNS:-3}
DURATION=${DURATION:-15}
PIN=${PIN:-0}
OUT=${OUT:-$ROOT/docs/benchmarks-dns.md}
WORK=${WORK:-$(mktemp -d /tmp/mailjuke-bench-dns.XXXXXX)}
ZONES=${ZONES:-1000}
PY=/usr/bin/python3
mkdir -p "$WORK"
echo "bench/dns: mode $MODE, work dir $WORK" >&2

PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# ---- zones and queries -------------------------------------------------------------------
mkdir -p "$WORK/zones"
if [ "$MODE" = tool ]; then
if [ ! -f "$WORK/dkim.pem" ]; then
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/dkim.pem" 2>/dev/null
fi
DKIM_P=$(openssl pkey -in "$WORK/dkim.pem" -pubout -outform DER 2>/dev/null | base64 -w0)
$PY - "$WORK" "$ZONES" "$DKIM_P" <<'PYEOF'
import sys
work, count, key = sys.argv[1], int(sys.argv[2]), sys.argv[3]
dkim = "v=DKIM1; k=rsa; p=" + key
chunks = " ".join('"%s"' % dkim[i:i + 255] for i in range(0, len(dkim), 255))
names = []
for i in range(count):
    d = "d%04d.example" % i
    names.append(d)
    a, b = i // 250, i % 250 + 1
    with open("%s/zones/%s.zone" % (work, d), "w") as f:
        f.write(f"""$ORIGIN {d}.
$TTL 3600
@ IN SOA ns1.{d}. hostmaster.{d}. 2026120101 7200 3600 1209600 300
@ IN NS ns1.{d}.
@ IN NS ns2.{d}.
ns1 IN A 198.51.{a}.{b}
ns2 IN A 203.0.{a}.{b}
@ IN A 192.0.{a}.{b}
www IN A 192.0.{a}.{b}
@ IN MX 10 mx.mailjuke.example.
@ IN TXT "v=spf1 include:_spf.mailjuke.example ~all"
mj1._domainkey IN TXT {chunks}
_dmarc IN TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc@{d}"
track IN CNAME track.mailjuke.example.
""")
with open(work + "/names.txt", "w") as f:
    f.write("".join(n + "\n" for n in names))
PYEOF
READY_NAME=$(tail -1 "$WORK/names.txt")
READY_SERIAL=2026120101
fi

# Server mode: the real server, with its data (SQLite unless MAILJUKE_STORAGE_URL is set) kept
# in the work dir so that every restart serves the same 1,000 zones.
start_mailjuke_server_process() {  # prefix -> sets PID[mailjuke]; waits for listeners.json
  local prefix=$1
  mkdir -p "$WORK/mj-data"
  rm -f "$WORK/mj-data/listeners.json"
  # shellcheck disable=SC2086
  (cd "$WORK" && exec env MAILJUKE_PLATFORM_DATA_DIR="$WORK/mj-data" MAILJUKE_HTTP_LISTEN=127.0.0.1:0 \
     MAILJUKE_DNS_LISTEN=127.0.0.1:0 MAILJUKE_PLATFORM_PUBLIC_URL=http://127.0.0.1 \
     MAILJUKE_BILLING_TRIAL_CREDIT=100000000 \
     MAILJUKE_HTTP_WEB_ROOT="$ROOT/web" $prefix "$MJ_SERVER" serve) \
    >> "$WORK/mailjuke.out" 2>> "$WORK/mailjuke.err" &
  PID[mailjuke]=$!
  PIDS+=("$!")
  for _ in $(seq 1 600); do
    [ -s "$WORK/mj-data/listeners.json" ] && break
    kill -0 "${PID[mailjuke]}" 2>/dev/null || { echo "bench/dns: mailjuke exited" >&2; tail -5 "$WORK/mailjuke.err" >&2; return 1; }
    sleep 0.1
  done
  sleep 0.1  # the file is written whole, but give it a moment
  read -r HTTP_ADDR DNS_ADDR < <($PY -c 'import json,sys; l=json.load(open(sys.argv[1])); print(l["http"], l["dns"])' "$WORK/mj-data/listeners.json")
  PORT[mailjuke]=${DNS_ADDR##*:}
}

declare -A PORT PID
stop_server() {
  local pid=${PID[$1]}
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

if [ "$MODE" = server ]; then
  if [ ! -s "$WORK/names.txt" ] || [ ! -d "$WORK/mj-data" ]; then
    rm -rf "$WORK/mj-data" "$WORK/zones"; mkdir -p "$WORK/zones"
    start_mailjuke_server_process ""
    echo "bench/dns: creating $ZONES domains through the bulk API (DKIM keys: a minute or two)" >&2
    PYTHONPATH="$ROOT/tests/testutil" $PY - "$WORK" "$ZONES" "$HTTP_ADDR" <<'PYEOF'
import sys, time
import mj
work, count, addr = sys.argv[1], int(sys.argv[2]), sys.argv[3]

class Remote:  # what mj.Client needs of a server
    host, port = addr.rsplit(":", 1)[0], int(addr.rsplit(":", 1)[1])
    origin = "http://127.0.0.1"

c = mj.Client(Remote())
c.signup(email="bench@example.com")
ws = c.create_workspace("DNS bench")
names = ["bench%04d.com" % i for i in range(count)]
ids = {}
t0 = time.time()
for k in range(0, count, 500):
    batch = names[k:k + 500]
    r = c.post(f"/api/v1/workspaces/{ws}/domains/bulk", {"names": batch, "source": "purchase"})
    assert r.status == 202, r
    job_id = r.json["id"]
    deadline = time.time() + 900
    while True:
        job = c.get(f"/api/v1/jobs/{job_id}").json
        if job["status"] in ("succeeded", "failed"):
            break
        if time.time() > deadline:
            sys.exit(f"bulk job {job_id} did not finish: {job['progress']}")
        time.sleep(1)
    bad = [row for row in job["results"] if not row["ok"]]
    if job["status"] != "succeeded" or bad:
        sys.exit(f"bulk job {job_id}: {job['status']}, {len(bad)} failed, e.g. {bad[:2]}")
    for row in job["results"]:
        ids[row["name"]] = row["domain_id"]
    print(f"bench/dns: {k + len(batch)} domains created ({time.time() - t0:.0f} s)", file=sys.stderr)
for n in names:
    r = c.get(f"/api/v1/workspaces/{ws}/domains/{ids[n]}/zone")
    assert r.status == 200, r
    with open(f"{work}/zones/{n}.zone", "w") as f:
        f.write(r.body)
with open(work + "/names.txt", "w") as f:
    f.write("".join(n + "\n" for n in names))
PYEOF
    stop_server mailjuke
  fi
  READY_NAME=$(tail -1 "$WORK/names.txt")
  READY_SERIAL=$(awk '$4 == "SOA" {print $7; exit}' "$WORK/zones/$READY_NAME.zone")
  [ -n "$READY_SERIAL" ] || { echo "bench/dns: no SOA serial in $WORK/zones/$READY_NAME.zone" >&2; exit 1; }
fi

$PY - "$WORK" "$MODE" <<'PYEOF'
import random, sys
work, mode = sys.argv[1], sys.argv[2]
names = open(work + "/names.txt").read().split()
rng = random.Random(7)
with open(work + "/queries.txt", "w") as f:
    for n in range(200000):
        d = rng.choice(names)
        kind = n % 5
        if kind == 0:
            if mode == "tool": f.write(f"{rng.choice(['', 'www.'])}{d} A\n")
            else: f.write(f"track.{d} A\n")  # the exported zones have no A records: CNAME answer
        elif kind == 1: f.write(f"{d} MX\n")
        elif kind == 2: f.write(f"mj1._domainkey.{d} TXT\n")
        elif kind == 3: f.write(f"_dmarc.{d} TXT\n")
        else: f.write(f"nx{rng.randrange(10**6)}.{d} A\n")
with open(work + "/nsd.zones", "w") as f:
    for d in names:
        f.write(f"zone:\n  name: {d}\n  zonefile: {work}/zones/{d}.zone\n")
with open(work + "/knot.zones", "w") as f:
    f.write("zone:\n")
    for d in names:
        f.write(f"  - domain: {d}\n    file: {work}/zones/{d}.zone\n")
PYEOF

# ---- servers -----------------------------------------------------------------------------
wait_ready() {  # port pid
  for _ in $(seq 1 300); do
    if dig +tries=1 +time=1 -p "$1" @127.0.0.1 "$READY_NAME" SOA +short 2>/dev/null | grep -qw "$READY_SERIAL"; then
      return 0
    fi
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# A process and all its descendants (NSD forks a main process that forks the servers).
tree_of() {
  local p
  echo "$1"
  for p in $(ps -o pid= --ppid "$1" 2>/dev/null); do tree_of "$p"; done
}

# The server's memory: peak RSS (VmHWM) and PSS, summed over its process tree.
memory_of() {
  local pid=$1 hwm=0 pss=0 p
  for p in $(tree_of "$pid"); do
    hwm=$((hwm + $(awk '/VmHWM/ {print $2}' /proc/$p/status 2>/dev/null || echo 0)))
    pss=$((pss + $(awk '/^Pss:/ {print $2}' /proc/$p/smaps_rollup 2>/dev/null || echo 0)))
  done
  echo "$((hwm / 1024)) $((pss / 1024))"
}

start_mailjuke() {
  local prefix=$1
  if [ "$MODE" = server ]; then
    start_mailjuke_server_process "$prefix" || return 1
    wait_ready "${PORT[mailjuke]}" "${PID[mailjuke]}"
    return
  fi
  $prefix "$MJ_BIN" --listen 127.0.0.1:0 "$WORK/zones" > "$WORK/mailjuke.out" 2> "$WORK/mailjuke.err" &
  PID[mailjuke]=$!
  PIDS+=("$!")
  for _ in $(seq 1 300); do grep -q listening "$WORK/mailjuke.out" 2>/dev/null && break; sleep 0.1; done
  PORT[mailjuke]=$(sed -n 's/^listening .*:\([0-9]*\)$/\1/p' "$WORK/mailjuke.out")
  wait_ready "${PORT[mailjuke]}" "${PID[mailjuke]}"
}

start_knot() {
  local prefix=$1 port
  command -v knotd >/dev/null || return 1
  port=$(free_port)
  mkdir -p "$WORK/knot"
  cat > "$WORK/knot.conf" <<KEOF
server:
  rundir: $WORK/knot
  pidfile: $WORK/knot/knot.pid
  listen: 127.0.0.1@$port
log:
  - target: stderr
    any: warning
database:
  storage: $WORK/knot
template:
  - id: default
    storage: $WORK/knot
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    semantic-checks: off
KEOF
  cat "$WORK/knot.zones" >> "$WORK/knot.conf"
  $prefix knotd -c "$WORK/knot.conf" 2> "$WORK/knot.err" &
  PID[knot]=$!
  PIDS+=("$!")
  PORT[knot]=$port
  wait_ready "$port" "${PID[knot]}"
}

start_nsd() {
  local prefix=$1 port
  command -v nsd >/dev/null || return 1
  port=$(free_port)
  mkdir -p "$WORK/nsd"
  cat > "$WORK/nsd.conf" <<NEOF
server:
  ip-address: 127.0.0.1@$port
  server-count: $(nproc)
  reuseport: yes
  username: ""
  chroot: ""
  zonesdir: "$WORK/zones"
  pidfile: "$WORK/nsd/nsd.pid"
  xfrdfile: "$WORK/nsd/xfrd.state"
  zonelistfile: "$WORK/nsd/zone.list"
  database: ""
  logfile: "$WORK/nsd/nsd.log"
  verbosity: 0
remote-control:
  control-enable: no
NEOF
  cat "$WORK/nsd.zones" >> "$WORK/nsd.conf"
  $prefix nsd -d -c "$WORK/nsd.conf" 2> "$WORK/nsd.err" &
  PID[nsd]=$!
  PIDS+=("$!")
  PORT[nsd]=$port
  wait_ready "$port" "${PID[nsd]}"
}

# ---- measurement -------------------------------------------------------------------------
declare -A QPS LOST AVG P50 P99 RSS PSS QPS_PIN CPU
# CPU time (clock ticks) used so far by a server: its process tree, all threads.
cpu_ticks() {
  local t=0 p
  for p in $(tree_of "$1"); do
    # utime and stime are fields 14 and 15; count after the "(comm)" field, which may hold spaces.
    t=$((t + $(sed 's/.*) //' /proc/$p/stat 2>/dev/null | awk '{print $12 + $13}' || echo 0)))
  done
  echo $t
}

perf_run() {  # name port prefix pid -> "qps lost avg_us cpu_us_per_query"
  local out t0 t1
  t0=$(cpu_ticks "$4")
  out=$($3 dnsperf -s 127.0.0.1 -p "$2" -d "$WORK/queries.txt" -l "$DURATION" -c 8 -T 1 -q 100 2>&1)
  t1=$(cpu_ticks "$4")
  echo "$out" > "$WORK/dnsperf.$1.$RANDOM.log"
  awk -v ticks=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" \
      '/Queries completed/ {c=$3} /Queries per second/ {q=$4} /Queries lost/ {l=$3} /Average Latency/ {a=$4*1e6}
       END {printf "%.0f %d %.0f %.2f\n", q, l, a, (c > 0 ? ticks * 1e6 / hz / c : 0)}' <<< "$out"
}

latency_run() {  # port -> "p50_us p99_us"
  dnsperf -s 127.0.0.1 -p "$1" -d "$WORK/queries.txt" -l 10 -Q 10000 -v 2>/dev/null |
    awk '/^> / {print $NF * 1e6}' | sort -n |
    awk '{v[NR]=$1} END {if (NR == 0) {print "- -"; exit} printf "%.0f %.0f\n", v[int(NR*0.5)+1], v[int(NR*0.99)+1]}'
}

median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

SERVERS=()
for s in mailjuke knot nsd; do
  if "start_$s" ""; then SERVERS+=("$s"); stop_server "$s"; else echo "bench/dns: $s unavailable, skipped" >&2; fi
done

declare -A SAMPLES_Q SAMPLES_L SAMPLES_A SAMPLES_QP SAMPLES_C
for run in $(seq 1 "$RUNS"); do
  for s in "${SERVERS[@]}"; do
    "start_$s" ""
    read -r q l a c < <(perf_run "$s" "${PORT[$s]}" "" "${PID[$s]}")
    SAMPLES_Q[$s]+="$q "; SAMPLES_L[$s]+="$l "; SAMPLES_A[$s]+="$a "; SAMPLES_C[$s]+="$c "
    echo "bench/dns: run $run $s: $q qps, $l lost, avg ${a}us, cpu ${c}us/query" >&2
    if [ "$run" = 1 ]; then
      read -r p50 p99 < <(latency_run "${PORT[$s]}")
      P50[$s]=$p50; P99[$s]=$p99
      read -r rss pss < <(memory_of "${PID[$s]}")
      RSS[$s]=$rss; PSS[$s]=$pss
    fi
    stop_server "$s"
    if [ "$PIN" = 1 ]; then
      "start_$s" "taskset -c 0"
      read -r q l a c < <(perf_run "$s-pinned" "${PORT[$s]}" "taskset -c 1" "${PID[$s]}")
      SAMPLES_QP[$s]+="$q "
      echo "bench/dns: run $run $s pinned: $q qps, $l lost" >&2
      stop_server "$s"
    fi
  done
done

best=0
for s in "${SERVERS[@]}"; do
  # shellcheck disable=SC2086
  QPS[$s]=$(median ${SAMPLES_Q[$s]}); LOST[$s]=$(median ${SAMPLES_L[$s]}); AVG[$s]=$(median ${SAMPLES_A[$s]})
  CPU[$s]=$(median ${SAMPLES_C[$s]})
  if [ "$PIN" = 1 ]; then QPS_PIN[$s]=$(median ${SAMPLES_QP[$s]}); fi
  if [ "$s" != mailjuke ] && [ "${QPS[$s]}" -gt "$best" ]; then best=${QPS[$s]}; fi
done
[ "$best" -gt 0 ] || best=${QPS[mailjuke]}

# Hand-written sections of OUT (from its first "## " heading on) are kept below the new table.
NOTES=""
if [ -f "$OUT" ]; then NOTES=$(awk '/^## / {keep=1} keep' "$OUT"); fi
{
  echo "# DNS benchmark"
  echo
  echo "Generated by \`bench/dns.sh\` on $(date -u +%Y-%m-%d) ($(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'))."
  if [ "$MODE" = server ]; then
    echo "MailJuke: the \`mailjuke serve\` binary (HTTP API and DNS in one process, SQLite storage),"
    echo "$ZONES domains created through the bulk API; each zone exported with GET …/zone and the same"
    echo "files loaded by NSD and Knot (SOA, 2 NS, MX, SPF TXT, DKIM TXT RSA-2048, DMARC TXT, CNAME)."
    echo "Queries: CNAME (asked as A), MX, DKIM TXT, DMARC TXT, NXDOMAIN, 20 % each;"
  else
    echo "MailJuke: the standalone DNS tool (\`$(basename "$MJ_BIN")\`), $ZONES generated zones;"
    echo "queries: A, MX, DKIM TXT (RSA-2048), DMARC TXT, NXDOMAIN, 20 % each;"
  fi
  echo "\`dnsperf -l $DURATION -c 8 -T 1 -q 100\`, no EDNS, server and dnsperf sharing the cores;"
  echo "median of $RUNS runs, servers interleaved. Latency: \`dnsperf -Q 10000 -l 10 -v\`."
  echo "Memory: peak RSS (VmHWM) and PSS of the server processes after the runs. CPU: server"
  echo "CPU time (user + system, all threads and processes) per answered query during the QPS run."
  echo
  echo "| server | QPS | × fastest peer | lost | avg latency (µs) | p50 (µs) | p99 (µs) | CPU µs/query | peak RSS (MB) | PSS (MB) |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for s in "${SERVERS[@]}"; do
    ratio=$(awk -v a="${QPS[$s]}" -v b="$best" 'BEGIN {printf "%.2f", a / b}')
    name=$s
    case $s in
      knot) name="Knot $(knotd -V 2>&1 | grep -o '[0-9][0-9.]*' | head -1)" ;;
      nsd) name="NSD $(nsd -v 2>&1 | grep -o '[0-9][0-9.]*' | head -1)" ;;
      mailjuke) if [ "$MODE" = server ]; then name="MailJuke (mailjuke serve)"; else name="MailJuke (dns_serve tool)"; fi ;;
    esac
    echo "| $name | ${QPS[$s]} | $ratio | ${LOST[$s]} | ${AVG[$s]} | ${P50[$s]} | ${P99[$s]} | ${CPU[$s]} | ${RSS[$s]} | ${PSS[$s]} |"
  done
  if [ "$PIN" = 1 ]; then
    echo
    echo "Pinned (server on core 0, dnsperf on core 1), QPS medians:"
    for s in "${SERVERS[@]}"; do echo "- $s: ${QPS_PIN[$s]}"; done
  fi
  if [ -n "$NOTES" ]; then echo; echo "$NOTES"; fi
} > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
cat "$OUT"
