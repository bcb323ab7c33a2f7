# Shared by the bench/*.sh scripts (sourced). Expects $py (Debian's python3), $bin (the
# mailjuke binary) and $work (the run's temp folder); `bench_name` names the script in errors.

free_port() { $py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# wait_port PORT: returns once 127.0.0.1:PORT accepts connections (10 s), else fails.
wait_port() {
  for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done
  return 1
}

# start_mailjuke_serve: `mailjuke serve` on loopback with every listener on a free port and its
# resolver pointed at its own DNS listener; sets mj_pid (also in $work/mailjuke.pid) and waits
# for $work/var/listeners.json. `listener NAME` then prints a bound address.
start_mailjuke_serve() {
  local dns_port; dns_port=$(free_port)
  mkdir -p "$work/var"
  (cd "$work" && exec env MAILJUKE_PLATFORM_DATA_DIR="$work/var" MAILJUKE_HTTP_LISTEN=127.0.0.1:0 \
     MAILJUKE_DNS_LISTEN="127.0.0.1:$dns_port" MAILJUKE_DELIVERY_RESOLVER="127.0.0.1:$dns_port" \
     MAILJUKE_SMTP_MX_LISTEN=127.0.0.1:0 MAILJUKE_SMTP_SUBMISSION_LISTEN=127.0.0.1:0 \
     MAILJUKE_SMTP_SUBMISSIONS_LISTEN=127.0.0.1:0 MAILJUKE_IMAP_LISTEN=127.0.0.1:0 \
     MAILJUKE_IMAP_IMAPS_LISTEN=127.0.0.1:0 MAILJUKE_PLATFORM_PUBLIC_URL=http://127.0.0.1 \
     MAILJUKE_SECURITY_RATE_LIMIT_PER_MINUTE=10000000 MAILJUKE_HTTP_WEB_ROOT="$PWD/web" \
     MAILJUKE_BILLING_TRIAL_CREDIT=100000000 MAILJUKE_MAIL_SEND_OUTBOX=0 \
     "$bin" serve) > "$work/mailjuke.out" 2> "$work/mailjuke.err" &
  mj_pid=$!
  echo "$mj_pid" > "$work/mailjuke.pid"
  for _ in $(seq 1 300); do
    [ -s "$work/var/listeners.json" ] && break
    kill -0 "$mj_pid" 2>/dev/null || { echo "$bench_name: mailjuke exited" >&2; tail -5 "$work/mailjuke.err" >&2; exit 1; }
    sleep 0.1
  done
  sleep 0.1
}

listener() { $py -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2], ""))' "$work/var/listeners.json" "$1"; }
