#!/usr/bin/env bash
# The contract test: runs end-to-end suites with every answer recorded (SOCRATES_RECORD_DIR, see
# tests/support/http_client.cpp), then validates the answers against docs/openapi.json.
#   record_and_validate.sh <socrates_e2e_tests> <source dir> <gtest filter> <min operations>
set -euo pipefail
e2e=$1 root=$2 filter=$3 min=$4
dir=$(mktemp -d "${TMPDIR:-/tmp}/socrates-contract.XXXXXX")
trap 'rm -rf "$dir"' EXIT
SOCRATES_RECORD_DIR=$dir "$e2e" --gtest_filter="$filter" --gtest_brief=1
node "$root/tests/contract/validate_responses.mjs" "$dir" "$root/docs/openapi.json" --min-operations="$min"
