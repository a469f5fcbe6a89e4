#!/usr/bin/env bash
# Builds the release console and its Debian package:
#   target/release/bundle/deb/botbat-console_<version>_amd64.deb
# with /usr/bin/botbat-console (the window), botbat-sandbox, botbat-receiver and, once
# crates/botbat-cli exists, botbat; a desktop entry and icons. Bundled by the Tauri CLI from
# npm (scripts/package/package.json pins it to the tauri crate's version), `deb` only.
#
# The package declares what its binaries link, as dpkg-shlibdeps finds it (with the lowest
# versions their symbols need), so `apt install ./botbat-console_*.deb` brings every library
# on a machine without the build tools; a Secret Service (gnome-keyring) is recommended.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=scripts/common.sh
source "$root/scripts/common.sh"

bash scripts/setup.sh
tauri=scripts/package/node_modules/.bin/tauri
[[ -x $tauri ]] || die "$tauri not found; run scripts/setup.sh"

started=$SECONDS
bash scripts/build-release.sh

release=$(cargo_target_dir)/release
bins=()
for entry in $(shipped_binaries); do
  bin=$release/${entry#*:}
  [[ -x $bin ]] || die "$bin was not built"
  bins+=("$bin")
done

# Depends: what dpkg-shlibdeps reads from the binaries' ELF headers and the system's shlibs
# and symbols files. It wants a debian/control to sit in; an empty one will do.
work=$(mktemp -d "${TMPDIR:-/tmp}/botbat-package.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/debian"
: >"$work/debian/control"
shlibs=$(cd "$work" && dpkg-shlibdeps -O "${bins[@]/#/-e}" 2>"$work/shlibdeps.log") ||
  die "dpkg-shlibdeps failed: $(cat "$work/shlibdeps.log")"
depends=${shlibs#shlibs:Depends=}

# The extra binaries go to /usr/bin beside the console; the desktop entry names the package.
config=$work/package.conf.json
node - "$config" "$depends" "${bins[@]}" <<'JS'
const [config, depends, console_, ...extra] = process.argv.slice(2);
const { basename } = require('node:path');
const files = Object.fromEntries(extra.map((bin) => [`/usr/bin/${basename(bin)}`, bin]));
const conf = {
  bundle: {
    linux: {
      deb: {
        depends: depends.split(',').map((d) => d.trim()).filter(Boolean),
        files,
      },
    },
  },
};
require('node:fs').writeFileSync(config, JSON.stringify(conf, null, 2));
JS

"$tauri" bundle --bundles deb --config "$config"

# The bundler names the package, its file and its desktop entry after the product name
# ("BotBat Developer Console"), and appends its own unversioned WebKit and GTK to Depends.
# Repacked as botbat-console, the command a user types, with each dependency once and the
# binaries stripped.
product=$(node -p 'require("./tauri.conf.json").productName')
version=$(node -p 'require("./tauri.conf.json").version')
bundled=$release/bundle/deb/${product}_${version}_amd64.deb
deb=$release/bundle/deb/botbat-console_${version}_amd64.deb
[[ -f $bundled ]] || die "$bundled was not made; see the output above"
stage=$work/stage
dpkg-deb -R "$bundled" "$stage"
node - "$stage/DEBIAN/control" <<'JS'
const { readFileSync, writeFileSync } = require('node:fs');
const path = process.argv[2];
const seen = new Set();
const depends = (list) =>
  list
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d && !seen.has(d.split(/[\s(]/)[0]) && seen.add(d.split(/[\s(]/)[0]))
    .join(', ');
const control = readFileSync(path, 'utf8')
  .replace(/^Package: .*$/m, 'Package: botbat-console')
  .replace(/^Depends: (.*)$/m, (_, list) => `Depends: ${depends(list)}`);
writeFileSync(path, control);
JS
# Symbol tables serve no one on a user's machine (as dh_strip does for Debian's packages).
strip --strip-unneeded "$stage"/usr/bin/*
sed -i "s/^Installed-Size: .*/Installed-Size: $(du -sk "$stage"/usr | cut -f1)/" "$stage"/DEBIAN/control
mv "$stage/usr/share/applications/$product.desktop" "$stage/usr/share/applications/botbat-console.desktop"
(cd "$stage" && find usr -type f -print0 | sort -z | xargs -0 md5sum) >"$stage/DEBIAN/md5sums"
rm -f "$deb"
dpkg-deb --root-owner-group --build "$stage" "$deb" >/dev/null
rm "$bundled"
echo
echo "package: $deb ($(du -h "$deb" | cut -f1), built in $((SECONDS - started)) s)"
dpkg-deb --field "$deb" Package Version Depends Recommends Installed-Size
dpkg-deb --contents "$deb" | awk '{print "  " $6}' | grep -E '/usr/bin/|\.desktop$|/icons/'
