#!/usr/bin/env bash
# The whole test suite, in the order a failure is cheapest to find. Stops at the first
# failing stage and names it. Non-interactive: works with CI=true and no stdin.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=scripts/common.sh
source "$root/scripts/common.sh"

export CI=${CI:-true}
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
# A run builds once from scratch: incremental artifacts would only cost disk and time.
export CARGO_INCREMENTAL=${CARGO_INCREMENTAL:-0}

stages=(
  "setup|bash scripts/setup.sh"
  "rustfmt|cargo fmt --all --check"
  # The binary embeds ui/dist, so the UI is built before anything compiles the app crate.
  "ui build|npm --prefix ui run build"
  "clippy|cargo clippy --workspace --all-targets -- -D warnings"
  "ui type check|npm --prefix ui run check"
  "ui unit tests|npm --prefix ui test"
  # Keychain tests talk to a real, throwaway gnome-keyring.
  "rust tests|scripts/with-keyring.sh cargo test --workspace"
  "app build|cargo build -p botbat-console -p botbat-sandbox --bins"
  "sandbox fuzz|scripts/fuzz-sandbox.sh"
  "e2e|scripts/e2e.sh"
  # The release build and the Debian package, then the package unpacked and its console run.
  "package|scripts/package.sh"
  "package test|scripts/test-package.sh"
)

total=${#stages[@]}
n=0
timings=()
# Every stage's wall time, printed at the end whether the run passed or failed, so a slow
# stage is visible before it pushes a run past its time limit.
print_timings() {
  echo
  echo "stage times:"
  printf '  %s\n' "${timings[@]}"
  echo "  total $SECONDS s"
}
trap print_timings EXIT
for entry in "${stages[@]}"; do
  n=$((n + 1))
  name=${entry%%|*}
  cmd=${entry#*|}
  echo
  echo "==> [$n/$total] $name: $cmd"
  started=$SECONDS
  set +e
  bash -c "$cmd" </dev/null
  rc=$?
  set -e
  timings+=("$(printf '%4d s  %s' $((SECONDS - started)) "$name")")
  echo "<== [$n/$total] $name: $((SECONDS - started)) s (run so far: $SECONDS s)"
  if ((rc != 0)); then
    echo
    echo "FAILED at stage $n/$total ($name), exit code $rc: $cmd" >&2
    exit "$rc"
  fi
done
