# Shared by the benchmarks: a throwaway PostgreSQL cluster and the release host on loopback.
# Source it after `root` is set and build-release/ is built; call bench_start_host, and
# `trap bench_cleanup EXIT`. Sets: work (temp folder), port and base (the host), host_pid, host_bin.
source "$root/scripts/lib/pg.sh"

host_bin="$root/build-release/host/socrates-host"
work=$(mktemp -d /tmp/socrates-bench.XXXXXX)
# Its own folder, as scripts/test.sh does: as root the cluster belongs to `postgres`, which cannot
# enter $work (mode 700).
cluster=$(mktemp -d /tmp/socrates-bench-pg.XXXXXX)
host_pid=""
wrk_pid=""

bench_cleanup() {
  [ -n "$wrk_pid" ] && kill "$wrk_pid" 2>/dev/null && wait "$wrk_pid" 2>/dev/null || true
  [ -n "$host_pid" ] && kill "$host_pid" 2>/dev/null && wait "$host_pid" 2>/dev/null || true
  pg_stop "$cluster"
  rm -rf "$work" "$cluster"
}

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

# login EMAIL PASSWORD: prints an access token.
login() {
  curl -sf -XPOST "$base/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$1\",\"password\":\"$2\"}" | json '["access_token"]'
}

bench_start_host() {
  local password pg_port
  password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
  pg_port=$(pg_free_port)
  pg_init "$cluster" "$pg_port" socrates "$password"
  pg_start "$cluster"
  local admin_url="postgresql://socrates:$password@127.0.0.1:$pg_port/postgres"
  pg_create_db "$admin_url" bench_auth
  pg_create_db "$admin_url" bench_specs

  port=$(pg_free_port)
  export DATABASE_URL_AUTH="postgresql://socrates:$password@127.0.0.1:$pg_port/bench_auth"
  export DATABASE_URL_SPECS="postgresql://socrates:$password@127.0.0.1:$pg_port/bench_specs"
  SECRET_KEY=$(head -c 48 /dev/urandom | base64 | tr -d '\n')
  export SECRET_KEY PORT=$port BIND_ADDRESS=127.0.0.1 LOG_LEVEL=warn ACCESS_LOG=false
  export PLUGIN_COPY_DIR="$work/plugins" PLUGIN_DIR="$root/build-release/plugins"
  "$host_bin" serve > "$work/host.log" 2>&1 &
  host_pid=$!
  base="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do curl -sf "$base/health" >/dev/null && break; sleep 0.1; done
  curl -sf "$base/health" >/dev/null || { cat "$work/host.log"; exit 1; }
}

# wrk's summary as one table row: rps, p50, p99, errors (non-2xx + socket errors).
report() {
  local name=$1 out=$2
  python3 - "$name" "$out" <<'PY'
import re, sys
name, path = sys.argv[1], sys.argv[2]
text = open(path).read()
def ms(v):
    m = re.match(r"([\d.]+)(us|ms|s)", v or "")
    if not m:
        return float("nan")
    n, u = float(m.group(1)), m.group(2)
    return n / 1000 if u == "us" else n * 1000 if u == "s" else n
def find(pattern):
    m = re.search(pattern, text)
    return m.group(1) if m else None
rps = float(find(r"Requests/sec:\s+([\d.]+)") or "nan")
p50 = ms(find(r"50%\s+(\S+)"))
p99 = ms(find(r"99%\s+(\S+)"))
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
errors = (int(non2xx.group(1)) if non2xx else 0) + (sum(map(int, sock.groups())) if sock else 0)
print(f"| {name:<44} | {rps:>10.0f} | {p50:>8.2f} | {p99:>8.2f} | {errors:>6} |")
PY
}
