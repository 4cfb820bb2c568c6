# Shared by the benchmarks: the release build, a throwaway PostgreSQL cluster and the host on
# loopback. Source it after `root` is set; `trap bench_cleanup EXIT`; then either bench_start_host
# (cluster + host in one step) or bench_start_pg, bench_host_env and bench_launch_host.
# Sets: build_dir, host_bin, work (temp folder), port and base (the host), host_pid; after
# bench_start_pg also pg_port and pg_password.
#
# BENCH_BUILD_DIR overrides the build folder (default build-release/). The host runs with the
# project's defaults: no .env file, and THREADS (wrk's thread count in the bench scripts) is not
# passed on to it; HOST_THREADS sets its reactor threads (default: one per core).
source "$root/scripts/lib/pg.sh"
export PYTHONDONTWRITEBYTECODE=1  # the helpers import bench/benchlib.py: no __pycache__ in the tree

build_dir=${BENCH_BUILD_DIR:-$root/build-release}
host_bin="$build_dir/host/socrates-host"
work=$(mktemp -d /tmp/socrates-bench.XXXXXX)
# Its own folder, as scripts/test.sh does: as root the cluster belongs to `postgres`, which cannot
# enter $work (mode 700).
cluster=$(mktemp -d /tmp/socrates-bench-pg.XXXXXX)
host_pid=""
wrk_pid=""
helper_pid=""   # another server of a benchmark's own (bench.sh: the Pistache ceiling)

# bench_stop PID: SIGTERM and wait (when it is our child).
bench_stop() {
  [ -n "$1" ] || return 0
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

bench_cleanup() {
  bench_stop "$wrk_pid"
  bench_stop "$helper_pid"
  bench_stop "$host_pid"
  pg_stop "$cluster"
  rm -rf "$work" "$cluster"
}

# bench_build [CMAKE_ARGS...]: installs what is missing and builds the release host and plugins
# into $build_dir; prints the build's last lines and exits when it fails.
bench_build() {
  bash "$root/scripts/install-deps.sh" >/dev/null
  if ! BUILD_DIR="$build_dir" BUILD_TYPE=Release bash "$root/scripts/build.sh" -DSOCRATES_BUILD_TESTS=OFF "$@" \
       > "$work/build.log" 2>&1; then
    tail -n 40 "$work/build.log" >&2
    echo "bench: the release build in $build_dir failed" >&2
    exit 1
  fi
}

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

# login EMAIL PASSWORD: prints an access token.
login() {
  curl -sf -XPOST "$base/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$1\",\"password\":\"$2\"}" | json '["access_token"]'
}

# A throwaway cluster with the host's two databases; exports their URLs.
bench_start_pg() {
  pg_password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
  pg_port=$(pg_free_port)
  pg_init "$cluster" "$pg_port" socrates "$pg_password"
  # A fresh cluster has no WAL segments to recycle: each new 16 MiB segment is zero-filled while
  # commits wait (measured: interview p99 59 ms with it, 26-29 ms without). A cluster that has run
  # for a while renames old segments instead, so the benchmark skips the zero-fill: the segment is
  # created sparse and its blocks are allocated as WAL is written (durable: fdatasync covers that;
  # slower than a recycled segment, so it errs on the side of a slower figure).
  echo "wal_init_zero = off" | pg_as_owner tee -a "$cluster/postgresql.conf" >/dev/null
  if [ -n "${PG_STATS:-}" ]; then
    printf '%s\n' "shared_preload_libraries = 'pg_stat_statements'" "pg_stat_statements.track = all" \
      "pg_stat_statements.track_planning = on" | pg_as_owner tee -a "$cluster/postgresql.conf" >/dev/null
  fi
  pg_start "$cluster"
  pg_create_db "$(bench_pg_url postgres)" bench_auth
  pg_create_db "$(bench_pg_url postgres)" bench_specs
  if [ -n "${PG_STATS:-}" ]; then psql "$(bench_pg_url postgres)" -qc "CREATE EXTENSION pg_stat_statements" >/dev/null; fi
  export DATABASE_URL_AUTH DATABASE_URL_SPECS
  DATABASE_URL_AUTH=$(bench_pg_url bench_auth)
  DATABASE_URL_SPECS=$(bench_pg_url bench_specs)
}

# PG_STATS=1: what the server did during a scenario. bench_pg_stats_reset before it; bench_pg_stats
# FILE after it writes, as TSV, every statement's database, calls, total execution and planning ms,
# rows and text (pg_stat_statements), then a "wal" line: WAL records, bytes, writes and syncs
# (pg_stat_wal), for bench/report.py to print per request.
bench_pg_stats_reset() {
  [ -n "${PG_STATS:-}" ] || return 0
  psql "$(bench_pg_url postgres)" -qAtc "SELECT pg_stat_statements_reset(); SELECT pg_stat_reset_shared('wal')" >/dev/null
}
bench_pg_stats() {
  [ -n "${PG_STATS:-}" ] || return 0
  psql "$(bench_pg_url postgres)" -qAt -F $'\t' -c "SELECT d.datname, s.calls, round(s.total_exec_time::numeric, 3),
      round(s.total_plan_time::numeric, 3), s.rows, regexp_replace(s.query, '\\s+', ' ', 'g')
    FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
    WHERE d.datname LIKE 'bench_%' AND s.query NOT LIKE '%pg_stat_%' ORDER BY s.total_exec_time DESC" > "$1"
  psql "$(bench_pg_url postgres)" -qAt -F $'\t' -c "SELECT 'wal', wal_records, wal_bytes, wal_write, wal_sync
    FROM pg_stat_wal" >> "$1"
}

# bench_pg_url DATABASE: the URL of a database of the throwaway cluster.
bench_pg_url() { echo "postgresql://socrates:$pg_password@127.0.0.1:$pg_port/$1"; }

# The host's environment (after bench_start_pg): a fresh secret, a free port on loopback, quiet logs.
bench_host_env() {
  port=$(pg_free_port)
  base="http://127.0.0.1:$port"
  SECRET_KEY=$(head -c 48 /dev/urandom | base64 | tr -d '\n')
  export SECRET_KEY PORT=$port BIND_ADDRESS=127.0.0.1 LOG_LEVEL=warn ACCESS_LOG=false ENV_FILE=/dev/null
  export PLUGIN_COPY_DIR="$work/plugins" PLUGIN_DIR="$build_dir/plugins"
  host_cmd=(env -u THREADS ${HOST_ENV:-} "$host_bin" serve)
  if [ -n "${HOST_THREADS:-}" ]; then host_cmd+=(--threads "$HOST_THREADS"); fi
}

# bench_wait_http URL PID LOG: waits up to 10 s for a 200 from URL; exits (printing LOG) when the
# process PID ends first or the time runs out.
bench_wait_http() {
  local url=$1 pid=$2 log=$3
  for _ in $(seq 1 200); do
    curl -sf -o /dev/null "$url" && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  curl -sf -o /dev/null "$url" && return 0
  cat "$log" >&2
  echo "bench: $url did not answer" >&2
  exit 1
}

# Starts the host (after bench_host_env) and waits for its first healthy answer.
bench_launch_host() {
  "${host_cmd[@]}" > "$work/host.log" 2>&1 &
  host_pid=$!
  bench_wait_http "$base/health" "$host_pid" "$work/host.log"
}

bench_start_host() {
  bench_start_pg
  bench_host_env
  bench_launch_host
}

# bench_seed_interviews SESSIONS PROJECTS (after bench_start_host): the interview benchmarks' data.
# Registers a user and sets `token` to its access token, seeds SESSIONS interviews into
# $work/interviews.lua (bench/seed_interviews.py) and PROJECTS background projects
# (bench/background.sql), then VACUUM (ANALYZE)s both databases. The files are $root's: a baseline
# checkout is seeded by its own (bench/ab_live.sh, bench/callgrind_turn.sh TREE), even one whose
# bench/lib.sh predates this function.
bench_seed_interviews() {
  curl -sf -XPOST "$base/api/v1/auth/register" -H 'Content-Type: application/json' \
    -d '{"email":"bench@example.com","password":"Bench-seed-passw0rd","username":"bench","full_name":"Bench"}' >/dev/null
  token=$(login bench@example.com Bench-seed-passw0rd)
  python3 "$root/bench/seed_interviews.py" "$base" "$token" "$1" "$root/bench/interview_answers.json" \
    "$work/interviews.lua" >/dev/null
  psql "$DATABASE_URL_SPECS" -q -v ON_ERROR_STOP=1 -v projects="$2" -f "$root/bench/background.sql" >/dev/null
  local db
  for db in "$DATABASE_URL_AUTH" "$DATABASE_URL_SPECS"; do psql "$db" -qc "VACUUM (ANALYZE)" >/dev/null; done
}

# bench_cpu_split PID...: "user system", the CPU time (clock ticks) the processes have used.
bench_cpu_split() {
  local user=0 system=0 pid stat fields
  for pid in "$@"; do
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
    stat=${stat##*) }  # the fields after the command name (which may hold spaces)
    read -r -a fields <<< "$stat"
    user=$(( user + fields[11] )); system=$(( system + fields[12] ))
  done
  echo "$user $system"
}

# bench_cpu_ticks PID...: the CPU time (user + system, in clock ticks) the processes have used.
bench_cpu_ticks() {
  local user system
  read -r user system < <(bench_cpu_split "$@")
  echo $(( user + system ))
}

# bench_cpu_totals: the machine's "cpu" line of /proc/stat: all ticks and stolen ticks (time the
# hypervisor gave this machine's CPUs to others: a busy neighbour slows every figure down).
bench_cpu_totals() {
  awk '$1 == "cpu" { total = 0; for (i = 2; i <= NF; i++) total += $i; print total, $9 }' /proc/stat
}

# The cluster's processes: the postmaster and its children (backends, WAL writer, ...).
bench_pg_pids() {
  local postmaster
  postmaster=$(head -n 1 "$cluster/postmaster.pid" 2>/dev/null) || return 0
  echo "$postmaster" $(pgrep -P "$postmaster")
}

# bench_status_kib PID FIELD: a /proc/PID/status figure in KiB (VmRSS, VmHWM).
bench_status_kib() { awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status"; }
