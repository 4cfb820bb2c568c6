# Line coverage for scripts/test.sh COVERAGE=1 (and so scripts/coverage.sh). Sourced; needs `root`.

# coverage_build: the instrumented Debug build (-DSOCRATES_COVERAGE=ON) into BUILD_DIR (default
# build-coverage/), with the counters of any earlier run removed.
coverage_build() {
  export BUILD_DIR=${BUILD_DIR:-$root/build-coverage} BUILD_TYPE=Debug
  bash "$root/scripts/build.sh" -DSOCRATES_COVERAGE=ON -DSOCRATES_SANITIZE=
  find "$BUILD_DIR" -name '*.gcda' -delete
}

# coverage_refuse STATUS: after a failing suite, names the failed tests and gives no figure (a
# figure of a run where tests failed counts lines that no passing test vouches for).
coverage_refuse() {
  local failed="$BUILD_DIR/Testing/Temporary/LastTestsFailed.log"
  echo "coverage: the suite failed (ctest exit status $1), so there is no coverage figure." >&2
  if [ -s "$failed" ]; then
    echo "coverage: failed tests: $(cut -d: -f2- "$failed" | paste -sd' ')" >&2
  fi
}

# coverage_report [CTEST_ARGS...]: gcovr over the counters of the suite that just passed: line
# coverage of host/, sdk/, libs/ and plugins/ (main.cpp, the untested glue, excluded). Writes the HTML
# report to BUILD_DIR/coverage/index.html and prints the summary, its lines figure last.
coverage_report() {
  local out="$BUILD_DIR/coverage" summary
  mkdir -p "$out"
  summary=$(gcovr --root "$root" --object-directory "$BUILD_DIR" \
    --filter "$root/host/" --filter "$root/sdk/" --filter "$root/libs/" --filter "$root/plugins/" \
    --exclude "$root/host/app/main.cpp" \
    --gcov-ignore-parse-errors \
    --html-details "$out/index.html" --print-summary 2>"$out/gcovr.log") ||
    { tail -n 20 "$out/gcovr.log" >&2; echo "coverage: gcovr failed" >&2; return 1; }
  echo
  echo "Coverage of host/, sdk/, libs/ and plugins/ over $([ $# -eq 0 ] && echo "the whole suite" || echo "ctest $*")," \
    "every test passed (HTML: $out/index.html):"
  grep -v '^lines:' <<< "$summary" || true
  grep '^lines:' <<< "$summary" | sed 's/^lines:/line coverage:/'
}
