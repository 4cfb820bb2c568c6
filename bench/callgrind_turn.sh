#!/usr/bin/env bash
# Instructions per interview turn, host and PostgreSQL, counted by callgrind: unlike seconds on a
# shared VM, the same binaries and inputs give nearly the same counts (three runs of one build:
# host 916,927 to 917,540, PostgreSQL 2,248,837 to 2,284,556 per turn), so a change of a few
# percent shows.
#
#   bash bench/callgrind_turn.sh              # this tree's release build
#   bash bench/callgrind_turn.sh /tmp/base    # another checkout, by its own bench/lib.sh and data
#   OUT=/tmp/cg bash bench/callgrind_turn.sh  # keeps the callgrind files for callgrind_annotate
#
# Seeds SESSIONS (128) interviews and the background projects (bench/background.sql, PROJECTS
# 2000) as bench/ab_live.sh does, then runs the cluster and the host under callgrind twice from that
# same state (autovacuum and timed checkpoints off, so that nothing but the turns runs), answering
# turns one at a time (bench/turns.py): WARM (100) turns, then WARM + MEASURE (400). Every process
# is counted from its start to its exit, so the difference of the two runs is MEASURE turns' work
# (start, warm-up and shutdown cancel out). Prints it per turn for the host and for the cluster (its
# backends, WAL writer, checkpointer and the rest, summed).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
tree=$(cd "${1:-$here}" && pwd)
[ -f "$tree/bench/lib.sh" ] || { echo "callgrind_turn: $tree has no bench/lib.sh" >&2; exit 2; }
SESSIONS=${SESSIONS:-128}
PROJECTS=${PROJECTS:-2000}
WARM=${WARM:-100}
MEASURE=${MEASURE:-400}
# This tree's bench_seed_interviews, then the measured tree's build, cluster and host (its own
# bench/lib.sh, which keeps this one's seeding function when it has none of its own).
root=$here
# shellcheck source=bench/lib.sh
source "$here/bench/lib.sh"
rm -rf "$work" "$cluster"
root=$tree
# shellcheck source=bench/lib.sh
source "$tree/bench/lib.sh"
# Beside the cluster, not in $work: the cluster's processes (user postgres when run as root) cannot
# enter $work (mode 700), as bench/lib.sh says.
out=${OUT:-$cluster.callgrind}
vg=(valgrind --tool=callgrind --vgdb=no --dump-instr=no)
seeded="$cluster.seeded"
pg_vg_pid=""
finish() {
  bench_stop "$pg_vg_pid"
  rm -rf "$seeded"
  if [ -z "${OUT:-}" ]; then rm -rf "$out"; fi
  bench_cleanup
}
trap finish EXIT

bench_build -DSOCRATES_BUILD_BENCH=ON
bench_start_host
bench_seed_interviews "$SESSIONS" "$PROJECTS"  # sets token
bench_stop "$host_pid"
host_pid=""
pg_as_owner "$PG_BIN/pg_ctl" -D "$cluster" -w -m fast stop >/dev/null
cp -a "$cluster" "$seeded"

# run NAME TURNS: the cluster (a fresh copy of the seeded one) and the host under callgrind, TURNS
# turns, both stopped; their callgrind files go to $out/NAME.
run() {
  local name=$1 turns=$2
  rm -rf "$cluster" "${out:?}/$name"
  cp -a "$seeded" "$cluster"
  mkdir -p "$out/$name"
  chmod 777 "$out/$name"  # the cluster's processes (user postgres when run as root) write theirs here
  # Every process of the cluster is forked from the postmaster, and so counted.
  pg_as_owner "${vg[@]}" --callgrind-out-file="$out/$name/pg.%p" "$PG_BIN/postgres" -D "$cluster" \
    -c autovacuum=off -c checkpoint_timeout=1d -c max_wal_size=10GB > "$work/pg-$name.log" 2>&1 &
  pg_vg_pid=$!
  for _ in $(seq 1 600); do
    pg_isready -q -h 127.0.0.1 -p "$pg_port" && break
    sleep 0.1
  done
  # shellcheck disable=SC2086  # HOST_ENV: extra NAME=VALUE words for the host, as in bench/lib.sh
  env -u THREADS ${HOST_ENV:-} "${vg[@]}" --callgrind-out-file="$out/$name/host.%p" "$host_bin" serve > "$work/host-$name.log" 2>&1 &
  host_pid=$!
  # bench_wait_http's 10 s are too few for a host starting under callgrind.
  for _ in $(seq 1 600); do
    curl -sf -o /dev/null "$base/health" && break
    kill -0 "$host_pid" 2>/dev/null || { cat "$work/host-$name.log" "$work/pg-$name.log" >&2; exit 1; }
    sleep 0.2
  done
  rm -f "$work/turns.json"
  python3 "$here/bench/turns.py" "$base" "$token" "$work/interviews.lua" "$turns" "$work/turns.json"
  bench_stop "$host_pid"
  host_pid=""
  pg_as_owner "$PG_BIN/pg_ctl" -D "$cluster" -w -t 300 -m fast stop >/dev/null
  wait "$pg_vg_pid" 2>/dev/null || true
  pg_vg_pid=""
}
run warm "$WARM"
run measured $((WARM + MEASURE))

python3 - "$MEASURE" "$out" <<'EOF'
import glob, re, sys
turns, out = int(sys.argv[1]), sys.argv[2]

def totals(run):
    """The host's instructions, and each process of the cluster's."""
    host, cluster = 0, []
    for path in glob.glob(f"{out}/{run}/*"):
        with open(path, errors="replace") as f:
            total = int(re.search(r"^(?:summary|totals): (\d+)", f.read(), re.M).group(1))
        if "/host." in path:
            host += total
        else:
            cluster.append(total)
    return host, sorted(cluster)

(host0, pg0), (host1, pg1) = totals("warm"), totals("measured")
# The pools open connections on demand, so one run can have a connection more that did nothing but
# start (~40-55M instructions, as much as an idle process of the cluster): the smallest processes of
# the run with more are left out, so that both count as many.
extra = len(pg0) - len(pg1)
if extra:
    print(f"note: {abs(extra)} idle process(es) more in the {'warm' if extra > 0 else 'measured'} run, left out")
    pg0, pg1 = pg0[max(extra, 0):], pg1[max(-extra, 0):]
print(f"host      {(host1 - host0) / turns:12,.0f} instructions per turn")
print(f"postgres  {(sum(pg1) - sum(pg0)) / turns:12,.0f} instructions per turn (every process of the cluster)")
EOF
