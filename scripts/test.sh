#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test against a throwaway PostgreSQL cluster
# that it starts and removes. Extra arguments go to ctest (e.g. -L unit, -R Projects).
# SANITIZE=address,undefined builds everything with those sanitizers (into build-sanitize/) and
# fails on any finding.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash scripts/install-deps.sh
if [ -n "${SANITIZE:-}" ]; then
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
ctest --output-on-failure -j "$(nproc)" "$@"
