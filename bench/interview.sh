#!/usr/bin/env bash
# Benchmarks interview turns only: bench/bench.sh with SCENARIOS="interview paced pgbench" (the
# turns at saturation and at a person's pace, and the per-query PostgreSQL ceiling that bounds
# them). It seeds INTERVIEWS × ROUNDS interviews (a project, a socratic session and its first
# question each), then keeps INTERVIEWS answers in flight
# with wrk for DURATION: each request answers a session's waiting question with a realistic answer
# of that question's category (bench/interview_answers.json, none of them a sentence of the engine's
# tests: bench/check_answers.py), and the response carries the next
# question (bench/seed_interviews.py, bench/interview.lua); `paced` does the same with THINK_MS of
# thought between an interview's turns. Prints bench.sh's table.
#
#   bench/interview.sh                      # 16 concurrent interviews, 10 s
#   INTERVIEWS=32 DURATION=20s bench/interview.sh
# Targets: an answer's p50 ≤ 5 ms and p99 ≤ 25 ms with 16 interviews in progress (paced); ≥ 1,000
# turns/s with p99 ≤ 25 ms at 16 concurrent interviews answering at once (interview).
set -euo pipefail
SCENARIOS=${SCENARIOS:-interview paced pgbench} exec bash "$(dirname "$0")/bench.sh"
