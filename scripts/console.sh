#!/usr/bin/env bash
# Builds the UI and runs the console (the embedded sandbox starts on first run).
# Extra arguments go to the app: scripts/console.sh -- --help
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=scripts/common.sh
source "$root/scripts/common.sh"

bash scripts/setup.sh
npm --prefix ui run build

if [[ -z ${DISPLAY:-} && -z ${WAYLAND_DISPLAY:-} ]]; then
  echo "console: no DISPLAY or WAYLAND_DISPLAY set; the window needs a desktop session" \
    "(or run under a virtual display: xvfb-run scripts/console.sh)" >&2
fi

if [[ ${1:-} == -- ]]; then
  shift
fi
exec cargo run --bin botbat-console -- "$@"
