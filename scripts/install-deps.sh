#!/usr/bin/env bash
# Installs the Debian 12 packages Socrates needs to build, run, test and benchmark.
# Idempotent: packages already present are skipped, and apt is not touched when nothing is missing.
# Optional groups, named as arguments, add what one tool needs beyond that:
#   fuzz   clang and libFuzzer, for bench/fuzz.sh (the test command replays the corpus without them)
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git ca-certificates
  libpistache-dev libsoci-dev libpq-dev libsqlite3-dev
  libboost-dev libboost-filesystem-dev nlohmann-json3-dev libspdlog-dev libfmt-dev
  libcpp-jwt-dev libssl-dev libsodium-dev libcrypt-dev libcurl4-openssl-dev uuid-dev
  libgtest-dev libgmock-dev googletest
  postgresql-15 postgresql-contrib postgresql-client-15
  curl wrk gcovr procps binutils python3 python3-jsonschema
)
FUZZ_PACKAGES=(clang-15 libfuzzer-15-dev)

for group in "$@"; do
  case "$group" in
    fuzz) PACKAGES+=("${FUZZ_PACKAGES[@]}") ;;
    *) echo "install-deps: no package group '$group' (there is: fuzz)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}" >&2
  echo "install-deps: run as root (or install them with apt-get) and try again" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has no package lists yet; an old list may lack today's versions.
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
