#!/usr/bin/env bash
# A/B of the interview turn, both sides live at once: this tree's host and a baseline checkout's
# host each run on their own throwaway cluster, seeded alike (bench/seed_interviews.py, the
# background projects of bench/background.sql), and wrk alternates between them in short windows
# (WINDOW seconds, ROUNDS rounds, the order swapped every round). Prints each window's turns/s and
# CPU µs per turn (host, PostgreSQL, and the system part of each), then each side's medians and
# the median of the rounds' ratios (this tree / baseline).
#
#   git worktree add /tmp/base 062a32b && bash bench/ab_live.sh /tmp/base
#   ROUNDS=20 WINDOW=4 SESSIONS=512 bash bench/ab_live.sh /tmp/base
#
# Why: on a shared 2-core VM the machine's speed drifts by 20–30% from one minute to the next;
# bench/ab.sh runs whole bench.sh runs a minute apart, so a pair often straddles a drift. Here the
# two sides of a round are seconds apart on hosts that are both warm. The interviews go on from
# window to window: SESSIONS (512) interviews spread the turns so that, as in bench.sh, each
# interview stays a few dozen turns long. Each side is built by its own bench/lib.sh (release).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
base_tree=${1:?usage: bench/ab_live.sh BASELINE_TREE (a checkout with its own bench/lib.sh)}
base_tree=$(cd "$base_tree" && pwd)
[ -f "$base_tree/bench/lib.sh" ] || { echo "ab_live: $base_tree has no bench/lib.sh" >&2; exit 2; }
ROUNDS=${ROUNDS:-16}
WINDOW=${WINDOW:-4}
SESSIONS=${SESSIONS:-512}
CONNECTIONS=${CONNECTIONS:-16}
state=$(mktemp -d /tmp/socrates-ab-live.XXXXXX)
side_pids=()
# For bench_cpu_split, bench_pg_pids and bench_seed_interviews (this script's own work and cluster
# folders stay empty).
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
finish() {
  touch "$state/stop"
  for pid in "${side_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$state"
  bench_cleanup
}
trap finish EXIT

# side NAME TREE: builds TREE, starts its cluster and host, seeds them, writes $state/NAME.env and
# keeps them up until $state/stop appears (run in the background).
side() {
  local name=$1 tree=$2
  (
    root=$tree
    cd "$root"
    # shellcheck source=bench/lib.sh
    source bench/lib.sh
    trap bench_cleanup EXIT
    bench_build -DSOCRATES_BUILD_BENCH=ON
    bench_start_host
    # This tree's (sourced above), unless the side's bench/lib.sh has its own; sets `token`.
    bench_seed_interviews "$SESSIONS" 2000
    # shellcheck disable=SC2154  # work, base, cluster, host_pid: set by bench/lib.sh
    printf 'base=%s\ntoken=%s\ndata=%s\nhost_pid=%s\ncluster=%s\nlua=%s\n' "$base" "$token" \
      "$work/interviews.lua" "$host_pid" "$cluster" "$root/bench/interview.lua" > "$state/$name.tmp"
    mv "$state/$name.tmp" "$state/$name.env"
    while [ ! -e "$state/stop" ]; do sleep 0.5; done
  ) > "$state/$name.log" 2>&1
}

# window NAME: one wrk window on that side; prints "NAME turns/s host_us pg_us host_sys_us pg_sys_us".
window() {
  local name=$1 base token data host_pid cluster lua
  # shellcheck disable=SC1090
  source "$state/$name.env"
  local h0 p0 h1 p1 out turns
  # bench_pg_pids reads `cluster`: this side's, from its env file.
  h0=$(bench_cpu_split "$host_pid")
  # shellcheck disable=SC2046  # the cluster's processes, one word each
  p0=$(bench_cpu_split $(bench_pg_pids))
  out=$(cd "$root/bench" && EXPECT=200 TOKEN=$token DATA=$data WRK_THREADS=2 \
        wrk -t2 -c"$CONNECTIONS" -d"${WINDOW}s" -s "$lua" "$base" 2>&1)
  h1=$(bench_cpu_split "$host_pid")
  # shellcheck disable=SC2046
  p1=$(bench_cpu_split $(bench_pg_pids))
  turns=$(sed -n 's/.*Statuses: .*200=\([0-9]*\).*/\1/p' <<< "$out")
  python3 - "$name" "${turns:-0}" "$WINDOW" "$(getconf CLK_TCK)" $h0 $h1 $p0 $p1 <<'PY'
import sys
name, turns, window, hz = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
hu0, hs0, hu1, hs1, pu0, ps0, pu1, ps1 = map(int, sys.argv[5:13])
us = lambda t: t * 1e6 / hz / max(turns, 1)
print(name, round(turns / window), round(us(hu1 - hu0 + hs1 - hs0)), round(us(pu1 - pu0 + ps1 - ps0)),
      round(us(hs1 - hs0)), round(us(ps1 - ps0)))
PY
}

echo "ab_live: building and seeding both sides (this tree: $root; baseline: $base_tree)" >&2
# One side after the other: their builds and seeding would otherwise share the cores.
for name in base this; do
  side "$name" "$([ "$name" = base ] && echo "$base_tree" || echo "$root")" &
  side_pids+=($!)
  until [ -e "$state/$name.env" ]; do
    kill -0 "$!" 2>/dev/null || { tail -n 30 "$state/$name.log" >&2; echo "ab_live: the $name side failed" >&2; exit 1; }
    sleep 1
  done
done

echo "window  turns/s  host µs  PG µs  (system: host, PG) per turn" >&2
for (( round = 1; round <= ROUNDS; round++ )); do
  if (( round % 2 )); then order="base this"; else order="this base"; fi
  for name in $order; do window "$name"; done
done | tee "$state/windows"

python3 - "$state/windows" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
side = {name: [r for r in rows if r[0] == name] for name in ("base", "this")}
med = lambda name, i: statistics.median(float(r[i]) for r in side[name])
for name in ("base", "this"):
    print(f"{name}: median {med(name, 1):.0f} turns/s, CPU µs per turn host {med(name, 2):.0f} + PG {med(name, 3):.0f} "
          f"(system {med(name, 4):.0f} + {med(name, 5):.0f})")
ratios = sorted(float(t[1]) / float(b[1]) for b, t in zip(side["base"], side["this"]) if float(b[1]) > 0)
print("ratios of the rounds (this/base):", " ".join(f"{r:.2f}" for r in ratios))
print(f"median ratio {statistics.median(ratios):.3f}; ratio of the medians {med('this', 1) / med('base', 1):.3f}")
PY
