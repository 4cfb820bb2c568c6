#!/usr/bin/env bash
# Installs what is missing, builds, and serves Socrates on port 8000 (PORT to change it).
# Without DATABASE_URL_AUTH / DATABASE_URL_SPECS it starts a local PostgreSQL cluster under .data/
# (created once, reused). Without SECRET_KEY it creates one once and keeps it in .data/secret_key.
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
  if [ ! -f "$data/pg_password" ]; then
    head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$data/pg_password"
    chmod 600 "$data/pg_password"
  fi
  password=$(cat "$data/pg_password")
  pg_init "$cluster" "${SOCRATES_PG_PORT:-54329}" socrates "$password"
  pg_start "$cluster"
  port=$(pg_port "$cluster")
  admin_url="postgresql://socrates:$password@127.0.0.1:$port/postgres"
  pg_create_db "$admin_url" socrates_auth
  pg_create_db "$admin_url" socrates_specs
  export DATABASE_URL_AUTH="postgresql://socrates:$password@127.0.0.1:$port/socrates_auth"
  export DATABASE_URL_SPECS="postgresql://socrates:$password@127.0.0.1:$port/socrates_specs"
  echo "run: local PostgreSQL in $cluster on port $port (stop it with: scripts/stop-local-pg.sh)"
elif [ -z "${DATABASE_URL_AUTH:-}" ] || [ -z "${DATABASE_URL_SPECS:-}" ]; then
  echo "run: set both DATABASE_URL_AUTH and DATABASE_URL_SPECS, or neither to use a local cluster" >&2
  exit 2
fi

if [ -z "${SECRET_KEY:-}" ]; then
  if [ ! -f "$data/secret_key" ]; then
    head -c 48 /dev/urandom | base64 | tr -d '\n' > "$data/secret_key"
    chmod 600 "$data/secret_key"
  fi
  SECRET_KEY=$(cat "$data/secret_key")
  export SECRET_KEY
fi

./build/host/socrates-host migrate
exec ./build/host/socrates-host serve "$@"
