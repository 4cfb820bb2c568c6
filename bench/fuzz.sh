#!/usr/bin/env bash
# Fuzzes the host's input paths with libFuzzer: builds the harnesses of fuzz/ with clang-15 and
# AddressSanitizer + UBSan into build-fuzz/ (installing clang-15 and libfuzzer-15-dev when
# missing), runs each for FUZZ_SECONDS, one after another, starting from its in-tree corpus
# fuzz/corpus/<name>/, and prints per harness: executions, executions per second, coverage
# (libFuzzer's cov: edges and ft: features at the end), inputs found that add coverage, and its
# findings (crashes, failed checks, timeouts, leaks, out-of-memory) with their reproducer files.
# A harness stops at its first finding unless FUZZ_KEEP_GOING=1.
#
#   bash bench/fuzz.sh                                    # every harness, 600 s each
#   FUZZERS="router token" FUZZ_SECONDS=60 bash bench/fuzz.sh
#   FUZZ_MERGE=1 bash bench/fuzz.sh                       # then add the new coverage to fuzz/corpus/
#
# Settings: FUZZ_SECONDS (600), FUZZERS (all: http json_body token router engine quantity),
# FUZZ_MERGE (0; 1 merges the inputs that add coverage into fuzz/corpus/<name>/, to commit; the
# "new" column then reads found/+merged), FUZZ_KEEP_GOING (0; 1 runs libFuzzer's fork mode, which
# records every finding and goes on: slower, and its cov/ft are the fork mode's own counters),
# FUZZ_BUILD_DIR (build-fuzz/), FUZZ_OUT (where logs, new inputs and crashes go; default a new
# folder under /tmp, kept), FUZZ_ARGS (more libFuzzer flags, e.g. "-use_value_profile=1").
# Reproduce a crash: build-fuzz/fuzz/<name>_fuzz <crash file>; once fixed, add the file to
# fuzz/corpus/<name>/ so the test command replays it for ever.
# Exit status: 1 when a harness found something, 2 when it could not run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

ALL_FUZZERS="http json_body token router engine quantity"
FUZZ_SECONDS=${FUZZ_SECONDS:-600}
FUZZERS=${FUZZERS:-$ALL_FUZZERS}
FUZZ_MERGE=${FUZZ_MERGE:-0}
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
out=${FUZZ_OUT:-$(mktemp -d /tmp/socrates-fuzz.XXXXXX)}
mkdir -p "$out"

if ! [[ "$FUZZ_SECONDS" =~ ^[1-9][0-9]*$ ]]; then
  echo "fuzz: FUZZ_SECONDS must be a whole number of seconds, 1 or more (got '$FUZZ_SECONDS')" >&2
  exit 2
fi
for name in $FUZZERS; do
  if ! [[ " $ALL_FUZZERS " == *" $name "* ]]; then
    echo "fuzz: no harness '$name' (there are: $ALL_FUZZERS)" >&2
    exit 2
  fi
done

bash scripts/install-deps.sh fuzz >/dev/null
if ! { cmake -S "$root" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++-15 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
         -DSOCRATES_BUILD_TESTS=OFF -DSOCRATES_BUILD_FUZZ=ON &&
       cmake --build "$build" -j "$(nproc)" --target socrates_fuzzers; } > "$out/build.log" 2>&1; then
  tail -n 40 "$out/build.log" >&2
  echo "fuzz: the fuzz build in $build failed (log: $out/build.log)" >&2
  exit 2
fi

# A finding stops the harness with a report; leaks count (LeakSanitizer is on by default).
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# Stacks with function names and lines (clang-15 does not bring llvm-symbolizer onto the PATH).
for symbolizer in llvm-symbolizer-15 /usr/lib/llvm-15/bin/llvm-symbolizer llvm-symbolizer; do
  if command -v "$symbolizer" >/dev/null; then export ASAN_SYMBOLIZER_PATH=${ASAN_SYMBOLIZER_PATH:-$(command -v "$symbolizer")}; break; fi
done

# stat NAME LOG: libFuzzer's final "stat::NAME:" value (not printed in fork mode).
stat() { sed -n "s/^stat::$1: *//p" "$2" | tail -n 1; }
# last_status FIELD LOG: FIELD of the last status line ("#123 DONE cov: 220 ft: 676 ... exec/s: 9"
# or, in fork mode, "#123: cov: 5843 ft: 3756 corp: 176 exec/s 825 ...").
last_status() { grep -E '^#[0-9]+' "$2" | tail -n 1 | grep -oE "$1:? [0-9]+" | grep -oE '[0-9]+$' || true; }

keep_going=()
[ "${FUZZ_KEEP_GOING:-0}" = "1" ] && keep_going=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)

failed=0
rows=()
details=()
for name in $FUZZERS; do
  bin="$build/fuzz/${name}_fuzz"
  corpus="$root/fuzz/corpus/$name"
  new="$out/$name/new"          # inputs found in this run (libFuzzer writes to the first folder)
  artifacts="$out/$name/"       # crash-*, timeout-*, oom-*, leak-*, slow-unit-*
  log="$out/$name/fuzz.log"
  mkdir -p "$new"
  dict=()
  [ -f "$root/fuzz/$name.dict" ] && dict=("-dict=$root/fuzz/$name.dict")
  echo "fuzz: $name for ${FUZZ_SECONDS}s (log: $log)" >&2
  status=0
  # -timeout: one input taking 10 s is a finding (a request that slow is a denial of service).
  "$bin" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2560 -print_final_stats=1 \
    -artifact_prefix="$artifacts" "${keep_going[@]}" "${dict[@]}" ${FUZZ_ARGS:-} "$new" "$corpus" \
    > "$log" 2>&1 || status=$?

  execs=$(stat number_of_executed_units "$log"); execs=${execs:-$(grep -oE '^#[0-9]+' "$log" | tail -n 1 | tr -d '#')}
  rate=$(stat average_exec_per_sec "$log"); rate=${rate:-$(last_status exec/s "$log")}
  cov=$(last_status cov "$log")
  ft=$(last_status ft "$log")
  added=$(find "$new" -type f | wc -l)
  mapfile -t findings < <(find "$out/$name" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'timeout-*' \
                                -o -name 'oom-*' -o -name 'leak-*' \) | sort)
  if [ "${#findings[@]}" -gt 0 ] || [ "$status" -ne 0 ]; then
    failed=1
    first=$(grep -m1 -oE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)[^(]*|runtime error:.*|FUZZ_CHECK failed.*' \
            "$log" | head -c 200 || true)
    details+=("$name: ${first:-exit status $status; see $log}")
    for f in "${findings[@]}"; do details+=("  reproducer: $f"); done
  fi
  if [ "$FUZZ_MERGE" = "1" ] && [ "$added" -gt 0 ]; then
    before=$(ls "$corpus" | wc -l)
    "$bin" -merge=1 -timeout=10 -rss_limit_mb=2560 "$corpus" "$new" > "$out/$name/merge.log" 2>&1 ||
      echo "fuzz: merging $name failed (log: $out/$name/merge.log)" >&2
    added="$added/+$(( $(ls "$corpus" | wc -l) - before ))"
  fi
  rows+=("$name|${execs:-?}|${rate:-?}|${cov:-?}|${ft:-?}|$added|${#findings[@]}")
done

echo
echo "libFuzzer, ${FUZZ_SECONDS}s per harness$([ ${#keep_going[@]} -gt 0 ] && echo ', fork mode (keeps going after a finding)')"
echo "(logs, new inputs and reproducers in $out)"
printf '%-10s %12s %8s %7s %7s %9s %9s\n' harness executions exec/s cov ft new findings
for row in "${rows[@]}"; do
  IFS='|' read -r name execs rate cov ft added count <<< "$row"
  printf '%-10s %12s %8s %7s %7s %9s %9s\n' "$name" "$execs" "$rate" "$cov" "$ft" "$added" "$count"
done
if [ ${#details[@]} -gt 0 ]; then
  echo
  printf '%s\n' "${details[@]}"
fi
exit "$failed"
