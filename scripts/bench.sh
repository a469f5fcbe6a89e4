#!/usr/bin/env bash
# Every figure of the README's table in one run, release builds only, each against a baseline
# measured in the same run, printed as one Markdown table with the date and the machine.
# Not part of CI; it takes 20-25 minutes once the release build is there (the first release
# build adds about 20 minutes on 2 cores). Run nothing else heavy meanwhile.
#
#   window      scripts/e2e.sh --bench (tests/e2e/bench/startup.mjs): cold and warm start,
#               memory and idle CPU of the console vs benches/bare-window, a bare Tauri 2
#               window built in the same cargo run
#   palette     scripts/e2e.sh --bench palette: Ctrl+K and a pasted request id over 100,000
#               cached requests vs one element added after a key and from the page, same window
#   receiver    cargo bench -p botbat-webhooks --bench receiver (vs a bare axum server)
#   tryit       cargo bench -p botbat-console-core --bench tryit_send (vs a bare reqwest client),
#               on a private keyring
#   sandbox     cargo bench -p botbat-sandbox --bench metered_get (vs the access layer off)
#   size        the .deb and its installed size vs the bare window's, bundled the same way
#
# Each bench's whole output is kept in target/bench/<name>.log. A bench may print rows for the
# table itself, one per line: `bench-row: figure | console | baseline | ratio | aim`; without
# them its summary line is read as it is printed today.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=scripts/common.sh
source "$root/scripts/common.sh"

target=$(cargo_target_dir)
release=$target/release
out=$target/bench
mkdir -p "$out"
say() { echo "bench: $*" >&2; }

# The release console, its tools and the bare window (one cargo run), and the console's .deb.
say "release build and package"
bash scripts/package.sh >"$out/package.log" 2>&1 || die "scripts/package.sh failed; see $out/package.log"
# The bare window's package, bundled by the same CLI from the binary just built.
(cd benches/bare-window && "$root/scripts/package/node_modules/.bin/tauri" bundle --bundles deb) \
  >"$out/bare-package.log" 2>&1 || die "bundling the bare window failed; see $out/bare-package.log"
bare_version=$(node -p 'require("./benches/bare-window/tauri.conf.json").version')
bare_deb=$release/bundle/deb/bare-window_${bare_version}_amd64.deb
# Stripped as scripts/package.sh strips the console's binaries, so the sizes compare.
bare_stage=$(mktemp -d "${TMPDIR:-/tmp}/bare-deb.XXXXXX")
trap 'rm -rf "$bare_stage"' EXIT
dpkg-deb -R "$bare_deb" "$bare_stage/root"
strip --strip-unneeded "$bare_stage"/root/usr/bin/*
sed -i "s/^Installed-Size: .*/Installed-Size: $(du -sk "$bare_stage/root"/usr | cut -f1)/" "$bare_stage/root"/DEBIAN/control
(cd "$bare_stage/root" && find usr -type f -print0 | sort -z | xargs -0 md5sum) >"$bare_stage/root/DEBIAN/md5sums"
dpkg-deb --root-owner-group --build "$bare_stage/root" "$bare_deb" >/dev/null

# Build every cargo bench before measuring anything, so no compile runs beside a measurement.
benches=(
  "receiver|cargo bench -p botbat-webhooks --bench receiver"
  "tryit|scripts/with-keyring.sh cargo bench -p botbat-console-core --bench tryit_send"
  "sandbox|cargo bench -p botbat-sandbox --bench metered_get"
)
say "building the cargo benches"
cargo bench --no-run -p botbat-webhooks --bench receiver -p botbat-console-core --bench tryit_send \
  -p botbat-sandbox --bench metered_get >"$out/bench-build.log" 2>&1 ||
  die "building the benches failed; see $out/bench-build.log"

say "window: start, memory and idle CPU (about 4 minutes)"
BOTBAT_CONSOLE_BIN=$release/botbat-console BOTBAT_BARE_BIN=$release/bare-window \
  BOTBAT_BENCH_JSON=$out/window.json scripts/e2e.sh --bench >"$out/window.log" 2>&1 ||
  die "the window bench failed; see $out/window.log"
say "palette: 100,000 requests generated and synced at the Starter pace, then Ctrl+K and a pasted id (about 7 minutes)"
BOTBAT_CONSOLE_BIN=$release/botbat-console BOTBAT_BENCH_JSON=$out/palette.json \
  scripts/e2e.sh --bench palette >"$out/palette.log" 2>&1 ||
  die "the palette bench failed; see $out/palette.log"

for entry in "${benches[@]}"; do
  name=${entry%%|*}
  say "$name: ${entry#*|}"
  bash -c "${entry#*|}" </dev/null >"$out/$name.log" 2>&1 || die "$name failed; see $out/$name.log"
done

version=$(node -p 'require("./tauri.conf.json").version')
machine="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), Linux $(uname -r)"
node - "$out" "$release/bundle/deb/botbat-console_${version}_amd64.deb" \
  "$bare_deb" "$machine" <<'JS'
const { readFileSync, statSync } = require('node:fs');
const { execFileSync } = require('node:child_process');
const [out, deb, bareDeb, machine] = process.argv.slice(2);
const log = (name) => readFileSync(`${out}/${name}.log`, 'utf8');
const num = (s) => Number(String(s).replace(/,/g, ''));
const fmt = (x, digits = 0) => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ratio = (a, b) => `${(a / b).toFixed(2)}×`;
const rows = [];

const w = JSON.parse(readFileSync(`${out}/window.json`, 'utf8'));
const c = w.console;
const b = w.bare;
const mem = (m) => `${fmt(m.total)} MiB (main ${fmt(m.main)}, web ${fmt(m.web)}, network ${fmt(m.network)})`;
const span = ([lo, hi]) => `${fmt(lo)}–${fmt(hi)}`;
rows.push([
  `Memory, PSS of main + WebKit processes, 10 s after start`,
  mem(c.memoryMiB), mem(b.memoryMiB), ratio(c.memoryMiB.total, b.memoryMiB.total), '≤ 1.3×',
]);
rows.push([
  `Cold start (empty profile: sandbox created, key stored) to dashboard figures, vs first paint; median of ${w.rounds}`,
  `${fmt(c.coldMs)} ms (${span(c.coldSpreadMs)})`, `${fmt(b.coldMs)} ms (${span(b.coldSpreadMs)})`, ratio(c.coldMs, b.coldMs), '—',
]);
rows.push([
  `Warm start to dashboard figures, vs first paint; median of ${w.rounds}`,
  `${fmt(c.warmMs)} ms (${span(c.warmSpreadMs)})`, `${fmt(b.warmMs)} ms (${span(b.warmSpreadMs)})`, ratio(c.warmMs, b.warmMs), '≤ 1.5×',
]);
rows.push([
  `Idle CPU on the dashboard over ${w.idleSeconds} s, main + WebKit, share of one core`,
  `${c.idleCpuPercent.toFixed(2)} %`, `${b.idleCpuPercent.toFixed(2)} %`, ratio(c.idleCpuPercent || 0.001, b.idleCpuPercent || 0.001), '< 1 %',
]);

// Rows a bench prints itself win; otherwise its summary line as printed today.
function benchRows(name, figure, parse, aim) {
  const text = log(name);
  const own = [...text.matchAll(/^bench-row:(.*)$/gm)].map((m) => m[1].split('|').map((s) => s.trim()));
  if (own.length) return rows.push(...own);
  const parsed = parse(text);
  if (parsed) return rows.push([figure, ...parsed, aim]);
  const line = text.split('\n').find((l) => /ratio/i.test(l)) ?? `no summary; see ${out}/${name}.log`;
  rows.push([figure, line.trim(), '', /ratio[^0-9]*([0-9.]+)/i.exec(line)?.[1] ?? '?', aim]);
}
benchRows('palette', 'Command palette over 100,000 cached requests', () => null, '—');
benchRows('receiver', 'Inspector receiver: captured and persisted vs a bare axum server answering 200', (t) => {
  const m = /([\d.,]+) req\/s captured and persisted vs bare axum 200 ([\d.,]+) req\/s: ratio ([\d.]+)/.exec(t);
  return m && [`${fmt(num(m[1]))} req/s`, `${fmt(num(m[2]))} req/s`, `${m[3]}×`];
}, '≥ 0.5×');
benchRows('tryit', 'Try It send path vs a bare HTTP client', (t) => {
  // Every "<what>: median <x> ms" line; the console's is the one naming TryIt::send, the
  // baseline the one naming a warm connection or reqwest, else the last one printed.
  const lines = [...t.matchAll(/^\s*(.+?):?\s+median ([\d.]+) ms/gm)].map((m) => ({ what: m[1].trim(), ms: Number(m[2]) }));
  const own = lines.find((l) => /TryIt::send/.test(l.what));
  const others = lines.filter((l) => l !== own);
  const base = others.find((l) => /warm|reqwest/i.test(l.what)) ?? others.at(-1);
  return own && base && [`${own.ms} ms`, `${base.ms} ms (${base.what})`, ratio(own.ms, base.ms)];
}, '≤ 1.2×');
benchRows('sandbox', 'Sandbox authenticated, scoped and metered GET vs the same route with the layer off', (t) => {
  const a = /metering:\s+([\d.,]+) req\/s/.exec(t);
  const base = /baseline\):\s+([\d.,]+) req\/s/.exec(t);
  return a && base && [`${fmt(num(a[1]))} req/s`, `${fmt(num(base[1]))} req/s`, ratio(num(a[1]), num(base[1]))];
}, '≥ 0.6×');

const field = (file, name) => execFileSync('dpkg-deb', ['--field', file, name], { encoding: 'utf8' }).trim();
const mib = (bytes) => `${(bytes / 1048576).toFixed(1)} MiB`;
const debSize = statSync(deb).size;
const bareSize = statSync(bareDeb).size;
rows.push(['Package (.deb) size', mib(debSize), mib(bareSize), ratio(debSize, bareSize), '—']);
const inst = num(field(deb, 'Installed-Size')) * 1024;
const bareInst = num(field(bareDeb, 'Installed-Size')) * 1024;
rows.push(['Installed size (the console and its tools vs the bare window)', mib(inst), mib(bareInst), ratio(inst, bareInst), '—']);

const date = new Date().toISOString().replace('T', ' ').slice(0, 16);
console.log(`Figures of ${date} UTC on ${machine}; release builds, each baseline measured in the same run.\n`);
console.log('| Figure | Console | Baseline | Ratio | Aim |');
console.log('|---|---|---|---|---|');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
console.log(`\nBaselines: a bare Tauri 2 window (benches/bare-window), a bare axum server, a bare HTTP client, the sandbox's route with its access layer off. Logs: ${out}/*.log`);
JS
