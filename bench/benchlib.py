"""Shared by the benchmark helpers (stdlib only): a keep-alive API client and the parsers of wrk's
and pgbench's summaries."""
import http.client
import json
import math
import os
import re
import sys
from urllib.parse import urlparse


class Api:
    """One keep-alive connection to the host (it keeps a connection open only when asked to)."""

    def __init__(self, base, token=None):
        url = urlparse(base)
        self.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        self.token = token

    def call(self, method, path, body=None, expect=None):
        headers = {"Content-Type": "application/json", "Connection": "keep-alive"}
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        self.conn.request(method, path, body=json.dumps(body) if body is not None else "", headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        if response.status >= 300 or (expect is not None and response.status != expect):
            sys.exit(f"{method} {path}: {response.status} {data[:300]!r}")
        return json.loads(data) if data else None

    def register_and_login(self, email, password):
        """Registers EMAIL and makes this client act as it; returns the access token."""
        self.call("POST", "/api/v1/auth/register", {"email": email, "password": password}, expect=201)
        self.token = self.call("POST", "/api/v1/auth/login", {"email": email, "password": password})["access_token"]
        return self.token


def lua_string(text):
    """A Lua string literal (a JSON string literal is one, once non-ASCII is escaped)."""
    return json.dumps(text, ensure_ascii=True)


def _ms(value):
    m = re.match(r"([\d.]+)(us|ms|s)$", value or "")
    if not m:
        return None
    n, unit = float(m.group(1)), m.group(2)
    return n / 1000 if unit == "us" else n * 1000 if unit == "s" else n


def parse_wrk(text):
    """wrk --latency's summary with bench/status.lua's counts: {rps, p50, p99, max (ms), requests,
    expected, errors, statuses, comparable} or None when wrk gave none.

    rps counts the expected answers only (bench/status.lua's "Statuses:" and "Expected statuses:"),
    per second of wrk's run; errors = socket errors + answers of any other status. wrk's latency
    histogram holds every answer whatever its status and none of the requests that got no answer,
    and a script cannot filter it: p50, p99 and max are those of the expected answers only when the
    run had no error, so comparable is False otherwise (report.py marks such latencies and fails
    their targets). Without status.lua's lines (a bare wrk run), rps is wrk's own and every status
    under 400 counts as expected (wrk's "Non-2xx or 3xx responses")."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if not rps:
        return None
    p50 = re.search(r"\s50%\s+(\S+)", text)
    p99 = re.search(r"\s99%\s+(\S+)", text)
    latency = re.search(r"Latency\s+\S+\s+\S+\s+(\S+)", text)
    requests = re.search(r"(\d+) requests in", text)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    errors = sum(map(int, sock.groups())) if sock else 0
    answers = int(requests.group(1)) if requests else 0
    counted = re.search(r"^Statuses:(.*)$", text, re.M)
    wanted = re.search(r"^Expected statuses: ([\d,]+)", text, re.M)
    duration = re.search(r"^Duration us: (\d+)", text, re.M)
    statuses = {}
    if counted and wanted and duration and int(duration.group(1)) > 0:
        statuses = {int(code): int(n) for code, n in re.findall(r"(\d+)=(\d+)", counted.group(1))}
        expect = {int(code) for code in wanted.group(1).split(",")}
        expected = sum(n for code, n in statuses.items() if code in expect)
        rate = expected / (int(duration.group(1)) / 1e6)
    else:
        non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
        expected = answers - (int(non2xx.group(1)) if non2xx else 0)
        rate = float(rps.group(1)) * (expected / answers if answers else 1)
    errors += answers - expected
    took = re.search(r"requests in ([\d.]+\w+),", text)
    return {"rps": rate, "p50": _ms(p50 and p50.group(1)), "p99": _ms(p99 and p99.group(1)),
            "max": _ms(latency and latency.group(1)), "requests": answers, "expected": expected,
            "errors": errors, "statuses": statuses, "comparable": errors == 0,
            "seconds": int(duration.group(1)) / 1e6 if duration else (_ms(took and took.group(1)) or 0) / 1000}


def read_latency_log(prefix):
    """bench/status.lua's LATENCY_LOG files PREFIX.<thread>: [(sent_s, latency_ms, status)], by send time."""
    rows = []
    folder, name = os.path.split(prefix)
    for entry in sorted(os.listdir(folder or ".")):
        if entry.startswith(name + "."):
            for line in open(os.path.join(folder, entry)):
                sent, latency, status = line.split()
                rows.append((int(sent) / 1e6, int(latency) / 1000, int(status)))
    rows.sort()
    return rows


def corrected(latencies_ms, interval_ms):
    """LATENCIES_MS with wrk's correction for coordinated omission (its stats_correct, applied to
    every wrk --latency figure): a closed-loop connection that waited v ms sent no request
    meanwhile, so for each v >= 2 intervals it adds the latencies v - interval, v - 2 intervals, ...
    down to one interval, those the requests it would have sent would have had. INTERVAL_MS: wrk's,
    the run's time divided by the requests each connection made."""
    out = list(latencies_ms)
    for value in latencies_ms:
        if interval_ms > 0 and value >= 2 * interval_ms:
            missed = value - interval_ms
            while missed > interval_ms:
                out.append(missed)
                missed -= interval_ms
    return out


def percentile(values, share):
    """The nearest-rank percentile (share 0..1) of VALUES, or None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def parse_pgbench_serial(text):
    """Several pgbench summaries, one per statement a request makes in turn: {rps, avg (ms), errors,
    parts (each one's tps)}, rps = 1 / (sum of 1/tps), or None."""
    rates = [float(v) for v in re.findall(r"tps = ([\d.]+) \(without initial connection time\)", text)]
    if not rates or min(rates) <= 0:
        return None
    averages = [float(v) for v in re.findall(r"latency average = ([\d.]+) ms", text)]
    failed = [int(v) for v in re.findall(r"number of failed transactions: (\d+)", text)]
    return {"rps": 1 / sum(1 / r for r in rates), "avg": sum(averages) if averages else None,
            "errors": sum(failed), "parts": rates}


def parse_pgbench(text):
    """pgbench's summary: {rps (tps), avg (ms), errors} or None."""
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", text) or \
        re.search(r"tps = ([\d.]+)", text)
    if not tps:
        return None
    avg = re.search(r"latency average = ([\d.]+) ms", text)
    failed = re.search(r"number of failed transactions: (\d+)", text)
    return {"rps": float(tps.group(1)), "avg": float(avg.group(1)) if avg else None,
            "errors": int(failed.group(1)) if failed else 0}
