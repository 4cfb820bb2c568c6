#!/usr/bin/env bash
# Installs what is missing, builds, and serves Socrates on port 8000 (PORT to change it).
# Without DATABASE_URL_AUTH / DATABASE_URL_SPECS it starts a local PostgreSQL cluster under .data/
# (created once, reused), where the host connects as socrates_host, a role that owns its two
# databases and is not a superuser. Without SECRET_KEY it creates one once and keeps it in
# .data/secret_key. Secrets are files of mode 0600 (corrected when found otherwise), never arguments.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash scripts/install-deps.sh
bash scripts/build.sh

data="$root/.data"
mkdir -p "$data"

if [ -z "${DATABASE_URL_AUTH:-}" ] && [ -z "${DATABASE_URL_SPECS:-}" ]; then
  source scripts/lib/pg.sh
  cluster=$(pg_usable_dir "$data/pg")
  # Two roles: a superuser for administration (its password in .data/pg_admin_password), and the
  # host's role, which owns the two databases and nothing else (.data/pg_password).
  if [ -f "$cluster/PG_VERSION" ] && [ ! -f "$data/pg_admin_user" ]; then
    # A cluster made by an earlier run.sh, whose superuser `socrates` was the host's role too: it
    # stays the administrator, and the host gets a role of its own.
    mv "$data/pg_password" "$data/pg_admin_password"
    (umask 077 && echo socrates > "$data/pg_admin_user")
  fi
  [ -f "$data/pg_admin_user" ] || (umask 077 && echo socrates_admin > "$data/pg_admin_user")
  admin_user=$(cat "$data/pg_admin_user")
  pg_secret_file "$data/pg_admin_password"
  pg_secret_file "$data/pg_password"
  pg_init "$cluster" "${SOCRATES_PG_PORT:-54329}" "$admin_user" "$(cat "$data/pg_admin_password")"
  pg_start "$cluster"
  port=$(pg_port "$cluster")
  pg_provision "$port" "$admin_user" "$data/pg_admin_password" socrates_host "$data/pg_password" \
    socrates_auth socrates_specs
  password=$(cat "$data/pg_password")
  export DATABASE_URL_AUTH="postgresql://socrates_host:$password@127.0.0.1:$port/socrates_auth"
  export DATABASE_URL_SPECS="postgresql://socrates_host:$password@127.0.0.1:$port/socrates_specs"
  echo "run: local PostgreSQL in $cluster on port $port, the host connecting as socrates_host" \
    "(administration: $admin_user, password in .data/pg_admin_password; stop it with scripts/stop-local-pg.sh)"
elif [ -z "${DATABASE_URL_AUTH:-}" ] || [ -z "${DATABASE_URL_SPECS:-}" ]; then
  echo "run: set both DATABASE_URL_AUTH and DATABASE_URL_SPECS, or neither to use a local cluster" >&2
  exit 2
fi

if [ -z "${SECRET_KEY:-}" ]; then
  if [ ! -s "$data/secret_key" ]; then
    (umask 077 && head -c 48 /dev/urandom | base64 | tr -d '\n' > "$data/secret_key")
  fi
  chmod 600 "$data/secret_key"
  SECRET_KEY=$(cat "$data/secret_key")
  export SECRET_KEY
fi

./build/host/socrates-host migrate
exec ./build/host/socrates-host serve "$@"
