#!/usr/bin/env bash
# Benchmarks the host on loopback: builds in release mode into build-release/, starts a throwaway
# PostgreSQL cluster and the host, seeds a user with projects, and runs wrk scenarios. Prints one
# table: requests/s, p50, p99 and errors per scenario.
#
#   bench/bench.sh                 # 10 s per scenario, 2 threads, 32 connections
#   DURATION=5s CONNECTIONS=64 bench/bench.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
PROJECTS=${PROJECTS:-10}

bash scripts/install-deps.sh >/dev/null
BUILD_DIR="$root/build-release" BUILD_TYPE=Release bash scripts/build.sh -DSOCRATES_BUILD_TESTS=OFF >/dev/null
source bench/lib.sh
trap bench_cleanup EXIT
bench_start_host

curl -sf -XPOST "$base/api/v1/auth/register" -H 'Content-Type: application/json' \
  -d '{"email":"bench@example.com","password":"bench-password"}' >/dev/null
token=$(login bench@example.com bench-password)
for i in $(seq 1 "$PROJECTS"); do
  curl -sf -XPOST "$base/api/v1/projects" -H 'Content-Type: application/json' -H "Authorization: Bearer $token" \
    -d "{\"name\":\"Project $i\",\"description\":\"seeded for the benchmark\"}" >/dev/null
done

run() {
  local name=$1; shift
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@" > "$work/wrk.out" 2>&1
  report "$name" "$work/wrk.out"
}

echo
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION on 127.0.0.1, $(nproc) cores; host: $(grep -c ^processor /proc/cpuinfo) cpus"
echo "| scenario                                     |      req/s |  p50 ms  |  p99 ms  | errors |"
echo "|----------------------------------------------|------------|----------|----------|--------|"
run "GET /health (keep-alive)" -H 'Connection: keep-alive' "$base/health"
run "GET /health (connection per request)" "$base/health"
run "GET /api/v1/projects, $PROJECTS projects (keep-alive)" -H 'Connection: keep-alive' \
  -H "Authorization: Bearer $token" "$base/api/v1/projects"
run "GET /api/v1/projects (connection per request)" -H "Authorization: Bearer $token" "$base/api/v1/projects"
echo
echo "host peak RSS: $(awk '/VmHWM/ {print $2, $3}' /proc/$host_pid/status)"
