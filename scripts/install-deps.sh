#!/usr/bin/env bash
# Installs the Debian 12 packages Socrates needs to build, run, test and benchmark.
# Idempotent: packages already present are skipped, and apt is not touched when nothing is missing.
# Then it installs the npm packages of package.json (exact versions from package-lock.json) into
# node_modules/: only what the host serves (the reference page's renderer), unless `test` is named.
# Optional groups, named as arguments, add what one tool needs beyond that:
#   test   the test command's outside programs: Chromium (the web client's browser test), nginx (the
#          deployment test, with openssl for its certificate and systemd-analyze for the unit),
#          promtool (the metrics check), the npm tools (linter, validator,
#          browser driver, MCP client), and clang 15 with libc++ (a fixture plugin built with
#          another compiler and standard library than the host, docs/plugins.md)
#   fuzz   clang and libFuzzer, for bench/fuzz.sh (the test command replays the corpus without them)
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git ca-certificates
  libpistache-dev libsoci-dev libpq-dev libsqlite3-dev
  libboost-dev libboost-filesystem-dev nlohmann-json3-dev libspdlog-dev libfmt-dev
  libcpp-jwt-dev libssl-dev libsodium-dev libcrypt-dev libcurl4-openssl-dev uuid-dev prometheus-cpp-dev libjemalloc-dev
  libsimdjson-dev
  libgtest-dev libgmock-dev googletest
  postgresql-15 postgresql-contrib postgresql-client-15
  curl wrk gcovr procps binutils python3 python3-jsonschema nodejs
)
# Debian's nodejs comes without npm; a Node.js from elsewhere may bring its own.
command -v npm >/dev/null 2>&1 || PACKAGES+=(npm)
TEST_PACKAGES=(chromium nginx prometheus openssl systemd clang-15 libc++-15-dev libc++abi-15-dev)
FUZZ_PACKAGES=(clang-15 libfuzzer-15-dev)

npm_mode=runtime
for group in "$@"; do
  case "$group" in
    test) PACKAGES+=("${TEST_PACKAGES[@]}"); npm_mode=test ;;
    fuzz) PACKAGES+=("${FUZZ_PACKAGES[@]}") ;;
    *) echo "install-deps: no package group '$group' (there is: test, fuzz)" >&2; exit 2 ;;
  esac
done

root=$(cd "$(dirname "$0")/.." && pwd)

# npm ci only when package-lock.json or the mode changed since the last install (a stamp in
# node_modules/ says which); a test install also serves the runtime.
npm_install() {
  local stamp="$root/node_modules/.socrates-install" want
  want="$(sha256sum "$root/package-lock.json" | cut -d' ' -f1) $npm_mode"
  if [ -f "$stamp" ]; then
    local have; have=$(cat "$stamp")
    if [ "$have" = "$want" ] || { [ "$npm_mode" = runtime ] && [ "${have% *}" = "${want% *}" ]; }; then
      return 0
    fi
  fi
  local omit=(); [ "$npm_mode" = test ] || omit=(--omit=dev)
  echo "install-deps: npm ci ${omit[*]}"
  (cd "$root" && npm ci --no-audit --no-fund --loglevel=error "${omit[@]}")
  echo "$want" > "$stamp"
}

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  npm_install
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
npm_install
