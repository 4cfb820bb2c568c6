#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test against a throwaway PostgreSQL cluster
# that it starts and removes. Extra arguments go to ctest (e.g. -L unit, -R Projects).
# SANITIZE=address,undefined builds everything with those sanitizers (into build-sanitize/) and
# fails on any finding.
# COVERAGE=1 builds instrumented (Debug, into build-coverage/; scripts/lib/coverage.sh) and, when
# every test passed, prints the line-coverage figure of host/, sdk/, libs/ and plugins/ at the end; when a
# test failed it names the failed tests, prints no figure and exits non-zero (scripts/coverage.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash scripts/install-deps.sh test
if [ -n "${COVERAGE:-}" ]; then
  [ -z "${SANITIZE:-}" ] || { echo "test.sh: COVERAGE and SANITIZE do not go together" >&2; exit 2; }
  source scripts/lib/coverage.sh
  coverage_build
elif [ -n "${SANITIZE:-}" ]; then
  export BUILD_DIR=${BUILD_DIR:-$root/build-sanitize}
  export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
  bash scripts/build.sh -DSOCRATES_SANITIZE="$SANITIZE"
else
  bash scripts/build.sh -DSOCRATES_SANITIZE=
fi

source scripts/lib/pg.sh
cluster=$(mktemp -d /tmp/socrates-test-pg.XXXXXX)
cleanup() {
  pg_stop "$cluster"
  rm -rf "$cluster"
}
trap cleanup EXIT
password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
port=$(pg_free_port)
pg_init "$cluster" "$port" socrates "$password" fast
pg_start "$cluster"
export SOCRATES_TEST_PG_URL="postgresql://socrates:$password@127.0.0.1:$port/postgres"

cd "${BUILD_DIR:-$root/build}"
if [ -z "${COVERAGE:-}" ]; then
  ctest --output-on-failure -j "$(nproc)" "$@"
else
  status=0
  ctest --output-on-failure --no-tests=error -j "$(nproc)" "$@" || status=$?
  if [ "$status" -ne 0 ]; then coverage_refuse "$status"; exit "$status"; fi
  coverage_report "$@"
fi
