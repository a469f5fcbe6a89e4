// Cold start and memory of the console.
//
// Each round starts from an empty profile (a first launch: the embedded sandbox creates its
// database, its key is generated and stored in the keychain) and times the spawn of the app
// to two points: the WebDriver session being ready (the window is up and the page loaded:
// the cost of the shell and WebKit) and the dashboard showing figures from the sandbox.
// The same profile is then launched again (a warm start: data and key already there).
// The baselines are the window-ready time of the same launch and the warm start, measured
// in the same run. Memory is the proportional set size (PSS, so shared pages are not
// counted twice) of the main process and of its WebKit processes once the dashboard is up.
// Run through `scripts/e2e.sh --bench`; nothing here asserts a time.

import { readFileSync } from 'node:fs';
import { createProfile, firstNumber, groupMembers, launch, waitForText } from '../lib/app.mjs';

const ROUNDS = Number(process.env.BOTBAT_BENCH_ROUNDS ?? 5);
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

async function launchOnce(profile, label) {
  const started = performance.now();
  const app = await launch(profile, { label });
  const window = performance.now() - started;
  try {
    await waitForText(app.browser, 'dashboard-api-keys', (s) => firstNumber(s) >= 1);
    const dashboard = performance.now() - started;
    await new Promise((r) => setTimeout(r, 1000));
    return { window, dashboard, mem: memory(app.pgid, 'botbat-console') };
  } finally {
    await app.close();
  }
}

async function round() {
  const profile = await createProfile('bench', { keyring: true });
  try {
    const cold = await launchOnce(profile, 'bench-cold');
    const warm = await launchOnce(profile, 'bench-warm');
    return { cold, warm };
  } finally {
    await profile.dispose();
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rounds = [];
for (let i = 0; i < ROUNDS; i++) rounds.push(await round());
const med = (f) => median(rounds.map(f));
const cold = { window: med((r) => r.cold.window), dashboard: med((r) => r.cold.dashboard) };
const warm = med((r) => r.warm.dashboard);
const main = med((r) => r.cold.mem.main) / 1024;
const webkit = med((r) => r.cold.mem.webkit) / 1024;
const f = (x) => x.toFixed(0).padStart(6);
console.log(`cold start and memory, medians of ${ROUNDS} rounds (a fresh profile each)`);
console.log(`  cold start, spawn -> dashboard with sandbox figures: ${f(cold.dashboard)} ms`);
console.log(`  baseline, spawn -> window and page ready (same launch): ${f(cold.window)} ms  ratio ${(cold.dashboard / cold.window).toFixed(2)}`);
console.log(`  warm start (same profile again) -> dashboard:          ${f(warm)} ms  ratio cold/warm ${(cold.dashboard / warm).toFixed(2)}`);
console.log(`  memory (PSS) with the dashboard up: main ${f(main)} MiB + WebKit ${f(webkit)} MiB = ${f(main + webkit)} MiB`);
