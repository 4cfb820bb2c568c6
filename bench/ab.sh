#!/usr/bin/env bash
# A/B of this tree against another checkout (a baseline commit, say) on the same machine: runs
# bench/bench.sh of each tree in turn, PAIRS times, the baseline first in each pair, and prints each
# run's req/s and CPU µs per request (host + PostgreSQL), then per scenario the median of each side
# and the median of the pairs' ratios (this tree / baseline). Each tree is built by its own
# bench.sh (release mode, into its build-release/).
#
#   git worktree add /tmp/base 062a32b && bash bench/ab.sh /tmp/base
#   SCENARIOS="interview describe" PAIRS=8 DURATION=8s bash bench/ab.sh /tmp/base
#
# Why pairs and medians: on a shared 2-core VM identical runs differ by 20–30% from one minute to
# the next, both in req/s and in CPU per request, so a single run of each side says little; a
# pair's two runs are a minute apart, and the median of the ratios discards the pairs where one
# side met a slow minute. A scenario the baseline's bench.sh does not know is reported as missing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
base=${1:?usage: bench/ab.sh BASELINE_TREE (a checkout with its own bench/bench.sh)}
base=$(cd "$base" && pwd)
[ -f "$base/bench/bench.sh" ] || { echo "ab: $base has no bench/bench.sh" >&2; exit 2; }
PAIRS=${PAIRS:-5}
SCENARIOS=${SCENARIOS:-interview}
export DURATION=${DURATION:-8s}
results=$(mktemp)
trap 'rm -f "$results"' EXIT

# The table row of one scenario's run: "req/s host_us pg_us" (empty when the run failed).
run() {
  local tree=$1 scenario=$2
  (cd "$tree" && SCENARIOS=$scenario bash bench/bench.sh 2>/dev/null) |
    awk -F'|' '/^\| / && $4 ~ /[0-9]/ { gsub(/[ ,]/, "", $4); split($9, cpu, "+"); gsub(/ /, "", cpu[1]); gsub(/ /, "", cpu[2]);
                                        print $4, cpu[1], cpu[2]; exit }'
}

for (( pair = 1; pair <= PAIRS; pair++ )); do
  for scenario in $SCENARIOS; do
    for side in base this; do
      tree=$([ "$side" = base ] && echo "$base" || echo "$root")
      row=$(run "$tree" "$scenario" || true)
      echo "$scenario $pair $side ${row:-missing}" | tee -a "$results"
    done
  done
done

python3 - "$results" <<'EOF'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    parts = line.split()
    if len(parts) == 6:
        scenario, pair, side, rps, host, pg = parts
        runs.setdefault(scenario, {}).setdefault(int(pair), {})[side] = (float(rps), float(host), float(pg))
print()
print(f"{'scenario':<12} {'pairs':>5} {'base req/s':>11} {'this req/s':>11} {'ratio':>6}  ratios of the pairs   CPU µs/req base → this")
for scenario, pairs in runs.items():
    both = [p for p in pairs.values() if "base" in p and "this" in p]
    if not both:
        print(f"{scenario:<12} {0:>5}  missing (a side could not run it)")
        continue
    ratios = sorted(p["this"][0] / p["base"][0] for p in both)
    med = lambda side, i: statistics.median(p[side][i] for p in both)
    print(f"{scenario:<12} {len(both):>5} {med('base', 0):>11.0f} {med('this', 0):>11.0f} {statistics.median(ratios):>6.2f}  "
          f"{' '.join(f'{r:.2f}' for r in ratios):<20}  {med('base', 1):.0f} + {med('base', 2):.0f} → "
          f"{med('this', 1):.0f} + {med('this', 2):.0f}")
EOF
