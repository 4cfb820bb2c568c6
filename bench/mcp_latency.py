#!/usr/bin/env python3
"""A tool call of the MCP server against the same REST call, on loopback, for bench/mcp_latency.sh.

  mcp_latency.py BASE_URL ACCESS_TOKEN [CALLS]

Creates a project, then times CALLS (default 2000) sequential calls of each, alternating, on one
keep-alive connection each: GET /api/v1/projects/{id}/maturity, and POST /mcp tools/call
`maturity` in an initialized session (both run project_manager/maturity through the orchestrator).
Prints the median and 95th percentile of each in microseconds, and the difference of the medians."""
import http.client
import json
import statistics
import sys
import time
from urllib.parse import urlparse

base, token = urlparse(sys.argv[1]), sys.argv[2]
calls = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
auth = {"Authorization": f"Bearer {token}", "Connection": "keep-alive"}


def connect():
    return http.client.HTTPConnection(base.hostname, base.port, timeout=10)


def send(conn, method, path, body=None, headers=None):
    conn.request(method, path, body=None if body is None else json.dumps(body), headers={**auth, **(headers or {})})
    response = conn.getresponse()
    return response, response.read()


rest, mcp = connect(), connect()
_, created = send(rest, "POST", "/api/v1/projects", {"name": "Latency"}, {"Content-Type": "application/json"})
project = json.loads(created)["id"]
mcp_headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
response, _ = send(mcp, "POST", "/mcp", {"jsonrpc": "2.0", "id": 0, "method": "initialize",
                                         "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                                                    "clientInfo": {"name": "bench", "version": "1"}}}, mcp_headers)
mcp_headers["Mcp-Session-Id"] = response.getheader("Mcp-Session-Id")
mcp_headers["MCP-Protocol-Version"] = "2025-11-25"

timings = {"rest": [], "mcp": []}
for i in range(calls):
    started = time.perf_counter()
    response, body = send(rest, "GET", f"/api/v1/projects/{project}/maturity")
    timings["rest"].append(time.perf_counter() - started)
    assert response.status == 200, body
    started = time.perf_counter()
    response, body = send(mcp, "POST", "/mcp", {"jsonrpc": "2.0", "id": i + 1, "method": "tools/call",
                                               "params": {"name": "maturity", "arguments": {"project_id": project}}},
                          mcp_headers)
    timings["mcp"].append(time.perf_counter() - started)
    assert response.status == 200 and b'"isError":false' in body, body

for name, values in timings.items():
    values.sort()
    print(f"{name:5} median {statistics.median(values) * 1e6:8.0f} µs   p95 {values[int(len(values) * 0.95)] * 1e6:8.0f} µs")
print(f"mcp - rest (medians): {(statistics.median(timings['mcp']) - statistics.median(timings['rest'])) * 1e6:.0f} µs")
