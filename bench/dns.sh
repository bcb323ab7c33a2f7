#!/usr/bin/env bash
# Authoritative DNS benchmark: MailJuke beside Knot and NSD on loopback, one run, same zones.
#
#   bench/dns.sh [BUILD_DIR]        (default build dir: ./build; needs root for nsd/knotd)
#
# Generates 1,000 zones (SOA, 2 NS + glue, apex A, www A, MX, SPF TXT, DKIM TXT with an
# RSA-2048 key, DMARC TXT, tracking CNAME), a query file mixing A, MX, DKIM TXT, DMARC TXT and
# NXDOMAIN (20 % each), and for each server runs `dnsperf -l 15 -c 8 -T 1 -q 100` (RUNS times,
# servers interleaved, medians reported), a latency run `dnsperf -Q 10000 -l 10 -v` (p50/p99
# from per-query times), and reads the server's peak RSS and PSS. Writes OUT (default
# docs/benchmarks-dns.md). Environment: RUNS=3, DURATION=15, PIN=1 also measures the server
# pinned to core 0 with dnsperf on core 1, MJ_BIN=<server command> to benchmark another binary
# that takes the same arguments as mailjuke_dns_serve. Peers missing are skipped.
# Install peers with: scripts/install-deps.sh bench
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
MJ_BIN=${MJ_BIN:-$BUILD/tests/tools/dns_serve/mailjuke_dns_serve}
RUNS=${RUNS:-3}
DURATION=${DURATION:-15}
PIN=${PIN:-0}
OUT=${OUT:-$ROOT/docs/benchmarks-dns.md}
WORK=${WORK:-$(mktemp -d /tmp/mailjuke-bench-dns.XXXXXX)}
ZONES=1000
PY=/usr/bin/python3
mkdir -p "$WORK"
echo "bench/dns: work dir $WORK" >&2

PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# ---- zones and queries -------------------------------------------------------------------
if [ ! -f "$WORK/dkim.pem" ]; then
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/dkim.pem" 2>/dev/null
fi
DKIM_P=$(openssl pkey -in "$WORK/dkim.pem" -pubout -outform DER 2>/dev/null | base64 -w0)
mkdir -p "$WORK/zones"
$PY - "$WORK" "$ZONES" "$DKIM_P" <<'PYEOF'
import random, sys
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
rng = random.Random(7)
with open(work + "/queries.txt", "w") as f:
    for n in range(200000):
        d = rng.choice(names)
        kind = n % 5
        if kind == 0: f.write(f"{rng.choice(['', 'www.'])}{d} A\n")
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
    if dig +tries=1 +time=1 -p "$1" @127.0.0.1 d0999.example SOA +short 2>/dev/null | grep -q 2026120101; then
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

declare -A PORT PID
start_mailjuke() {
  local prefix=$1
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

stop_server() {
  local pid=${PID[$1]}
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
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

{
  echo "# DNS benchmark"
  echo
  echo "Generated by \`bench/dns.sh\` on $(date -u +%Y-%m-%d) ($(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'))."
  echo "1,000 zones; queries: A, MX, DKIM TXT (RSA-2048), DMARC TXT, NXDOMAIN, 20 % each;"
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
      mailjuke) name="MailJuke" ;;
    esac
    echo "| $name | ${QPS[$s]} | $ratio | ${LOST[$s]} | ${AVG[$s]} | ${P50[$s]} | ${P99[$s]} | ${CPU[$s]} | ${RSS[$s]} | ${PSS[$s]} |"
  done
  if [ "$PIN" = 1 ]; then
    echo
    echo "Pinned (server on core 0, dnsperf on core 1), QPS medians:"
    for s in "${SERVERS[@]}"; do echo "- $s: ${QPS_PIN[$s]}"; done
  fi
} > "$OUT"
cat "$OUT"
