"""Shared by the benchmark helpers (stdlib only): a keep-alive API client and the parsers of wrk's
and pgbench's summaries."""
import http.client
import json
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
    """wrk --latency's summary: {rps, p50, p99 (ms), requests, errors} or None when wrk gave none.

    errors = socket errors + non-2xx/3xx answers, or, when the script printed its own count
    ("Unexpected status: N", bench/post.lua), socket errors + that count."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if not rps:
        return None
    p50 = re.search(r"\s50%\s+(\S+)", text)
    p99 = re.search(r"\s99%\s+(\S+)", text)
    requests = re.search(r"(\d+) requests in", text)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    unexpected = re.search(r"Unexpected status: (\d+)", text)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    errors = sum(map(int, sock.groups())) if sock else 0
    if unexpected:
        errors += int(unexpected.group(1))
    elif non2xx:
        errors += int(non2xx.group(1))
    return {"rps": float(rps.group(1)), "p50": _ms(p50 and p50.group(1)), "p99": _ms(p99 and p99.group(1)),
            "requests": int(requests.group(1)) if requests else 0, "errors": errors}


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
