#!/usr/bin/env bash
# Installs what building and testing the console needs, and nothing that is already there.
# Safe to run repeatedly; with everything present it only checks and returns.
#
#   Debian packages  (apt-get, only as root; otherwise prints the command to run)
#   Node.js >= 20    (checked only: Debian 12's own nodejs is too old)
#   tauri-driver     (cargo install, lands in ~/.cargo/bin)
#   schemathesis     (pip, in a venv under target/tools/, for the sandbox fuzz stage)
#   standardwebhooks, stripe
#                    (pip, in a venv under target/tools/, the reference implementations
#                     botbat-webhooks' tests check signatures against)
#   requests         (pip, in a venv under target/tools/, to run Try It's Python snippets)
#   npm packages     (npm ci in ui/, tests/e2e/ and scripts/package/ (the Tauri CLI that
#                     bundles the .deb) when node_modules is missing or stale)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=scripts/common.sh
source "$root/scripts/common.sh"

say() { echo "setup: $*"; }

# --- Debian packages -------------------------------------------------------------------------
packages=(
  libwebkit2gtk-4.1-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev librsvg2-dev
  libayatana-appindicator3-dev libssl-dev libdbus-1-dev pkg-config curl
  xvfb webkit2gtk-driver gnome-keyring dbus-x11 libsecret-tools imagemagick python3-venv
  php-cli php-curl openjdk-17-jdk-headless
  dpkg-dev desktop-file-utils x11-utils
)
missing=()
if command -v dpkg-query >/dev/null; then
  installed=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${packages[@]}" 2>/dev/null || true)
  for pkg in "${packages[@]}"; do
    grep -qE "^${pkg//./\\.} ii" <<<"$installed" || missing+=("$pkg")
  done
else
  say "dpkg-query not found: not a Debian-like system; make sure these are installed: ${packages[*]}"
fi

if ((${#missing[@]})); then
  apt_line="apt-get update && apt-get install -y ${missing[*]}"
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: missing Debian packages: ${missing[*]}" >&2
    echo "setup: run as root:  sudo sh -c '$apt_line'" >&2
    exit 1
  fi
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y "${missing[@]}"
fi

# --- Node.js ---------------------------------------------------------------------------------
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  die "Node.js 20 or newer (with npm) is required and was not found.
       Install it from https://nodejs.org/ or NodeSource's Debian repository
       (Debian 12's own 'nodejs' package is version 18, which is too old)."
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if ((node_major < 20)); then
  die "Node.js $(node --version) is too old; version 20 or newer is required.
       Install it from https://nodejs.org/ or NodeSource's Debian repository, then rerun."
fi

# --- Rust toolchain --------------------------------------------------------------------------
command -v cargo >/dev/null || die "cargo not found; install Rust from https://rustup.rs/"
for component in fmt clippy; do
  cargo "$component" --version >/dev/null 2>&1 ||
    die "cargo $component is missing; run: rustup component add ${component/fmt/rustfmt}"
done

# --- tauri-driver ----------------------------------------------------------------------------
if ! command -v tauri-driver >/dev/null; then
  say "installing tauri-driver"
  cargo install tauri-driver --locked --version '^2'
fi
command -v tauri-driver >/dev/null || die "tauri-driver installed but not on PATH; add ~/.cargo/bin to PATH"

# --- schemathesis (OpenAPI fuzzing of the sandbox), in its own venv under target/ ---------
schemathesis_version=4.32.5
st_venv=target/tools/schemathesis
if [[ ! -x $st_venv/bin/st ]] || ! "$st_venv/bin/st" --version 2>/dev/null | grep -q "$schemathesis_version"; then
  command -v python3 >/dev/null || die "python3 is required for the fuzz stage (schemathesis)"
  say "installing schemathesis $schemathesis_version into $st_venv"
  rm -rf "$st_venv"
  python3 -m venv "$st_venv"
  "$st_venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$schemathesis_version"
fi

# --- standardwebhooks + stripe (independent webhook signatures), in their own venv ---------
# crates/botbat-webhooks/tests/vectors.rs runs scripts/webhook-vectors.py with this Python
# and fails when it is missing.
standardwebhooks_version=1.1.0
stripe_version=16.1.0
wh_venv=target/tools/pywebhooks
wh_versions() {
  "$wh_venv/bin/python" -c \
    'from importlib.metadata import version; print(version("standardwebhooks"), version("stripe"))' \
    2>/dev/null
}
if [[ ! -x $wh_venv/bin/python ]] || [[ $(wh_versions) != "$standardwebhooks_version $stripe_version" ]]; then
  command -v python3 >/dev/null || die "python3 is required for the webhook signature tests"
  say "installing standardwebhooks $standardwebhooks_version and stripe $stripe_version into $wh_venv"
  rm -rf "$wh_venv"
  python3 -m venv "$wh_venv"
  "$wh_venv/bin/pip" install --quiet --disable-pip-version-check \
    "standardwebhooks==$standardwebhooks_version" "stripe==$stripe_version"
fi

# --- requests (Try It's Python snippets are run by the console-core tests), in its own venv -
# crates/botbat-console-core/tests/tryit.rs runs the generated snippets with this Python,
# curl, node, php (php-cli + php-curl above) and java (openjdk-17-jdk-headless above), and
# fails when one is missing.
requests_version=2.32.3
rq_venv=target/tools/pyrequests
rq_version() {
  "$rq_venv/bin/python" -c 'from importlib.metadata import version; print(version("requests"))' 2>/dev/null
}
if [[ ! -x $rq_venv/bin/python ]] || [[ $(rq_version) != "$requests_version" ]]; then
  command -v python3 >/dev/null || die "python3 is required for the Try It snippet tests"
  say "installing requests $requests_version into $rq_venv"
  rm -rf "$rq_venv"
  python3 -m venv "$rq_venv"
  "$rq_venv/bin/pip" install --quiet --disable-pip-version-check "requests==$requests_version"
fi

# --- npm packages ----------------------------------------------------------------------------
npm_ci() {
  local dir=$1
  if [[ ! -f $dir/package.json ]]; then
    say "$dir/package.json not found; skipping"
    return
  fi
  [[ -f $dir/package-lock.json ]] ||
    die "$dir/package-lock.json is missing; run 'npm install' in $dir and commit the lockfile"
  # npm writes node_modules/.package-lock.json on every install; older than the lockfile
  # means the lockfile changed since.
  local stamp=$dir/node_modules/.package-lock.json
  if [[ ! -d $dir/node_modules || ! -f $stamp || $dir/package-lock.json -nt $stamp ]]; then
    say "npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund)
  fi
}
npm_ci ui
npm_ci tests/e2e
npm_ci scripts/package

say "ok"
