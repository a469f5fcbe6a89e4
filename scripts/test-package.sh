#!/usr/bin/env bash
# Tests the Debian package that scripts/package.sh made, without installing it: unpacks it
# with `dpkg-deb -x` into a temporary root and runs tests/package/deb.test.mjs through
# scripts/e2e.sh (its declared dependencies and desktop entry; the tools' --help; the
# packaged console on an empty profile under Xvfb at 1366×768 and 2560×1440, with
# screenshots in target/e2e/package-*.png).
#   scripts/test-package.sh [path/to/botbat-console_<version>_amd64.deb]
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=scripts/common.sh
source "$root/scripts/common.sh"

version=$(node -p 'require("./tauri.conf.json").version')
deb=${1:-$(cargo_target_dir)/release/bundle/deb/botbat-console_${version}_amd64.deb}
[[ -f $deb ]] || die "$deb not found; make it first: scripts/package.sh"
deb=$(realpath "$deb")

unpacked=$(mktemp -d "${TMPDIR:-/tmp}/botbat-deb.XXXXXX")
trap 'rm -rf "$unpacked"' EXIT
dpkg-deb -x "$deb" "$unpacked"
echo "package test: $deb unpacked in $unpacked"

export BOTBAT_PACKAGE_DEB=$deb
export BOTBAT_PACKAGE_ROOT=$unpacked
export BOTBAT_CONSOLE_BIN=$unpacked/usr/bin/botbat-console
scripts/e2e.sh tests/package/deb.test.mjs
