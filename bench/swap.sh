#!/usr/bin/env bash
# Benchmarks a hot swap under load on loopback: builds in release mode into build-release/ (with the
# fixture plugins, among them a second build of the socratic agent), starts a throwaway PostgreSQL
# cluster and the host, then runs wrk against POST /api/v1/agents/socratic/describe twice:
# once undisturbed (baseline) and once with POST /api/v1/admin/agents/socratic/reload issued
# halfway through. Prints the p99 of both runs, their ratio, the swap latency (from sending the
# reload request to the first describe answer from the new version) and the errors.
#
#   bench/swap.sh                  # 10 s per run, 2 threads, 32 connections, reload 5 s in
#   DURATION=20 SWAP_AT=10 bench/swap.sh
# Targets (issue 4): swap ≤ 100 ms, p99 during the swap ≤ 2 × p99 before.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
DURATION=${DURATION:-10}      # seconds per wrk run
SWAP_AT=${SWAP_AT:-5}         # seconds into the second run
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
NEXT_VERSION=9.9.9-next

bash scripts/install-deps.sh >/dev/null
BUILD_DIR="$root/build-release" BUILD_TYPE=Release bash scripts/build.sh -DSOCRATES_BUILD_TESTS=OFF \
  -DSOCRATES_BUILD_FIXTURES=ON >/dev/null
source bench/lib.sh
trap bench_cleanup EXIT

# The rebuilt library: the fixture build of the socratic agent (same sources, version 9.9.9-next),
# built in build-release by SOCRATES_BUILD_FIXTURES.
next_lib="$root/build-release/tests/fixtures/plugins/libsocratic_next.so"
"$host_bin" plugin-check "$next_lib" >/dev/null
# A reload request may name only a library inside PLUGIN_DIR (or one listed in PLUGINS): the fixture
# directory is PLUGIN_DIR here, and the real agents are listed by their paths.
plugins_dir="$root/build-release/plugins"
HOST_ENV="PLUGIN_DIR=$(dirname "$next_lib") PLUGINS=$plugins_dir/libproject_manager_agent.so,$plugins_dir/libsocratic_agent.so,$plugins_dir/libcontext_agent.so"

bench_start_host

curl -sf -XPOST "$base/api/v1/auth/register" -H 'Content-Type: application/json' \
  -d '{"email":"bench@example.com","password":"bench-password"}' >/dev/null
token=$(login bench@example.com bench-password)
printf '%s\n' admin-password | "$host_bin" create-admin --email admin@example.com >/dev/null
admin_token=$(login admin@example.com admin-password)
old_version=$(curl -sf -XPOST "$base/api/v1/agents/socratic/describe" -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/json' -d '{}' | json '["result"]["version"]')

describe_url="$base/api/v1/agents/socratic/describe"
run_wrk() {
  TOKEN=$token wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$root/bench/describe.lua" \
    "$describe_url" > "$1" 2>&1
}

# wrk's summary: "p99_ms errors requests" (errors = non-2xx + socket errors).
summary() {
  python3 - "$1" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(v):
    m = re.match(r"([\d.]+)(us|ms|s)", v)
    n, u = float(m.group(1)), m.group(2)
    return n / 1000 if u == "us" else n * 1000 if u == "s" else n
p99 = ms(re.search(r"99%\s+(\S+)", text).group(1))
requests = int(re.search(r"(\d+) requests in", text).group(1))
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
errors = (int(non2xx.group(1)) if non2xx else 0) + (sum(map(int, sock.groups())) if sock else 0)
print(f"{p99:.3f} {errors} {requests}")
PY
}

# Sends the reload and, on a keep-alive connection of its own, asks describe again and again until
# the new version answers. Prints "swap_ms reload_ms reload_status probe_errors".
swap_probe() {
  python3 - "$port" "$token" "$admin_token" "$next_lib" "$NEXT_VERSION" <<'PY'
import http.client, json, sys, threading, time
port, token, admin_token, library, new_version = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
def headers(t):
    return {"Authorization": "Bearer " + t, "Content-Type": "application/json", "Connection": "keep-alive"}
probe = http.client.HTTPConnection("127.0.0.1", int(port), timeout=30)
def describe():
    probe.request("POST", "/api/v1/agents/socratic/describe", body="{}", headers=headers(token))
    r = probe.getresponse()
    body = r.read()
    return r.status, (json.loads(body)["result"]["version"] if r.status == 200 else None)
describe()  # the probe's connection is open before the clock starts
sent = {}
reload = {}
def do_reload():
    c = http.client.HTTPConnection("127.0.0.1", int(port), timeout=30)
    c.connect()
    sent["at"] = time.perf_counter()
    c.request("POST", "/api/v1/admin/agents/socratic/reload", body=json.dumps({"library": library}),
              headers=headers(admin_token))
    r = c.getresponse()
    r.read()
    reload["ms"] = (time.perf_counter() - sent["at"]) * 1000
    reload["status"] = r.status
thread = threading.Thread(target=do_reload)
thread.start()
while "at" not in sent:
    time.sleep(0)
errors = 0
deadline = time.perf_counter() + 10
while True:
    status, version = describe()
    if status != 200:
        errors += 1
    if version == new_version:
        swap_ms = (time.perf_counter() - sent["at"]) * 1000
        break
    if time.perf_counter() > deadline:
        swap_ms = float("nan")
        break
thread.join()
print(f"{swap_ms:.1f} {reload.get('ms', float('nan')):.1f} {reload.get('status', 0)} {errors}")
PY
}

# 1. Baseline: no swap.
run_wrk "$work/baseline.out"
read -r base_p99 base_errors base_requests < <(summary "$work/baseline.out")

# 2. The same load with a reload SWAP_AT seconds in.
run_wrk "$work/swap.out" &
wrk_pid=$!
sleep "$SWAP_AT"
read -r swap_ms reload_ms reload_status probe_errors < <(swap_probe)
wait "$wrk_pid"
wrk_pid=""
read -r swap_p99 swap_errors swap_requests < <(summary "$work/swap.out")
new_version=$(curl -sf -XPOST "$describe_url" -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/json' -d '{}' | json '["result"]["version"]')

python3 - "$base_p99" "$swap_p99" "$swap_ms" "$reload_ms" "$reload_status" "$base_errors" "$swap_errors" \
  "$probe_errors" "$base_requests" "$swap_requests" "$old_version" "$new_version" "$DURATION" "$CONNECTIONS" \
  "$THREADS" "$SWAP_AT" "$(nproc)" <<'PY'
import sys
(base_p99, swap_p99, swap_ms, reload_ms, reload_status, base_errors, swap_errors, probe_errors, base_requests,
 swap_requests, old_version, new_version, duration, connections, threads, swap_at, cores) = sys.argv[1:]
base_p99, swap_p99, swap_ms, reload_ms = map(float, (base_p99, swap_p99, swap_ms, reload_ms))
ratio = swap_p99 / base_p99 if base_p99 > 0 else float("inf")
errors = int(base_errors) + int(swap_errors) + int(probe_errors) + (0 if reload_status == "200" else 1)
ok = lambda good: "ok" if good else "MISSED"
print()
print(f"wrk -t{threads} -c{connections} -d{duration}s --latency, POST /api/v1/agents/socratic/describe "
      f"on 127.0.0.1, {cores} cores; reload {swap_at} s into the second run")
print(f"socratic {old_version} -> {new_version} (reload answered {reload_status} in {reload_ms:.1f} ms)")
print(f"baseline:    {int(base_requests) / float(duration):>9.0f} req/s  p99 {base_p99:8.2f} ms  errors {base_errors}")
print(f"during swap: {int(swap_requests) / float(duration):>9.0f} req/s  p99 {swap_p99:8.2f} ms  errors {swap_errors}")
print(f"p99 ratio (during / before): {ratio:.2f}   target <= 2.00  {ok(ratio <= 2.0)}")
print(f"swap latency (reload sent -> first answer from {new_version}): {swap_ms:.1f} ms   target <= 100 ms  "
      f"{ok(swap_ms <= 100)}")
print(f"errors (wrk non-2xx + socket errors, probe, reload): {errors}   {ok(errors == 0 and new_version != old_version)}")
PY
