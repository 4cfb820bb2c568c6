#!/usr/bin/env bash
# Benchmarks the host while a slow model holds requests: builds in release mode (build-release/),
# starts a throwaway PostgreSQL cluster, a fake OpenAI-compatible model on loopback that answers
# nothing until the end, and the host configured for it with a specs pool of 4 connections. Then
# INTERVIEWS interviews ask for their next question (all waiting on the model), and wrk measures
# GET /health and GET /api/v1/projects meanwhile (bench/slow_model.py). Prints req/s, p50, p99 and
# errors of both, and whether every interview was still waiting while they ran.
#
#   bench/slow_model.sh                         # 32 interviews, 5 s per wrk run
#   INTERVIEWS=64 DURATION=10s bench/slow_model.sh
# Target (moved here from tests/e2e/llm_e2e_test.cpp, where it was a pass/fail on wall-clock time):
# p99 <= 50 ms for both while the model is slow.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
INTERVIEWS=${INTERVIEWS:-32}
DURATION=${DURATION:-5s}
CONNECTIONS=${CONNECTIONS:-8}
THREADS=${THREADS:-2}
TARGET_MS=${TARGET_MS:-50}

source bench/lib.sh
trap bench_cleanup EXIT
bench_build
command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install wrk)" >&2; exit 1; }
llm_port=$(pg_free_port)
# Every interview waits on the model, so LLM_CONCURRENCY (which also bounds the workers that may
# wait on it) admits them all; the default LLM_TIMEOUT_S (60 s) outlasts the two wrk runs.
HOST_ENV="LLM_PROVIDER=openai LLM_BASE_URL=http://127.0.0.1:$llm_port/v1 LLM_MODEL=bench-model LLM_MAX_RETRIES=0
  LLM_CONCURRENCY=$((INTERVIEWS * 2)) DB_POOL_SIZE_SPECS=4"
bench_start_pg
bench_host_env
"$host_bin" migrate > "$work/migrate.log" 2>&1 || { cat "$work/migrate.log" >&2; exit 1; }
bench_launch_host
python3 bench/slow_model.py "$base" "$llm_port" "$INTERVIEWS" "$DURATION" "$CONNECTIONS" "$THREADS" "$TARGET_MS" \
  "$work"
