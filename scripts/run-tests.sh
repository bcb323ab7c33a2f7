#!/usr/bin/env bash
# Builds and runs the suite. Usage: run-tests.sh [release|asan|all]  (default: all)
# Starts a throw-away PostgreSQL cluster for the storage tests and stops it (by pid) at the end.
set -uo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
# ccache hits across clones in different folders (CI builds a fresh clone).
export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=1
jobs=$(nproc)
status=0

source scripts/pg-test-cluster.sh
pg_cluster_start || { echo "run-tests: could not start PostgreSQL" >&2; exit 1; }
trap pg_cluster_stop EXIT
export MAILJUKE_TEST_PG_URL

run_preset() {
  local preset=$1 dir=$2
  shift 2
  cmake --preset "$preset" >/dev/null || return 1
  cmake --build "$dir" -j"$jobs" || return 1
  ctest --preset "$preset" -j"$jobs" "$@" 2>&1 | tee -a "$summary_log"
  return "${PIPESTATUS[0]}"
}
summary_log=$(mktemp)

if [ "$what" = release ] || [ "$what" = all ]; then
  run_preset release build || status=1
fi
if [ "$what" = asan ] || [ "$what" = all ]; then
  # Under ASan+UBSan: unit tests, fuzz corpus replays and the integration tests.
  MAILJUKE_SANITIZED=1 run_preset asan build-asan -L '^(unit|fuzz|integration)$' || status=1
fi
# One plain line for both runs: "N passed, N failed".
passed=0; failed=0
while read -r _ _ _ f _ _ _ _ total; do
  passed=$((passed + total - f)); failed=$((failed + f))
done < <(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$summary_log")
rm -f "$summary_log"
[ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1  # a build failure counts
echo "$passed passed, $failed failed"
exit $status
