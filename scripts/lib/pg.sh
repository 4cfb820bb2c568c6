# PostgreSQL clusters owned by the project: created with initdb in a folder of ours, on their own
# port and socket. Sourced by run.sh, test.sh and the benchmarks.
#
# initdb refuses to run as root, so when we are root the cluster belongs to the unprivileged
# `postgres` user that Debian's postgresql package creates.

PG_VERSION_DIR=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
PG_BIN=${PG_BIN:-$PG_VERSION_DIR}

pg_owner() { if [ "$(id -u)" -eq 0 ]; then echo postgres; else id -un; fi; }

pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# A folder the cluster's owner can reach: $1 if every parent lets it in, else one under /var/lib.
pg_usable_dir() {
  local wanted=$1
  mkdir -p "$wanted"
  if [ "$(id -u)" -ne 0 ] || runuser -u postgres -- test -x "$wanted" 2>/dev/null; then
    echo "$wanted"
  else
    local alt="/var/lib/socrates/$(echo -n "$wanted" | sha256sum | cut -c1-12)"
    mkdir -p "$alt"
    echo "$alt"
  fi
}

pg_free_port() {
  local port
  for _ in $(seq 1 50); do
    # Below Linux's ephemeral range (32768-60999): a port chosen there can be taken by any outgoing
    # connection (the host's own pool connections) before the server binds it.
    port=$(( 12000 + RANDOM % 20000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return 0; fi
  done
  echo "no free port found" >&2
  return 1
}

# pg_init DIR PORT USER PASSWORD [fast|durable]: a new cluster (only when DIR has none). `fast`
# turns durability off; `durable` writes PostgreSQL's durable defaults out, so that a test which
# relies on them (an acknowledged commit survives a crash) does not depend on a packaged default.
pg_init() {
  local dir=$1 port=$2 user=$3 password=$4 mode=${5:-}
  [ -f "$dir/PG_VERSION" ] && return 0
  mkdir -p "$dir"
  chown "$(pg_owner)" "$dir"
  chmod 700 "$dir"
  local pwfile
  pwfile=$(mktemp)
  echo "$password" > "$pwfile"
  chown "$(pg_owner)" "$pwfile"
  pg_as_owner "$PG_BIN/initdb" -D "$dir" -U "$user" --pwfile="$pwfile" --auth=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pwfile"
  {
    echo "port = $port"
    echo "listen_addresses = '127.0.0.1'"
    echo "unix_socket_directories = '$dir'"
    echo "max_connections = 200"
    echo "shared_buffers = 128MB"
    if [ "$mode" = fast ]; then
      # A throwaway test cluster: durability across an OS crash is not worth the time.
      echo "fsync = off"
      echo "synchronous_commit = off"
      echo "full_page_writes = off"
    elif [ "$mode" = durable ]; then
      echo "fsync = on"
      echo "synchronous_commit = on"
      echo "full_page_writes = on"
    fi
  } | pg_as_owner tee -a "$dir/postgresql.conf" >/dev/null
}

pg_port() { sed -n 's/^port = \([0-9]*\)$/\1/p' "$1/postgresql.conf" | tail -n 1; }

pg_start() {
  local dir=$1
  if pg_as_owner "$PG_BIN/pg_ctl" -D "$dir" status >/dev/null 2>&1; then return 0; fi
  pg_as_owner "$PG_BIN/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 start >/dev/null
}

pg_stop() {
  local dir=$1
  [ -f "$dir/postmaster.pid" ] || return 0
  pg_as_owner "$PG_BIN/pg_ctl" -D "$dir" -m fast -w stop >/dev/null 2>&1 || true
}

# pg_crash DIR: stops the cluster the way a crash does (`immediate`: no shutdown checkpoint, shared
# memory discarded; the next start replays the WAL).
pg_crash() {
  local dir=$1
  [ -f "$dir/postmaster.pid" ] || return 0
  pg_as_owner "$PG_BIN/pg_ctl" -D "$dir" -m immediate -w stop >/dev/null 2>&1 || true
}

# pg_secret_file FILE: a random password in FILE (made once, with umask 077), mode 0600 even if it
# was changed since.
pg_secret_file() {
  local file=$1
  if [ ! -s "$file" ]; then
    (umask 077 && head -c 24 /dev/urandom | base64 | tr -d '/+=\n' > "$file")
  fi
  chmod 600 "$file"
}

# pg_sql PORT USER PASSWORD_FILE DB: runs the SQL on standard input as USER over 127.0.0.1 and
# prints the rows. The password reaches psql in PGPASSWORD, in the environment of that one command,
# and SQL that carries a password travels on standard input: nothing secret is ever an argument,
# which every local user can read with `ps`.
pg_sql() {
  local port=$1 user=$2 pwfile=$3 db=$4
  PGPASSWORD=$(cat "$pwfile") psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U "$user" -d "$db" -f -
}

# pg_provision PORT ADMIN ADMIN_PASSWORD_FILE ROLE ROLE_PASSWORD_FILE DB...: makes ROLE a login
# role that is not a superuser, cannot create databases or roles, and owns each DB (created when
# missing) with everything in its public schema. Idempotent: run at every start, it also repairs
# databases made by an older run.sh, whose tables belonged to the superuser.
pg_provision() {
  local port=$1 admin=$2 admin_pwfile=$3 role=$4 role_pwfile=$5
  shift 5
  # The passwords are made by pg_secret_file: letters and digits only, safe inside quotes.
  {
    echo "DO \$\$ BEGIN"
    echo "  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$role') THEN CREATE ROLE \"$role\"; END IF;"
    echo "END \$\$;"
    echo "ALTER ROLE \"$role\" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS" \
      "PASSWORD '$(cat "$role_pwfile")';"
  } | pg_sql "$port" "$admin" "$admin_pwfile" postgres >/dev/null
  local db
  for db in "$@"; do
    if [ "$(echo "SELECT 1 FROM pg_database WHERE datname = '$db'" | pg_sql "$port" "$admin" "$admin_pwfile" postgres)" != 1 ]; then
      echo "CREATE DATABASE \"$db\" OWNER \"$role\"" | pg_sql "$port" "$admin" "$admin_pwfile" postgres >/dev/null
    fi
    pg_sql "$port" "$admin" "$admin_pwfile" "$db" >/dev/null <<SQL
ALTER DATABASE "$db" OWNER TO "$role";
DO \$\$
DECLARE
  r record;
BEGIN
  -- Tables and views (a table's own sequences follow it), then free-standing sequences, then functions.
  FOR r IN SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm')
             AND c.relowner <> (SELECT oid FROM pg_roles WHERE rolname = '$role') LOOP
    EXECUTE format(CASE r.relkind WHEN 'v' THEN 'ALTER VIEW %I OWNER TO %I' WHEN 'm' THEN 'ALTER MATERIALIZED VIEW %I OWNER TO %I'
                   ELSE 'ALTER TABLE %I OWNER TO %I' END, r.relname, '$role');
  END LOOP;
  FOR r IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind = 'S'
             AND c.relowner <> (SELECT oid FROM pg_roles WHERE rolname = '$role')
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')) LOOP
    EXECUTE format('ALTER SEQUENCE %I OWNER TO %I', r.relname, '$role');
  END LOOP;
  FOR r IN SELECT p.oid::regprocedure AS signature FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = 'public' AND p.proowner <> (SELECT oid FROM pg_roles WHERE rolname = '$role') LOOP
    EXECUTE format('ALTER ROUTINE %s OWNER TO %I', r.signature, '$role');
  END LOOP;
END
\$\$;
SQL
  done
}

# pg_create_db URL_OF_POSTGRES_DB NAME: creates NAME unless it exists (throwaway clusters of the
# benchmarks; run.sh provisions its cluster with pg_provision).
pg_create_db() {
  local url=$1 name=$2
  if [ "$(psql "$url" -Atqc "SELECT 1 FROM pg_database WHERE datname = '$name'")" != 1 ]; then
    psql "$url" -qc "CREATE DATABASE \"$name\"" >/dev/null
  fi
}
