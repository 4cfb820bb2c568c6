#!/usr/bin/env bash
# A tool call of the MCP server (POST /mcp tools/call maturity) against the same REST call
# (GET /api/v1/projects/{id}/maturity) on loopback: bench/mcp_latency.py on a release host and a
# throwaway PostgreSQL. BENCH_BUILD_DIR=build uses an existing build instead of building
# build-release/; CALLS (default 2000) per kind.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/bench/lib.sh"
trap bench_cleanup EXIT
[ -n "${BENCH_BUILD_DIR:-}" ] || bench_build
bench_start_host
email="bench-mcp-$RANDOM@example.com"
curl -sf -XPOST "$base/api/v1/auth/register" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"bench-password-123\"}" > /dev/null
python3 "$root/bench/mcp_latency.py" "$base" "$(login "$email" bench-password-123)" "${CALLS:-2000}"
