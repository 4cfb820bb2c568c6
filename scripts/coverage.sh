#!/usr/bin/env bash
# Line coverage of host/, sdk/ and plugins/ over the whole test suite (unit, integration, e2e):
# an instrumented build in build-coverage/, the suite against a throwaway cluster, then gcovr.
# Prints the summary; the HTML report is build-coverage/coverage/index.html.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build="$root/build-coverage"
export BUILD_DIR="$build" BUILD_TYPE=Debug
bash scripts/install-deps.sh
bash scripts/build.sh -DSOCRATES_COVERAGE=ON
find "$build" -name '*.gcda' -delete
status=0
bash scripts/test.sh || status=$?
mkdir -p "$build/coverage"
gcovr --root "$root" --object-directory "$build" \
  --filter "$root/host/" --filter "$root/sdk/" --filter "$root/plugins/" \
  --exclude "$root/host/app/main.cpp" \
  --gcov-ignore-parse-errors \
  --html-details "$build/coverage/index.html" --print-summary 2>"$build/coverage/gcovr.log" | tail -n 3
exit $status
