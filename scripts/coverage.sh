#!/usr/bin/env bash
# Line coverage of host/, sdk/, libs/ and plugins/ over the whole test suite (unit, integration, e2e,
# engine, fuzz replays): scripts/test.sh with COVERAGE=1, i.e. an instrumented build in
# build-coverage/, the suite against a throwaway cluster, then gcovr (scripts/lib/coverage.sh).
# Prints the figure only when every test passed; otherwise names the failed tests and exits
# non-zero. Extra arguments go to ctest (a subset's figure says which subset it covers).
# The HTML report is build-coverage/coverage/index.html.
set -euo pipefail
COVERAGE=1 exec bash "$(dirname "$0")/test.sh" "$@"
