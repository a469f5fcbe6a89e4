#!/usr/bin/env bash
# OpenAPI-driven fuzzing of the sandbox: schemathesis generates requests from the sandbox's
# own /v1/openapi.json, valid and invalid ones (--mode all), and runs every check: no 5xx,
# every response as published (status codes, content type, body, headers), every
# schema-valid request accepted and every schema-violating one refused, and the auth and
# method checks. The published document is the contract Try It validates against, so a
# failure here is a request the console would approve that the platform refuses, or the
# reverse. Refusals for rules no schema can state (x-runtime-rules on each operation) are
# expected: scripts/fuzz_hooks.py drops exactly those. Bounded: a fixed seed and number of
# examples per operation, against a sandbox on 127.0.0.1 that this script starts and stops.
# Extra arguments go to `st run` (e.g. --include-path-regex to fuzz one route).
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
SCHEMATHESIS_HOOKS="$root/scripts/fuzz_hooks.py" "$st" run "$base/openapi.json" \
  --header "Authorization: Bearer $key" \
  --checks all --mode all \
  --exclude-path-regex '^/v1/sandbox/faults' \
  --max-examples "$examples" \
  --rate-limit 45/s \
  --seed 20261121 \
  --no-color "$@"
