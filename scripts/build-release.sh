#!/usr/bin/env bash
# Builds the UI and, in one cargo run, every release binary that scripts/package.sh ships and
# scripts/bench.sh measures: the console, botbat-sandbox, botbat-receiver, botbat (once its
# crate exists) and the bare window of the benchmarks. One run resolves features once, so
# they all share one build of each dependency, and the bare window gets the very Tauri the
# console has.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=scripts/common.sh
source "$root/scripts/common.sh"

# The binary embeds ui/dist.
npm --prefix ui run build

args=()
for entry in $(shipped_binaries) bare-window:bare-window; do
  args+=(-p "${entry%%:*}" --bin "${entry#*:}")
done
cargo build --release "${args[@]}"
