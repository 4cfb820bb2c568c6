#!/usr/bin/env bash
# Benchmarks interview turns only: bench/bench.sh with SCENARIOS="interview pgbench" (the turns and
# the per-query PostgreSQL ceiling that bounds them). It seeds INTERVIEWS × ROUNDS interviews (a
# project, a socratic session and its first question each), then keeps INTERVIEWS answers in flight
# with wrk for DURATION: each request answers a session's waiting question with a realistic answer
# of that question's category (the engine's extraction cases), and the response carries the next
# question (bench/seed_interviews.py, bench/interview.lua). Prints bench.sh's table.
#
#   bench/interview.sh                      # 16 concurrent interviews, 10 s
#   INTERVIEWS=32 DURATION=20s bench/interview.sh
# Targets (issue 3): p50 ≤ 5 ms and p99 ≤ 25 ms at 16 concurrent interviews; (issue 6) ≥ 1,000 turns/s.
set -euo pipefail
SCENARIOS=${SCENARIOS:-interview pgbench} exec bash "$(dirname "$0")/bench.sh"
