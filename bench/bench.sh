#!/usr/bin/env bash
# The project's benchmark: builds in release mode (with the Pistache ceiling, bench/ceiling), starts
# a throwaway PostgreSQL cluster and the host, times the host's start-up, reads its idle RSS, seeds
# data, runs wrk scenarios on loopback (keep-alive) and two ceilings, and prints one table:
# requests/s (of the answers of the scenario's expected status only, bench/status.lua), p50, p99
# (marked not comparable after any error), errors and the share of the bounding ceiling per scenario, the host's RSS
# and start-up time, and the targets with a verdict each. Missed targets are reported, not fatal:
# the exit status is non-zero only when something could not run.
#
#   bash bench/bench.sh                               # everything, 10 s per scenario
#   SCENARIOS="health projects" DURATION=3s bash bench/bench.sh
#
# Scenarios (SCENARIOS filters them, in this order; default: all but health-close):
#   pistache      the Pistache ceiling: GET on bench/ceiling's trivial handler
#   health        GET /health
#   health-close  GET /health with Connection: close (a connection per request)
#   projects      GET /api/v1/projects, authenticated, PROJECTS projects seeded
#   maturity      GET /api/v1/projects/{id}/maturity (one specification per category seeded)
#   describe      POST /api/v1/agents/socratic/describe: a call through the plugin ABI that makes no
#                 database work of its own (bench/describe.lua)
#   create        POST /api/v1/projects (bench/post.lua; only 201 counts as success)
#   interview     POST /api/v1/sessions/{id}/answer at INTERVIEWS concurrent interviews, each
#                 answering as soon as it has its question (bench/interview.lua, seed_interviews.py)
#   paced         the same interviews, each thinking THINK_MS (100) on average (50-150) before
#                 each answer: an answer's latency while INTERVIEWS interviews are in progress,
#                 below saturation
#   pgbench       the per-query PostgreSQL ceiling: pgbench -S on the same cluster
#   pgbench-list  the projects list's own database work: pgbench runs the two statements the list
#                 makes (bench/list_ceiling/), with no host in between (context, not a target)
#   login         POST /api/v1/auth/login at LOGIN_CONNECTIONS (argon2id-bound by design)
# Settings (environment): DURATION (10s; wrk's syntax: 30s, 1m), CONNECTIONS (32), THREADS (wrk's
# and pgbench's threads, 2), PROJECTS (20), INTERVIEWS (16), ROUNDS (seeded sessions per concurrent
# interview, 8), BACKGROUND (other users' finished interviews in the database, bench/background.sql,
# 2000), THINK_MS (paced: mean ms between an answer and the next, 100), LOGIN_CONNECTIONS (4),
# LOGIN_USERS (16), STARTS (timed start-ups, 3), HOST_THREADS (the host's and the ceiling's reactor
# threads; default one per core), HOST_ENV (VAR=VALUE settings added to the host's environment, for
# A/B runs: HOST_ENV="WORKERS=8 DB_POOL_SIZE_SPECS=8"), REPEAT (runs of each scenario, 1; the
# table shows the run with the median req/s and lists the others: steadier figures on a noisy machine),
# BENCH_BUILD_DIR (build-release/), KEEP_WRK_OUTPUT=1 (print every raw wrk/pgbench output too),
# PG_STATS=1 (the cluster loads pg_stat_statements; after the table, each scenario's statements per
# request: calls, execution and planning µs, and WAL records, bytes and syncs).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
PROJECTS=${PROJECTS:-20}
INTERVIEWS=${INTERVIEWS:-16}
ROUNDS=${ROUNDS:-8}
LOGIN_CONNECTIONS=${LOGIN_CONNECTIONS:-4}
LOGIN_USERS=${LOGIN_USERS:-16}
STARTS=${STARTS:-3}
BACKGROUND=${BACKGROUND:-2000}
REPEAT=${REPEAT:-1}
KNOWN_SCENARIOS="pistache health health-close projects maturity describe create interview paced pgbench pgbench-list login"
SCENARIOS=${SCENARIOS:-pistache health projects maturity describe create interview paced pgbench pgbench-list login}

case "$REPEAT" in
  '' | *[!0-9]*) REPEAT=0 ;;
esac
[ "$((10#$REPEAT))" -ge 1 ] || { echo "bench: REPEAT must be a whole number of runs, 1 or more" >&2; exit 2; }
REPEAT=$((10#$REPEAT))
for s in $SCENARIOS; do
  case " $KNOWN_SCENARIOS " in
    *" $s "*) ;;
    *) echo "bench: unknown scenario '$s' (known: $KNOWN_SCENARIOS)" >&2; exit 2 ;;
  esac
done
want() { case " $SCENARIOS " in *" $1 "*) return 0;; *) return 1;; esac; }

# DURATION in whole seconds, for pgbench -T.
duration_s() {
  case "$DURATION" in
    *ms) echo 1 ;;
    *s) echo "${DURATION%s}" ;;
    *m) echo $(( ${DURATION%m} * 60 )) ;;
    *h) echo $(( ${DURATION%h} * 3600 )) ;;
    *) echo "$DURATION" ;;
  esac
}
[[ "$(duration_s)" =~ ^[0-9]+$ ]] || { echo "bench: DURATION='$DURATION' is not like 10s, 1m or 10" >&2; exit 2; }

source bench/lib.sh
trap bench_cleanup EXIT
bench_build -DSOCRATES_BUILD_BENCH=ON
ceiling_bin="$build_dir/bench/ceiling/socrates-pistache-ceiling"
command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install wrk)" >&2; exit 1; }
pgbench_bin="$PG_BIN/pgbench"
if { want pgbench || want pgbench-list; } && [ ! -x "$pgbench_bin" ]; then
  echo "bench: $pgbench_bin is missing (Debian: postgresql-15 ships it)" >&2
  exit 1
fi
host_threads=${HOST_THREADS:-$(nproc)}

# --- The host: migrate, time start-ups, start it for good and read its idle RSS. --------------------
bench_start_pg
bench_host_env
"$host_bin" migrate > "$work/migrate.log" 2>&1 || { cat "$work/migrate.log" >&2; exit 1; }
echo "bench: timing $STARTS start-ups" >&2
startup_ms=$(python3 bench/startup.py "$STARTS" "$base/health" "$work/startup.log" "${host_cmd[@]}") ||
  { tail -n 40 "$work/startup.log" >&2; exit 1; }
bench_launch_host
sleep 1  # settle: whatever the host does right after its first answer is part of idle
idle_rss=$(bench_status_kib "$host_pid" VmRSS)
read -r agent_count agent_ids < <(curl -s "$base/api/v1/admin/health" | python3 -c \
  'import json, sys; a = json.load(sys.stdin).get("agents", []); print(len(a), ",".join(x["id"] for x in a) or "-")' \
  2>/dev/null) || { agent_count="?"; agent_ids="GET /api/v1/admin/health did not answer"; }

# --- Data. ----------------------------------------------------------------------------------------
echo "bench: seeding" >&2
python3 bench/seed.py "$base" "$work" "$PROJECTS" "$(want login && echo "$LOGIN_USERS" || echo 0)" >/dev/null
source "$work/seed.env"
if want interview || want paced; then
  python3 bench/seed_interviews.py "$base" "$interview_token" $((INTERVIEWS * ROUNDS)) \
    bench/interview_answers.json "$work/interviews.lua" >/dev/null
fi
psql "$DATABASE_URL_SPECS" -q -v ON_ERROR_STOP=1 -v projects="$BACKGROUND" -f bench/background.sql > "$work/background.log" 2>&1 ||
  { cat "$work/background.log" >&2; exit 1; }
if want pgbench; then
  pg_create_db "$(bench_pg_url postgres)" bench_pgbench
  PGPASSWORD=$pg_password "$pgbench_bin" -i -q -h 127.0.0.1 -p "$pg_port" -U socrates bench_pgbench \
    > "$work/pgbench-init.log" 2>&1 || { cat "$work/pgbench-init.log" >&2; exit 1; }
fi
# The argon2id parameters the running host hashed with: "$argon2id$v=19$m=19456,t=2,p=1$salt$hash".
IFS='$' read -r _ argon2_alg _ argon2_params _ < <(psql "$DATABASE_URL_AUTH" -Atqc \
  "SELECT password_hash FROM users WHERE email LIKE 'bench-%' LIMIT 1") || true
argon2_param() { sed -n "s/.*\b$1=\([0-9]*\).*/\1/p" <<< "${argon2_params:-}"; }
argon2_m=$(argon2_param m)
argon2="${argon2_alg:-?} t=$(argon2_param t), m=${argon2_m:-?} KiB ($(( ${argon2_m:-0} / 1024 )) MiB), p=$(argon2_param p)"

# --- Scenarios. -----------------------------------------------------------------------------------
failures=0
: > "$work/scenarios.tsv"
# The host's peak RSS so far (start-up, seeding: each registration hashes a password). Each scenario
# then starts from a reset peak (writing 5 to clear_refs) so that its column shows its own peak.
setup_hwm=$(bench_status_kib "$host_pid" VmHWM)
hwm_reset=yes

# scenario KEY LABEL BOUND CONNECTIONS COMMAND...: runs COMMAND REPEAT times (outputs to
# $work/KEY.N.out) when KEY is selected, and records each run with the host's VmHWM afterwards.
# BOUND: the ceiling it is compared with (pistache, pgbench), `ceiling` for a ceiling, `none`.
scenario() {
  local key=$1 label=$2 bound=$3 conns=$4 run
  shift 4
  want "$key" || return 0
  for (( run = 1; run <= REPEAT; run++ )); do
    scenario_run "$key" "$label" "$bound" "$conns" "$run" "$@"
  done
}

scenario_run() {
  local key=$1 label=$2 bound=$3 conns=$4 run=$5 status=ok
  shift 5
  echo "bench: $label$([ "$REPEAT" -eq 1 ] || echo " (run $run of $REPEAT)")" >&2
  { echo 5 > "/proc/$host_pid/clear_refs"; } 2>/dev/null || hwm_reset=no
  # Each scenario starts on vacuumed, analysed databases (with bench/background.sql's rows): none
  # pays for the dead rows of the one before it, and no autovacuum run mid-scenario changes the
  # statistics its plans were made with.
  local db
  for db in "$DATABASE_URL_AUTH" "$DATABASE_URL_SPECS"; do psql "$db" -qc "VACUUM (ANALYZE)" >/dev/null 2>&1 || true; done
  bench_pg_stats_reset
  local host_ticks pg_ticks all_ticks steal_ticks all_after steal_after out="$work/$key.$run.out"
  host_ticks=$(bench_cpu_ticks "$host_pid")
  pg_ticks=$(bench_cpu_ticks $(bench_pg_pids))
  read -r all_ticks steal_ticks < <(bench_cpu_totals)
  "$@" > "$out" 2>&1 || status=failed
  host_ticks=$(( $(bench_cpu_ticks "$host_pid") - host_ticks ))
  pg_ticks=$(( $(bench_cpu_ticks $(bench_pg_pids)) - pg_ticks ))
  read -r all_after steal_after < <(bench_cpu_totals)
  bench_pg_stats "${out%.out}.pgstats"
  if ! kill -0 "$host_pid" 2>/dev/null; then
    status="host exited"
    tail -n 20 "$work/host.log" >&2
  fi
  [ "$status" = ok ] || failures=$((failures + 1))
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$key" "$label" "$bound" "$conns" "$out" \
    "$(bench_status_kib "$host_pid" VmHWM 2>/dev/null || true)" "$status" "$host_ticks" "$pg_ticks" \
    "$(( all_after - all_ticks ))" "$(( steal_after - steal_ticks ))" >> "$work/scenarios.tsv"
  [ "$status" != "host exited" ] || { finish; exit 1; }
}

# Every wrk run counts its answers by status (bench/status.lua): a scenario's req/s is that of the
# answers of its expected status(es) only, and any other status is an error. A scenario declares
# them with EXPECT before `scenario` (EXPECT=201 scenario create ...); without it, 200.

# run_wrk CONNECTIONS WRK_ARGS...: keep-alive wrk for DURATION, answers counted by bench/status.lua.
run_wrk() {
  run_lua "$1" bench/status.lua "${@:2}"
}

# run_lua CONNECTIONS SCRIPT WRK_ARGS... [VAR=VALUE...]: the same with a wrk script of bench/ (which
# loads bench/status.lua) and its settings (the arguments of the form VAR=VALUE).
run_lua() {
  local conns=$1 script=$2 arg
  local -a args=() settings=("EXPECT=${EXPECT:-200}")
  shift 2
  for arg in "$@"; do
    if [[ "$arg" =~ ^[A-Z_]+= ]]; then settings+=("$arg"); else args+=("$arg"); fi
  done
  (export "${settings[@]}"
   wrk -t"$(( THREADS < conns ? THREADS : conns ))" -c"$conns" -d"$DURATION" --latency \
     -H "Connection: ${CONNECTION:-keep-alive}" -s "$script" "${args[@]}")
}

pistache_ceiling() {
  local ceiling_port
  ceiling_port=$(pg_free_port)
  "$ceiling_bin" "$ceiling_port" "$host_threads" > "$work/ceiling.log" 2>&1 &
  helper_pid=$!
  bench_wait_http "http://127.0.0.1:$ceiling_port/" "$helper_pid" "$work/ceiling.log"
  local status=0
  run_wrk "$CONNECTIONS" "http://127.0.0.1:$ceiling_port/" || status=$?
  bench_stop "$helper_pid"
  helper_pid=""
  return "$status"
}

# The ceiling of the projects list's own database work: pgbench runs its two statements
# (bench/list_ceiling/: the token check on the auth database, the page on the specs database) for
# half of DURATION each, as the host runs them (prepared, generic plans), for the list's user.
# A request needs one of each: report.py combines the two rates, 1 / (1/auth + 1/specs).
pgbench_list() {
  local user_id login_id half status=0
  read -r user_id login_id < <(python3 -c 'import base64, json, sys
part = sys.argv[1].split(".")[1]
claims = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
print(claims["sub"], claims["sid"])' "$list_token")
  half=$(( ($(duration_s) + 1) / 2 ))
  local db
  for db in bench_auth bench_specs; do
    PGPASSWORD=$pg_password PGOPTIONS="-c plan_cache_mode=force_generic_plan" "$pgbench_bin" -n -M prepared \
      -c "$CONNECTIONS" -j "$THREADS" -T "$half" -h 127.0.0.1 -p "$pg_port" -U socrates \
      -D user_id="$user_id" -D login_id="$login_id" -D status=active -D page_limit=50 -D page_offset=0 \
      -f "bench/list_ceiling/${db#bench_}.sql" "$db" || status=$?
  done
  return "$status"
}

pgbench_select() {
  PGPASSWORD=$pg_password "$pgbench_bin" -S -n -c "$CONNECTIONS" -j "$THREADS" -T "$(duration_s)" \
    -h 127.0.0.1 -p "$pg_port" -U socrates bench_pgbench
}

finish() {
  local peak
  peak=$(bench_status_kib "$host_pid" VmHWM 2>/dev/null || true)
  cat > "$work/run.env" <<EOF
THREADS=$THREADS
CONNECTIONS=$CONNECTIONS
PROJECTS=$PROJECTS
REPEAT=$REPEAT
INTERVIEWS=$INTERVIEWS
DURATION=$DURATION
CORES=$(nproc)
CLK_TCK=$(getconf CLK_TCK)
HOST_THREADS=$host_threads
BUILD_DIR=$build_dir
STARTUP_MS=$(echo $startup_ms)
IDLE_RSS_KIB=$idle_rss
PEAK_RSS_KIB=$peak
SETUP_HWM_KIB=$setup_hwm
HWM_RESET=$hwm_reset
AGENTS=$agent_count
AGENT_IDS=$agent_ids
ARGON2=$argon2
LOGIN_CONNECTIONS=$LOGIN_CONNECTIONS
LOGIN_USERS=$LOGIN_USERS
EOF
  python3 bench/report.py "$work"
  if [ -n "${KEEP_WRK_OUTPUT:-}" ]; then
    for f in "$work"/*.out; do echo; echo "== $(basename "$f")"; cat "$f"; done
  fi
}

auth=(-H "Authorization: Bearer $list_token")
scenario pistache "Pistache ceiling (trivial handler)" ceiling "$CONNECTIONS" pistache_ceiling
scenario health "GET /health" pistache "$CONNECTIONS" run_wrk "$CONNECTIONS" "$base/health"
CONNECTION=close scenario health-close "GET /health, a connection per request" none "$CONNECTIONS" \
  run_wrk "$CONNECTIONS" "$base/health"
scenario projects "GET /api/v1/projects ($PROJECTS projects)" pgbench "$CONNECTIONS" \
  run_wrk "$CONNECTIONS" "${auth[@]}" "$base/api/v1/projects"
scenario maturity "GET /api/v1/projects/{id}/maturity" pgbench "$CONNECTIONS" \
  run_wrk "$CONNECTIONS" "${auth[@]}" "$base/api/v1/projects/$maturity_project/maturity"
scenario describe "POST /api/v1/agents/socratic/describe" none "$CONNECTIONS" \
  run_lua "$CONNECTIONS" bench/describe.lua "$base/api/v1/agents/socratic/describe" TOKEN="$list_token"
EXPECT=201 scenario create "POST /api/v1/projects (201 only)" pgbench "$CONNECTIONS" \
  run_lua "$CONNECTIONS" bench/post.lua "$base/api/v1/projects" DATA="$work/create.lua" TOKEN="$writer_token"
scenario interview "POST /api/v1/sessions/{id}/answer (turns)" pgbench "$INTERVIEWS" \
  run_lua "$INTERVIEWS" bench/interview.lua "$base" TOKEN="$interview_token" DATA="$work/interviews.lua" \
  WRK_THREADS="$(( THREADS < INTERVIEWS ? THREADS : INTERVIEWS ))"
scenario paced "answer, ~${THINK_MS:-100} ms of thought between turns" pgbench "$INTERVIEWS" \
  run_lua "$INTERVIEWS" bench/interview.lua "$base" TOKEN="$interview_token" DATA="$work/interviews.lua" \
  WRK_THREADS="$(( THREADS < INTERVIEWS ? THREADS : INTERVIEWS ))" THINK_MS="${THINK_MS:-100}"
scenario pgbench "pgbench -S ceiling (select-only, per query)" ceiling "$CONNECTIONS" pgbench_select
scenario pgbench-list "pgbench: the projects list's 2 statements" ceiling "$CONNECTIONS" pgbench_list
scenario login "POST /api/v1/auth/login (argon2id)" none "$LOGIN_CONNECTIONS" \
  run_lua "$LOGIN_CONNECTIONS" bench/post.lua "$base/api/v1/auth/login" DATA="$work/login.lua"

finish
[ "$failures" -eq 0 ] || { echo "bench: $failures scenario(s) could not run" >&2; exit 1; }
