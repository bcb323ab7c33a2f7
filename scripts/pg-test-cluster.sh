# Sourced by run-tests.sh: a throw-away PostgreSQL cluster on 127.0.0.1, run as `postgres`.
# Sets MAILJUKE_TEST_PG_URL; pg_cluster_stop stops it by pid and removes its files.
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
pg_dir=""

pg_cluster_start() {
  [ -x "$pg_bin/initdb" ] || { echo "pg-test-cluster: PostgreSQL is not installed" >&2; return 1; }
  pg_dir=$(mktemp -d /tmp/mailjuke-pg.XXXXXX)
  chown postgres:postgres "$pg_dir"
  local port
  port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  runuser -u postgres -- "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U postgres --no-sync >"$pg_dir/initdb.log" 2>&1 || {
    cat "$pg_dir/initdb.log" >&2; return 1; }
  runuser -u postgres -- "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $pg_dir -c fsync=off -c max_connections=300" start >/dev/null || {
    cat "$pg_dir/server.log" >&2; return 1; }
  MAILJUKE_TEST_PG_URL="postgresql://postgres@127.0.0.1:$port/postgres"
  echo "pg-test-cluster: PostgreSQL on 127.0.0.1:$port"
}

pg_cluster_stop() {
  [ -n "$pg_dir" ] || return 0
  if [ -f "$pg_dir/data/postmaster.pid" ]; then
    local pid
    pid=$(head -1 "$pg_dir/data/postmaster.pid")
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
  fi
  rm -rf "$pg_dir"
  pg_dir=""
}
