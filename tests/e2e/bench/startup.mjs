// Cold start and memory of the console, against a bare WebKitGTK window in the same run.
//
// Each round starts from an empty profile (first launch: the embedded sandbox is created,
// its key generated and stored in the keychain) and times the spawn of the app up to the
// dashboard showing figures from the sandbox. The baseline is WebKitGTK's own MiniBrowser
// launched the same way to a blank page: what any WebKit window costs on this machine.
// Memory is the proportional set size (PSS, so shared pages are not counted twice) of the
// main process plus its WebKit processes, read from /proc once the dashboard is up.
// Run through scripts/e2e.sh --bench; nothing here asserts a time.

import { readFileSync } from 'node:fs';
import { createProfile, firstNumber, groupMembers, launch, waitForText } from '../lib/app.mjs';

const ROUNDS = Number(process.env.BOTBAT_BENCH_ROUNDS ?? 5);
const MINIBROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
const WEBKIT = ['WebKitWebProcess', 'WebKitNetworkProcess', 'WebKitGPUProcess'];

function processName(pid) {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

function pssKiB(pid) {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    return Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

function memory(pgid, mainName) {
  const out = { main: 0, webkit: 0 };
  for (const pid of groupMembers(pgid)) {
    const name = processName(pid);
    if (mainName.startsWith(name)) out.main += pssKiB(pid);
    else if (WEBKIT.some((w) => w.startsWith(name))) out.webkit += pssKiB(pid);
  }
  return out;
}

async function round(kind) {
  const profile = await createProfile(`bench-${kind}`, { keyring: true });
  const started = performance.now();
  const app =
    kind === 'console'
      ? await launch(profile, { label: 'bench' })
      : await launch(profile, { label: 'bench', application: MINIBROWSER, args: ['about:blank'] });
  try {
    if (kind === 'console') {
      await waitForText(app.browser, 'dashboard-api-keys', (s) => firstNumber(s) >= 1);
    } else {
      await app.browser.waitUntil(async () => (await app.browser.execute(() => document.readyState)) === 'complete');
    }
    const ms = performance.now() - started;
    await new Promise((r) => setTimeout(r, 1000));
    const mem = memory(app.pgid, kind === 'console' ? 'botbat-console' : 'MiniBrowser');
    return { ms, mem };
  } finally {
    await app.close();
    await profile.dispose();
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = { console: [], baseline: [] };
await round('baseline');
for (let i = 0; i < ROUNDS; i++) {
  results.console.push(await round('console'));
  results.baseline.push(await round('baseline'));
}
const summary = (rs) => ({
  ms: median(rs.map((r) => r.ms)),
  main: median(rs.map((r) => r.mem.main)) / 1024,
  webkit: median(rs.map((r) => r.mem.webkit)) / 1024,
});
const c = summary(results.console);
const b = summary(results.baseline);
const f = (x) => x.toFixed(0).padStart(6);
console.log(`cold start and memory, medians of ${ROUNDS} alternating rounds (fresh profile each)`);
console.log(`  console: spawn -> dashboard with sandbox figures ${f(c.ms)} ms; PSS main ${f(c.main)} MiB + WebKit ${f(c.webkit)} MiB = ${f(c.main + c.webkit)} MiB`);
console.log(`  baseline MiniBrowser: spawn -> blank page       ${f(b.ms)} ms; PSS main ${f(b.main)} MiB + WebKit ${f(b.webkit)} MiB = ${f(b.main + b.webkit)} MiB`);
console.log(`  ratio console / bare WebKit window: start ${(c.ms / b.ms).toFixed(2)}, memory ${((c.main + c.webkit) / (b.main + b.webkit)).toFixed(2)}`);
