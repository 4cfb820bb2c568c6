#!/usr/bin/env bash
# Stops the local PostgreSQL cluster that scripts/run.sh started (its data stays for next time).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/lib/pg.sh"
pg_stop "$(pg_usable_dir "$root/.data/pg")"
