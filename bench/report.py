#!/usr/bin/env python3
"""Prints bench/bench.sh's table from the figures it gathered in its work folder.

  report.py WORK_DIR

Reads WORK_DIR/scenarios.tsv (one line per scenario run, REPEAT lines per scenario, in order: key,
label, bound, connections, output file, the host's VmHWM in KiB afterwards, status, and the CPU
clock ticks the host and the cluster used during it, and the machine's total and stolen ticks) and
WORK_DIR/run.env (KEY=VALUE: the settings and the host's figures); with PG_STATS=1, each run's
.pgstats beside its output file too (bench/lib.sh's bench_pg_stats). Prints the table (a scenario
run several times shows its run with the median req/s), the host's memory and start-up figures, notes on the ceilings
and the targets with a verdict each. Missing figures print as "n/a"; a missed target is reported,
never an error: the exit status is always 0."""
import os
import statistics
import sys

from benchlib import parse_pgbench, parse_pgbench_serial, parse_wrk

work = sys.argv[1]
run = {}
for line in open(os.path.join(work, "run.env")):
    if "=" in line:
        key, value = line.rstrip("\n").split("=", 1)
        run[key] = value

CEILING_LABELS = {"pistache": "Pistache", "pgbench": "pgbench -S"}
rows = []
for line in open(os.path.join(work, "scenarios.tsv")):
    key, label, bound, connections, path, hwm, status, host_ticks, pg_ticks, all_ticks, steal_ticks = \
        line.rstrip("\n").split("\t")
    text = open(path, errors="replace").read() if os.path.exists(path) else ""
    figures = {"pgbench": parse_pgbench, "pgbench-list": parse_pgbench_serial}.get(key, parse_wrk)(text)
    rows.append({"key": key, "label": label, "bound": bound, "connections": connections, "path": path,
                 "hwm": int(hwm) if hwm.isdigit() else None, "status": status, "figures": figures,
                 "ticks": (int(host_ticks), int(pg_ticks)) if host_ticks.isdigit() and pg_ticks.isdigit() else None,
                 "steal": int(steal_ticks) / int(all_ticks) if all_ticks.isdigit() and int(all_ticks) > 0
                 and steal_ticks.isdigit() else None})
# REPEAT runs of a scenario: the run with the median req/s stands for it (the lower of the two
# middle ones for an even count); a run that failed or has no figures stands for it when any did.
runs_of = {}
for row in rows:
    runs_of.setdefault(row["key"], []).append(row)


def representative(runs):
    measured = [r for r in runs if r["status"] == "ok" and r["figures"]]
    if len(measured) < len(runs):
        return next(r for r in runs if r not in measured)
    ordered = sorted(measured, key=lambda r: r["figures"]["rps"])
    return ordered[(len(ordered) - 1) // 2]


all_runs = rows
rows = [representative(runs) for runs in runs_of.values()]
by_key = {row["key"]: row for row in rows}


def figure(key, name):
    row = by_key.get(key)
    value = row and row["figures"] and row["figures"].get(name)
    return value if value is not None else None


def fmt(value, spec):
    return "n/a" if value is None else format(value, spec)


def mib(kib):
    return None if kib is None or kib == "" else int(kib) / 1024


def cpu(row):
    """The host's and PostgreSQL's CPU time per request (user + system, from /proc), for the host's
    scenarios; the ceilings do not run on the host (and pgbench's backends end before they are read)."""
    requests = row["figures"] and row["figures"].get("requests")
    if row["bound"] == "ceiling" or not row["ticks"] or not requests:
        return "—"
    tick_us = 1e6 / int(run.get("CLK_TCK") or 100)
    host, pg = (ticks * tick_us / requests for ticks in row["ticks"])
    return f"{host:.0f} + {pg:.0f}"


def steal(row):
    """The share of the machine's CPU time its hypervisor gave to others during the scenario."""
    return "n/a" if row["steal"] is None else f"{100 * row['steal']:.0f}%"


# The table.
print()
print(f"Socrates benchmark: wrk -t{run['THREADS']} -d{run['DURATION']} --latency, keep-alive, on 127.0.0.1; "
      f"{run['CORES']} cores; host: {run['HOST_THREADS']} reactor threads; build {run['BUILD_DIR']}")
header = (f"| {'scenario':<46} | {'conns':>5} | {'req/s':>8} | {'p50 ms':>7} | {'p99 ms':>7} | {'errors':>6} "
          f"| {'of ceiling':>17} | {'CPU µs/req host+PG':>18} | {'steal':>5} | {'VmHWM MiB':>9} |")
print(header)
print("|" + "|".join("-" * (len(cell) + 0) for cell in header.split("|")[1:-1]) + "|")
for row in rows:
    f = row["figures"] or {}
    if row["status"] != "ok" or not row["figures"]:
        print(f"| {row['label']:<46} | {row['connections']:>5} | {'did not run (' + row['status'] + ')':<85} |")
        continue
    share = "ceiling" if row["bound"] == "ceiling" else "—"
    ceiling = figure(row["bound"], "rps")
    if row["bound"] in CEILING_LABELS:
        share = "n/a" if not ceiling else f"{100 * f['rps'] / ceiling:.0f}% {CEILING_LABELS[row['bound']]}"
    p50 = f.get("p50")
    p99 = f.get("p99")
    if row["key"].startswith("pgbench"):  # pgbench reports the mean, not percentiles
        p50, p99 = None, None
    mark = "" if f.get("comparable", True) else "*"
    print(f"| {row['label']:<46} | {row['connections']:>5} | {f['rps']:>8.0f} | {fmt(p50, '6.2f') + mark:>7} "
          f"| {fmt(p99, '6.2f') + mark:>7} | {f['errors']:>6} | {share:>17} | {cpu(row):>18} "
          f"| {steal(row):>5} | {fmt(mib(row['hwm']), '9.1f'):>9} |")

print("req/s counts the answers of the scenario's expected status only (bench/status.lua); errors are socket errors")
print("and answers of any other status.")
unclean = [row for row in rows if row["figures"] and not row["figures"].get("comparable", True)]
if unclean:
    print("* not comparable: wrk's latency histogram holds every answer whatever its status, and none of the requests")
    print("  that got no answer; a run with errors has no latency of its expected answers alone, and its latency")
    print("  targets are MISSED. Statuses of those runs:")
    for row in unclean:
        counts = ", ".join(f"{code}: {n}" for code, n in sorted(row["figures"].get("statuses", {}).items()))
        print(f"  {row['key']}: {counts or 'not counted'}; {row['figures']['errors']} errors")
repeated = {key: runs for key, runs in runs_of.items() if len(runs) > 1}
if repeated:
    print(f"Each row is the run with the median req/s of {run.get('REPEAT', '?')}; every run's req/s:")
    for key, runs in repeated.items():
        print(f"  {key}: " + ", ".join(fmt(r["figures"] and r["figures"]["rps"], ".0f") for r in runs))
stolen = [row["steal"] for row in all_runs if row["steal"] is not None]
if stolen and max(stolen) >= 0.05:
    print(f"Warning: the hypervisor took up to {100 * max(stolen):.0f}% of this machine's CPU time during a scenario "
          "(steal column): its figures are lower than this machine gives when its host is quiet.")

# The host.
startups = [float(v) for v in run.get("STARTUP_MS", "").split()]
startup = statistics.median(startups) if startups else None
idle = mib(run.get("IDLE_RSS_KIB"))
if run.get("HWM_RESET") == "yes":  # each scenario's column is its own peak: the run's is the largest
    peaks = [row["hwm"] for row in all_runs if row["hwm"] is not None] + [int(run.get("SETUP_HWM_KIB") or 0)]
    peak = mib(max(peaks))
    column = "its own peak, reset before it"
else:
    peak = mib(run.get("PEAK_RSS_KIB"))
    column = "the peak so far (this kernel refused to reset it)"
print()
print(f"host idle RSS: {fmt(idle, '.1f')} MiB with {run.get('AGENTS', '?')} agents loaded "
      f"({run.get('AGENT_IDS', '')}); VmRSS after start-up, before any load")
print(f"host peak RSS: {fmt(peak, '.1f')} MiB (VmHWM over the whole run, start-up and seeding included; "
      f"{fmt(mib(run.get('SETUP_HWM_KIB')), '.1f')} MiB")
print(f"  after start-up and seeding, whose registrations hash passwords); each scenario's VmHWM column: {column}")
print(f"host start-up: {fmt(startup, '.0f')} ms, median of {len(startups)} "
      f"({', '.join(f'{v:.0f}' for v in startups)}): exec of `socrates-host serve` to the first 200 of /health, "
      f"migrations already applied")

# Notes on the ceilings.
print()
missing = [name for name in ("pistache", "pgbench") if name not in by_key]
print("Ceilings, measured in this run on the same machine" +
      (f" (not run here, not in SCENARIOS: {', '.join(missing)})" if missing else "") + ":")
print("- Pistache: bench/ceiling, a trivial handler answering {\"status\":\"ok\"} with the host's endpoint options")
print("  (reactor threads, ReuseAddr, max request size, backlog); bounds the HTTP-only scenario (GET /health).")
avg = figure("pgbench", "avg")
print(f"- pgbench -S (select-only, scale 1, -c{run['CONNECTIONS']} -j{run['THREADS']}, "
      f"{run['DURATION']}) on the benchmark's cluster: a PER-QUERY ceiling (one primary-key SELECT per")
print(f"  transaction{'' if avg is None else f', mean {avg:.2f} ms'}). A request that makes k queries (token check, "
      "the work, maturity ...) is bounded by about 1/k of it;")
print("  it bounds the DB-bound scenarios (projects list, POST projects, maturity, interview turn).")
own = figure("pgbench-list", "rps")
if own:
    auth_tps, specs_tps = (by_key["pgbench-list"]["figures"]["parts"] + [None, None])[:2]
    projects_rps = figure("projects", "rps")
    print(f"- The projects list's own statements, run by pgbench with no host in between (bench/list_ceiling/): "
          f"{own:.0f} lists/s")
    print(f"  (token check {fmt(auth_tps, '.0f')}/s on the auth database, the page of {run.get('PROJECTS', '?')} "
          f"with its total {fmt(specs_tps, '.0f')}/s on the specs database; one of each per request).")
    if projects_rps:
        print(f"  GET /api/v1/projects reaches {100 * projects_rps / own:.0f}% of it: the rest is what HTTP, "
              "JSON and the host's two round trips cost.")
print("- POST /api/v1/auth/login is measured against neither: each login verifies an argon2id hash,")
print(f"  {run.get('ARGON2', 'parameters n/a')} (host/auth/password_hasher.hpp; read from the stored hashes):")
print("  tens of ms of CPU and m of RAM per login by design, to make guessing expensive. Logins/s are bounded by")
print(f"  cores / hash time, not by HTTP or PostgreSQL. Run at {run.get('LOGIN_CONNECTIONS', '?')} connections over "
      f"{run.get('LOGIN_USERS', '?')} accounts with right passwords (the throttle counts failures only).")

# Targets.
print()
print("Targets (reported, not enforced):")


def verdict(value, good):
    return "n/a   " if value is None else ("ok    " if good(value) else "MISSED")


def target(text, value, good, shown, key=None):
    """KEY: the scenario a latency comes from; its latency is comparable only when it had no error."""
    row = by_key.get(key)
    if value is not None and row and row["figures"] and not row["figures"].get("comparable", True):
        print(f"  MISSED {text:<58} {shown}, not comparable: {row['figures']['errors']} errors in the run")
        return
    print(f"  {verdict(value, good)} {text:<58} {shown if value is not None else 'not measured'}")


projects_rps, pg_tps = figure("projects", "rps"), figure("pgbench", "rps")
share = projects_rps / pg_tps if projects_rps and pg_tps else None
target("GET /api/v1/projects >= 60% of the pgbench -S ceiling", share, lambda v: v >= 0.6,
       fmt(share and 100 * share, ".0f") + "%")
p99 = figure("projects", "p99")
conns = by_key["projects"]["connections"] if "projects" in by_key else run["CONNECTIONS"]
target(f"GET /api/v1/projects p99 <= 10 ms at {conns} connections", p99, lambda v: v <= 10, f"{fmt(p99, '.2f')} ms",
       "projects")
turns = figure("interview", "rps")
concurrent = by_key["interview"]["connections"] if "interview" in by_key else run["INTERVIEWS"]
target(f"interview turns >= 1,000/s at {concurrent} concurrent interviews", turns, lambda v: v >= 1000,
       f"{fmt(turns, '.0f')}/s")
p99 = figure("interview", "p99")
target(f"interview turn p99 <= 25 ms at {concurrent} concurrent", p99, lambda v: v <= 25, f"{fmt(p99, '.2f')} ms",
       "interview")
concurrent = by_key["paced"]["connections"] if "paced" in by_key else run["INTERVIEWS"]
for name, limit in (("p50", 5), ("p99", 25)):
    value = figure("paced", name)
    target(f"paced answer {name} <= {limit} ms, {concurrent} interviews in progress", value, lambda v, limit=limit: v <= limit,
           f"{fmt(value, '.2f')} ms", "paced")
target("idle RSS <= 40 MiB (3 plugins loaded)", idle, lambda v: v <= 40, f"{fmt(idle, '.1f')} MiB")
target("start-up <= 500 ms", startup, lambda v: v <= 500, f"{fmt(startup, '.0f')} ms")
ran = [row for row in all_runs if row["figures"]]
errors = sum(row["figures"]["errors"] for row in ran) if ran else None
failing = ", ".join(dict.fromkeys(row["key"] for row in ran if row["figures"]["errors"])) or "none"
target("zero errors in every scenario", errors, lambda v: v == 0, f"{errors} (scenarios with errors: {failing})")
not_run = list(dict.fromkeys(row["key"] for row in all_runs if row["status"] != "ok" or not row["figures"]))
if not_run:
    print(f"  could not run: {', '.join(not_run)}")

# PG_STATS=1: what PostgreSQL did per request in each scenario.
for row in rows:
    path = os.path.splitext(row["path"])[0] + ".pgstats"
    requests = row["figures"] and row["figures"].get("requests")
    if not os.path.exists(path) or not requests:
        continue
    statements, wal = [], None
    for line in open(path):
        cells = line.rstrip("\n").split("\t")
        if cells[0] == "wal" and len(cells) == 5:
            wal = cells[1:]
        elif len(cells) >= 6:
            statements.append((cells[0], int(cells[1]), float(cells[2]), float(cells[3]), cells[5]))
    print()
    print(f"PostgreSQL per request, {row['label']} ({requests} requests; pg_stat_statements):")
    print(f"  {'calls':>6} {'exec µs':>8} {'plan µs':>8}  statement")
    total_calls = total_exec = total_plan = 0.0
    for db, calls, exec_ms, plan_ms, query in statements:
        total_calls += calls / requests
        total_exec += 1000 * exec_ms / requests
        total_plan += 1000 * plan_ms / requests
    for db, calls, exec_ms, plan_ms, query in statements[:25]:
        text = query if len(query) <= 110 else query[:107] + "..."
        print(f"  {calls / requests:>6.2f} {1000 * exec_ms / requests:>8.1f} {1000 * plan_ms / requests:>8.1f}  "
              f"{db.removeprefix('bench_')}: {text}")
    print(f"  {total_calls:>6.2f} {total_exec:>8.1f} {total_plan:>8.1f}  in all ({len(statements)} statements)")
    if wal:
        records, size, writes, syncs = (float(v) for v in wal)
        print(f"  WAL per request: {records / requests:.1f} records, {size / requests:.0f} bytes, "
              f"{writes / requests:.2f} writes, {syncs / requests:.2f} syncs")
