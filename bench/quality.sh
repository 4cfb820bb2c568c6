#!/usr/bin/env bash
# The built-in engine's extraction quality on the labelled evaluation set (tests/data/eval):
# category, slot and value/unit accuracy, quantities with their units, precision and recall, by
# category, for the development half and the held half, and the worst misses of the development
# half (the held half's stay hidden: the engine is never tuned on them; README "Quality bench").
#
#   bash bench/quality.sh [--misses N] [--json FILE] [--show-held-misses]
#
# Builds socrates_quality into build/ (BUILD_DIR overrides) and compares with tests/quality/floor.json:
# exit 1 when a figure is under its floor. No database, no network; a second or so.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
[ -f "$build/build.ninja" ] || cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --target socrates_quality >/dev/null
python3 "$root/tests/quality/eval_set_check.py"
exec "$build/tests/quality/socrates_quality" --data "$root/libs/engine/data" --eval "$root/tests/data/eval" \
  --floor "$root/tests/quality/floor.json" "$@"
