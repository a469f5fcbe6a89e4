#!/usr/bin/env bash
# OpenAPI-driven fuzzing of the sandbox: schemathesis generates requests from the sandbox's
# own /v1/openapi.json and checks that no response is a 5xx and every response matches the
# published schema (status codes, content type, body, headers). Bounded: a fixed number of
# examples per operation, against a sandbox on 127.0.0.1 that this script starts and stops.
#
# The fault-injection endpoints are left out: their whole point is to make later requests
# answer 5xx. Needs target/debug/botbat-sandbox (cargo build -p botbat-sandbox).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=scripts/common.sh
source "$root/scripts/common.sh"

bin=${BOTBAT_SANDBOX_BIN:-$root/target/debug/botbat-sandbox}
st=$root/target/tools/schemathesis/bin/st
[[ -x $bin ]] || die "$bin not found; build it: cargo build -p botbat-sandbox"
[[ -x $st ]] || die "schemathesis not installed; run scripts/setup.sh"
examples=${BOTBAT_FUZZ_EXAMPLES:-40}

work=$(mktemp -d "${TMPDIR:-/tmp}/botbat-fuzz.XXXXXX")
sandbox_pid=""
cleanup() {
  if [[ -n $sandbox_pid ]]; then
    kill "$sandbox_pid" 2>/dev/null || true
    wait "$sandbox_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

key="bb_test_$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n' | cut -c1-32)"
BOTBAT_SANDBOX_ADMIN_KEY=$key "$bin" --listen 127.0.0.1:0 --data-dir "$work/data" --plan enterprise \
  >"$work/sandbox.log" 2>&1 &
sandbox_pid=$!
base=""
for _ in $(seq 1 100); do
  base=$(sed -n 's/^BotBat sandbox ready: //p' "$work/sandbox.log")
  [[ -n $base ]] && break
  kill -0 "$sandbox_pid" 2>/dev/null || break
  sleep 0.1
done
[[ -n $base ]] || die "the sandbox did not start: $(cat "$work/sandbox.log")"

echo "fuzz: $base, $examples examples per operation"
"$st" run "$base/openapi.json" \
  --header "Authorization: Bearer $key" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance \
  --exclude-path-regex '^/v1/sandbox/faults' \
  --max-examples "$examples" \
  --rate-limit 45/s \
  --seed 20261121 \
  --no-color
