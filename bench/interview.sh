#!/usr/bin/env bash
# Benchmarks interview turns on loopback: builds in release mode into build-release/, starts a
# throwaway PostgreSQL cluster and the host (built-in engine), seeds INTERVIEWS × ROUNDS interviews
# (a project, a socratic session and its first question each), then keeps INTERVIEWS answers in
# flight with wrk for DURATION: each request answers a session's waiting question with a realistic
# answer of that question's category (the engine's extraction cases), and the response carries the
# next question. Prints turns per second and the latency of `answer` (p50, p99), and errors.
#
#   bench/interview.sh                      # 16 concurrent interviews, 10 s
#   INTERVIEWS=32 DURATION=20s bench/interview.sh
# Target (issue 3): p50 ≤ 5 ms and p99 ≤ 25 ms at 16 concurrent interviews.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
DURATION=${DURATION:-10s}
INTERVIEWS=${INTERVIEWS:-16}
ROUNDS=${ROUNDS:-8}       # seeded sessions per concurrent interview: keeps each interview realistic in length
THREADS=${THREADS:-2}

bash scripts/install-deps.sh >/dev/null
BUILD_DIR="$root/build-release" BUILD_TYPE=Release bash scripts/build.sh -DSOCRATES_BUILD_TESTS=OFF >/dev/null
source bench/lib.sh
trap bench_cleanup EXIT
bench_start_host

curl -sf -XPOST "$base/api/v1/auth/register" -H 'Content-Type: application/json' \
  -d '{"email":"bench@example.com","password":"bench-password"}' >/dev/null
token=$(login bench@example.com bench-password)
python3 bench/seed_interviews.py "$base" "$token" $((INTERVIEWS * ROUNDS)) tests/data/extraction_cases.json \
  "$work/interviews.lua"

TOKEN=$token DATA="$work/interviews.lua" WRK_THREADS=$THREADS \
  wrk -t"$THREADS" -c"$INTERVIEWS" -d"$DURATION" --latency -s bench/interview.lua "$base" > "$work/wrk.out" 2>&1
echo
echo "wrk -t$THREADS -c$INTERVIEWS -d$DURATION on 127.0.0.1, $(nproc) cores; $((INTERVIEWS * ROUNDS)) seeded interviews"
echo "| scenario                                     |    turns/s |  p50 ms  |  p99 ms  | errors |"
echo "|----------------------------------------------|------------|----------|----------|--------|"
report "POST /api/v1/sessions/{id}/answer" "$work/wrk.out"
echo
echo "host peak RSS: $(awk '/VmHWM/ {print $2, $3}' /proc/$host_pid/status)"
if [ -n "${KEEP_WRK_OUTPUT:-}" ]; then cat "$work/wrk.out"; fi
