#!/usr/bin/env python3
"""Times the host's start-up for bench/bench.sh.

  startup.py RUNS URL LOG COMMAND...

RUNS times: starts COMMAND (e.g. `socrates-host serve`, with the environment inherited; migrations
already applied), polls URL (GET /health) every millisecond on a fresh connection until the first
200, then stops the process with SIGTERM. Prints the start-up times in ms, one per run, measured
from just before the exec to the first 200. Exits 1 when a run does not become healthy in 20 s
(COMMAND's output is in LOG)."""
import http.client
import signal
import subprocess
import sys
import time
from urllib.parse import urlparse

runs, url, log_path, command = int(sys.argv[1]), urlparse(sys.argv[2]), sys.argv[3], sys.argv[4:]


def healthy():
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=2)
    try:
        conn.request("GET", url.path)
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


with open(log_path, "ab") as log:
    for _ in range(runs):
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        elapsed = None
        while time.perf_counter() - started < 20 and process.poll() is None:
            if healthy():
                elapsed = (time.perf_counter() - started) * 1000
                break
            time.sleep(0.001)
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if elapsed is None:
            sys.exit(f"startup.py: {' '.join(command)} did not answer {url.geturl()} with 200 (see {log_path})")
        print(f"{elapsed:.1f}")
