#!/usr/bin/env bash
# OpenAPI-driven fuzzing of the sandbox: schemathesis generates requests from the sandbox's
# own /v1/openapi.json, valid and invalid ones (--mode all), and runs every check: no 5xx,
# every response as published (status codes, content type, body, headers), every
# schema-valid request accepted and every schema-violating one refused, and the auth and
# method checks (ignored_auth among them). The published document is the contract Try It
# validates against, so a failure here is a request the console would approve that the
# platform refuses, or the reverse. Refusals for rules no schema can state (x-runtime-rules
# on each operation) are expected: scripts/fuzz_hooks.py drops exactly those. Bounded: a
# fixed seed and number of examples per operation, against a sandbox on 127.0.0.1 that this
# script starts and stops. Extra arguments go to every `st run` (e.g. --include-path-regex).
#
# The fuzz must not lose its key halfway (a revoked or rotated key makes every later answer
# a 401 that says nothing about the operation), so it runs in four parts, each with its own
# key created up front through the API:
#   everything     every operation except revoking and rotating keys and the fault controls
#   key lifecycle  create, get, rotate and revoke keys, with a key whose id no operation in
#                  this part reveals, so the fuzz can only revoke or rotate keys it created
#   fault controls after those two: an armed fault makes later requests answer 5xx, so the
#                  faults are cleared before the next part
#   limited        every operation with a read-only key: 2xx only where it holds the scope,
#                  403 elsewhere (scripts/fuzz_sandbox.py adds that check)
# A 401 to a run's own key fails the run (fuzz_key_kept). At the end it prints how many
# operations answered 2xx, and fails if any was never reached by a key holding its scope.
#
# Needs target/debug/botbat-sandbox (cargo build -p botbat-sandbox).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=scripts/common.sh
source "$root/scripts/common.sh"

bin=${BOTBAT_SANDBOX_BIN:-$root/target/debug/botbat-sandbox}
st=$root/target/tools/schemathesis/bin/st
python=$root/target/tools/schemathesis/bin/python
[[ -x $bin ]] || die "$bin not found; build it: cargo build -p botbat-sandbox"
[[ -x $st ]] || die "schemathesis not installed; run scripts/setup.sh"
examples=${BOTBAT_FUZZ_EXAMPLES:-40}
limited_examples=${BOTBAT_FUZZ_LIMITED_EXAMPLES:-10}
# schemathesis' checks, for every part. The fuzz's own checks are added to them below.
checks=${BOTBAT_FUZZ_CHECKS:-all}
# The script's own arguments go to every part.
extra=("$@")
own_checks=fuzz_key_kept,scope_enforced,ReachRecord

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

admin="bb_test_$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n' | cut -c1-32)"
BOTBAT_SANDBOX_ADMIN_KEY=$admin "$bin" --listen 127.0.0.1:0 --data-dir "$work/data" --plan enterprise \
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

support=$root/scripts/fuzz_sandbox.py
every_scope=$("$python" "$support" scopes "$base" "$admin")
read_only="contacts:read messages:read campaigns:read conversations:read templates:read webhooks:read usage:read"
# shellcheck disable=SC2086 # one argument per scope
{
  everything_key=$("$python" "$support" create-key "$base" "$admin" "fuzz: everything" $every_scope)
  lifecycle_key=$("$python" "$support" create-key "$base" "$admin" "fuzz: key lifecycle" $every_scope)
  faults_key=$("$python" "$support" create-key "$base" "$admin" "fuzz: fault controls" $every_scope)
  limited_key=$("$python" "$support" create-key "$base" "$admin" "fuzz: read only" $read_only)
}

failed=()
# fuzz NAME KEY "SCOPES" [schemathesis options…]
fuzz() {
  local name=$1 key=$2 scopes=$3
  shift 3
  echo
  echo "fuzz: $name: $base"
  if ! PYTHONPATH="$root/scripts${PYTHONPATH:+:$PYTHONPATH}" SCHEMATHESIS_HOOKS=fuzz_sandbox \
    BOTBAT_FUZZ_KEY=$key BOTBAT_FUZZ_KEY_SCOPES=$scopes BOTBAT_FUZZ_REACH="$work/reach-${name// /-}.json" \
    "$st" run "$base/openapi.json" \
    --header "Authorization: Bearer $key" \
    --checks "$checks,$own_checks" \
    --rate-limit 45/s \
    --seed 20261121 \
    --no-color \
    "$@" "${extra[@]}"; then
    failed+=("$name")
  fi
}

# One filter per option: schemathesis ANDs the criteria of an option, so one regex over the
# operation's name ("METHOD /path") excludes both kinds.
fuzz "everything" "$everything_key" "$every_scope" \
  --exclude-name-regex '^([A-Z]+ /v1/sandbox/faults|DELETE /v1/api_keys/\{id\}|POST /v1/api_keys/\{id\}/rotate)$' \
  --mode all --max-examples "$examples"
fuzz "key lifecycle" "$lifecycle_key" "$every_scope" \
  --include-operation-id-regex '^(create_key|get_key|revoke_key|rotate_key)$' \
  --mode all --max-examples "$examples"
fuzz "fault controls" "$faults_key" "$every_scope" \
  --include-path-regex '^/v1/sandbox/faults' \
  --mode all --max-examples "$examples"
# Disarm what the fault controls part armed, so no injected 5xx reaches the limited part.
"$python" "$support" clear-faults "$base" "$admin"
fuzz "limited" "$limited_key" "$read_only" \
  --phases examples,fuzzing \
  --max-examples "$limited_examples"

echo
"$python" "$support" summary "$work"/reach-*.json || failed+=("reach")
if ((${#failed[@]})); then
  die "the fuzz failed: ${failed[*]}"
fi
