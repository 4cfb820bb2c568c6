#!/usr/bin/env bash
# Writes the nginx site of deploy/nginx/socrates.conf.template to standard output, with every
# ${SOCRATES_...} filled from the environment (nginx's own $variables are left alone):
#   SOCRATES_SERVER_NAME   the public name (required), e.g. socrates.example.com
#   SOCRATES_TLS_CERT      certificate chain, PEM (required), e.g. /etc/letsencrypt/live/NAME/fullchain.pem
#   SOCRATES_TLS_KEY       its private key, PEM (required)
#   SOCRATES_HOST_1/_2     the two host instances (127.0.0.1:8001, 127.0.0.1:8002)
#   SOCRATES_HTTPS_PORT    (443)  SOCRATES_HTTP_PORT (80: redirects to https); each a port or address:port
#   SOCRATES_ACCESS_LOG    (/var/log/nginx/socrates.access.log)
# Fails naming a required variable that is unset. The deployment test renders it the same way.
set -euo pipefail
template="$(dirname "$0")/socrates.conf.template"
: "${SOCRATES_HOST_1:=127.0.0.1:8001}" "${SOCRATES_HOST_2:=127.0.0.1:8002}"
: "${SOCRATES_HTTPS_PORT:=443}" "${SOCRATES_HTTP_PORT:=80}"
: "${SOCRATES_ACCESS_LOG:=/var/log/nginx/socrates.access.log}"
text=$(cat "$template")
for name in SOCRATES_SERVER_NAME SOCRATES_TLS_CERT SOCRATES_TLS_KEY SOCRATES_HOST_1 SOCRATES_HOST_2 \
            SOCRATES_HTTPS_PORT SOCRATES_HTTP_PORT SOCRATES_ACCESS_LOG; do
  if [ -z "${!name:-}" ]; then
    echo "render.sh: set $name (see the top of $0)" >&2
    exit 2
  fi
  text=${text//"\${$name}"/${!name}}
done
if grep -q '\${SOCRATES_' <<<"$text"; then
  echo "render.sh: the template names a variable this script does not fill:" >&2
  grep -o '\${SOCRATES_[A-Z0-9_]*}' <<<"$text" | sort -u >&2
  exit 2
fi
printf '%s\n' "$text"
