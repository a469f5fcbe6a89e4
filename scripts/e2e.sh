#!/usr/bin/env bash
# End-to-end suite: the real botbat-console binary in a real window on a private Xvfb display,
# driven by tauri-driver + WebKitWebDriver from node's built-in test runner.
#
# Each test builds its own profile (XDG dirs plus a private D-Bus session with a fresh
# gnome-keyring, or with no Secret Service for the "keychain unavailable" test), so a single
# runner covers both modes and prints one summary. The runner itself also runs under
# with-keyring.sh, so nothing here can reach the developer's own session bus or keyring.
#
# Screenshots and tauri-driver logs land in target/e2e/.
# `scripts/e2e.sh --bench [NAME]` runs tests/e2e/bench/NAME.mjs instead (default startup: start,
# memory and idle CPU; palette: the command palette over 100,000 cached requests).
# `scripts/e2e.sh tests/e2e/x.test.mjs …` runs only those files (and keeps other screenshots).
# Environment: BOTBAT_CONSOLE_BIN (default target/debug/botbat-console),
#              BOTBAT_E2E_KEEP_PROFILES=1 keeps each test's data dirs for inspection,
#              BOTBAT_E2E_TIMEOUT bounds the whole run (default 45m; a full run takes ~8 min).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=scripts/common.sh
source "$root/scripts/common.sh"

bin=${BOTBAT_CONSOLE_BIN:-$root/target/debug/botbat-console}
if [[ ! -x $bin ]]; then
  die "$bin not found; build it first: npm --prefix ui run build && cargo build --bin botbat-console"
fi
export BOTBAT_CONSOLE_BIN=$bin
for tool in Xvfb tauri-driver WebKitWebDriver dbus-run-session gnome-keyring-daemon; do
  command -v "$tool" >/dev/null || die "$tool not found; run scripts/setup.sh"
done
[[ -d tests/e2e/node_modules/webdriverio ]] || die "tests/e2e/node_modules missing; run scripts/setup.sh"

out="$root/target/e2e"
mkdir -p "$out"
if (($# == 0)); then
  rm -f "$out"/*.png "$out"/*.log
fi

xvfb_pid=""
xvfb_dir=$(mktemp -d "${TMPDIR:-/tmp}/botbat-xvfb.XXXXXX")
stop_xvfb() {
  if [[ -n $xvfb_pid ]]; then
    kill "$xvfb_pid" 2>/dev/null || true
    wait "$xvfb_pid" 2>/dev/null || true
    xvfb_pid=""
  fi
  rm -rf "$xvfb_dir"
}
trap stop_xvfb EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# -displayfd makes Xvfb pick a free display itself and report it once it accepts clients. The
# screen is as large as the biggest window the layout test opens (1920×1080).
Xvfb -displayfd 3 -screen 0 1920x1080x24 -nolisten tcp \
  3>"$xvfb_dir/display" >"$out/xvfb.log" 2>&1 &
xvfb_pid=$!
display=""
for _ in $(seq 1 100); do
  display=$(tr -dc '0-9' <"$xvfb_dir/display" || true)
  [[ -n $display ]] && break
  kill -0 "$xvfb_pid" 2>/dev/null || break
  sleep 0.1
done
[[ -n $display ]] || die "Xvfb did not start; see $out/xvfb.log"
export DISPLAY=":$display"
export GDK_BACKEND=x11
unset WAYLAND_DISPLAY

shopt -s nullglob
if (($# > 0)) && [[ $1 != --bench ]]; then
  tests=("$@")
else
  tests=(tests/e2e/*.test.mjs)
fi
((${#tests[@]})) || die "no tests/e2e/*.test.mjs files"

set +e
if [[ ${1:-} == --bench ]]; then
  bench=tests/e2e/bench/${2:-startup}.mjs
  [[ -f $bench ]] || die "$bench not found; the benches are: $(cd tests/e2e/bench && ls -- *.mjs | tr '\n' ' ')"
  echo "e2e bench: display $DISPLAY, app $bin, $bench"
  scripts/with-keyring.sh node "$bench"
else
  echo "e2e: display $DISPLAY, app $bin, screenshots in target/e2e/"
  # Each test has its own deadline; --test-force-exit ends a file's process once its tests
  # are done even if something it started still holds it open, and the outer bound turns any
  # other hang into a failure that says so instead of a stalled run.
  timeout --kill-after=30s "${BOTBAT_E2E_TIMEOUT:-45m}" \
    scripts/with-keyring.sh node --test --test-force-exit --test-concurrency=1 --test-reporter=spec "${tests[@]}"
fi
rc=$?
if ((rc == 124 || rc == 137)); then
  echo "e2e: the run passed its bound of ${BOTBAT_E2E_TIMEOUT:-45m} and was stopped" >&2
fi
set -e
exit "$rc"
