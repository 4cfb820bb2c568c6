#!/usr/bin/env bash
# Simulated stakeholders (bench/stakeholders.py, personas in bench/stakeholders.json): each persona
# answers the real interview through the API of the real host, against a throwaway PostgreSQL; per
# persona, the hidden requirements recorded correctly after 10, 20 and 40 questions and the
# questions wasted (asked about a category the persona had nothing left to say about).
#
#   bash bench/stakeholders.sh [--json FILE]
#
# Uses the host and plugins of build/ (BENCH_BUILD_DIR overrides; builds them when missing) and
# compares with bench/stakeholders_floor.json: exit 1 when a persona is under its floor.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export BENCH_BUILD_DIR=${BENCH_BUILD_DIR:-$root/build}
source "$root/bench/lib.sh"
trap bench_cleanup EXIT
[ -f "$build_dir/build.ninja" ] || cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
[ -n "${STAKEHOLDERS_NO_BUILD:-}" ] || cmake --build "$build_dir" --target socrates-host project_manager_agent socratic_agent context_agent >/dev/null
bench_start_host
python3 "$root/bench/stakeholders.py" "$base" --floor "$root/bench/stakeholders_floor.json" "$@"
