// Start-up, memory and idle CPU of the console against a bare Tauri 2 window, in one run.
//
// The baseline is benches/bare-window: one window, one static page, one command, built in the
// same cargo run as the console (scripts/build-release.sh), so on the very same Tauri. Both
// are release builds, and both are launched the same way: through tauri-driver and
// WebKitWebDriver, on an empty profile, timed from the WebDriver session request (which
// spawns the app) to the moment the page shows what its backend answered:
//   bare window  its page painted its first frame, called its one command, showed the answer;
//   console      the dashboard shows figures from the embedded sandbox.
// Both moments are polled with the same one-call probe every POLL_MS, so the driver's cost
// and the polling error are the same on both sides. Cold is a first launch on an empty
// profile (for the console: the sandbox created, its key generated and stored in the
// keychain); warm is the same profile launched again. Rounds alternate the two apps.
//
// Then one more warm launch of each: memory is the proportional set size (PSS, so pages
// shared between processes count once) of the main process and of its WebKit web and network
// processes, 10 s after the launch; idle CPU is their utime + stime over the next 60 s with
// nothing touching the window, as a share of one core.
//
// Run through `scripts/e2e.sh --bench` with BOTBAT_CONSOLE_BIN and BOTBAT_BARE_BIN set to the
// release binaries (scripts/bench.sh does). Prints a summary and writes BOTBAT_BENCH_JSON
// (default target/bench/window.json). Nothing here asserts a time.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { APP_BINARY, REPO_ROOT, createProfile, firstNumber, groupMembers, launch } from '../lib/app.mjs';

const ROUNDS = Number(process.env.BOTBAT_BENCH_ROUNDS ?? 5);
const IDLE_S = Number(process.env.BOTBAT_BENCH_IDLE_S ?? 60);
const MEMORY_AT_MS = 10_000;
const POLL_MS = 25;
const READY_TIMEOUT_MS = 60_000;
const BARE_BINARY = process.env.BOTBAT_BARE_BIN ?? join(REPO_ROOT, 'target', 'release', 'bare-window');
const OUT = process.env.BOTBAT_BENCH_JSON ?? join(REPO_ROOT, 'target', 'bench', 'window.json');
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

const APPS = {
  console: {
    binary: APP_BINARY,
    keyring: true,
    // The number of keys on the dashboard: the sandbox is up and its key is counted.
    probe: () => document.querySelector('[data-testid="dashboard-api-keys"]')?.textContent ?? '',
    ready: (text) => firstNumber(text) >= 1,
  },
  bare: {
    binary: BARE_BINARY,
    keyring: false,
    probe: () => document.querySelector('[data-testid="painted"]')?.textContent ?? '',
    ready: (text) => text.includes('painted'),
  },
};

function processName(pid) {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** The app's own processes in the driver's process group: main, WebKit web and network. */
function appProcesses(pgid, binary) {
  // /proc/<pid>/comm keeps the first 15 bytes of a name.
  const main = basename(binary).slice(0, 15);
  const roles = { [main]: 'main', WebKitWebProces: 'web', WebKitNetworkPr: 'network', WebKitGPUProces: 'gpu' };
  return groupMembers(pgid)
    .map((pid) => ({ pid, role: roles[processName(pid)] }))
    .filter((p) => p.role);
}

function pssKiB(pid) {
  try {
    return Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

function cpuTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime
  } catch {
    return 0;
  }
}

async function waitReady(app, spec) {
  const deadline = performance.now() + READY_TIMEOUT_MS;
  let last = '';
  while (performance.now() < deadline) {
    try {
      last = await app.browser.execute(spec.probe);
      if (spec.ready(last)) return performance.now() - app.requestedAt;
    } catch {
      // The page is not there yet.
    }
    await sleep(POLL_MS);
  }
  throw new Error(`${spec.binary} not ready after ${READY_TIMEOUT_MS} ms; last probe: ${JSON.stringify(last)}`);
}

async function timedLaunch(name, profile, label) {
  const spec = APPS[name];
  const app = await launch(profile, { label, application: spec.binary });
  try {
    return await waitReady(app, spec);
  } finally {
    await app.close();
  }
}

/** A warm launch held for MEMORY_AT_MS + IDLE_S: memory by process role, then idle CPU. */
async function steady(name, profile) {
  const spec = APPS[name];
  const app = await launch(profile, { label: `${name}-steady`, application: spec.binary });
  try {
    await waitReady(app, spec);
    const wait = app.requestedAt + MEMORY_AT_MS - performance.now();
    if (wait > 0) await sleep(wait);
    const processes = appProcesses(app.pgid, spec.binary);
    const memory = { main: 0, web: 0, network: 0, gpu: 0 };
    for (const p of processes) memory[p.role] += pssKiB(p.pid) / 1024;
    memory.total = memory.main + memory.web + memory.network + memory.gpu;
    const before = processes.map((p) => cpuTicks(p.pid));
    const started = performance.now();
    await sleep(IDLE_S * 1000);
    const seconds = (performance.now() - started) / 1000;
    const percent = (ticks) => (100 * ticks) / CLOCK_TICKS / seconds;
    const idleCpuByRole = { main: 0, web: 0, network: 0, gpu: 0 };
    processes.forEach((p, i) => (idleCpuByRole[p.role] += percent(cpuTicks(p.pid) - before[i])));
    const idleCpuPercent = Object.values(idleCpuByRole).reduce((a, b) => a + b, 0);
    return { memory, idleCpuPercent, idleCpuByRole, processes: processes.length };
  } finally {
    await app.close();
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const spread = (xs) => [Math.min(...xs), Math.max(...xs)];

const times = { console: { cold: [], warm: [] }, bare: { cold: [], warm: [] } };
for (let i = 0; i < ROUNDS; i++) {
  for (const name of i % 2 ? ['console', 'bare'] : ['bare', 'console']) {
    const profile = await createProfile(`bench-${name}`, { keyring: APPS[name].keyring });
    try {
      times[name].cold.push(await timedLaunch(name, profile, `${name}-cold`));
      times[name].warm.push(await timedLaunch(name, profile, `${name}-warm`));
    } finally {
      await profile.dispose();
    }
  }
}

const steadyResults = {};
for (const name of ['bare', 'console']) {
  const profile = await createProfile(`bench-${name}-steady`, { keyring: APPS[name].keyring });
  try {
    await timedLaunch(name, profile, `${name}-first`);
    steadyResults[name] = await steady(name, profile);
  } finally {
    await profile.dispose();
  }
}

const result = { rounds: ROUNDS, pollMs: POLL_MS, idleSeconds: IDLE_S, memoryAtMs: MEMORY_AT_MS };
for (const name of ['console', 'bare']) {
  result[name] = {
    coldMs: median(times[name].cold),
    coldSpreadMs: spread(times[name].cold),
    warmMs: median(times[name].warm),
    warmSpreadMs: spread(times[name].warm),
    memoryMiB: steadyResults[name].memory,
    idleCpuPercent: steadyResults[name].idleCpuPercent,
    idleCpuByRole: steadyResults[name].idleCpuByRole,
  };
}
mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, `${JSON.stringify(result, null, 2)}\n`);

const c = result.console;
const b = result.bare;
const ms = (x) => `${x.toFixed(0)} ms`;
const mib = (m) => `${m.total.toFixed(0)} MiB (main ${m.main.toFixed(0)} + web ${m.web.toFixed(0)} + network ${m.network.toFixed(0)})`;
console.log(`console vs bare Tauri window, release builds, medians of ${ROUNDS} rounds (poll ${POLL_MS} ms)`);
console.log(`  cold start to figures: ${ms(c.coldMs)} vs first paint ${ms(b.coldMs)}: ${(c.coldMs / b.coldMs).toFixed(2)}×`);
console.log(`  warm start to figures: ${ms(c.warmMs)} vs first paint ${ms(b.warmMs)}: ${(c.warmMs / b.warmMs).toFixed(2)}×`);
console.log(`  memory (PSS) 10 s after start: ${mib(c.memoryMiB)} vs ${mib(b.memoryMiB)}: ${(c.memoryMiB.total / b.memoryMiB.total).toFixed(2)}×`);
const cpu = (x) => `${x.idleCpuPercent.toFixed(2)} % (main ${x.idleCpuByRole.main.toFixed(2)} + web ${x.idleCpuByRole.web.toFixed(2)} + network ${x.idleCpuByRole.network.toFixed(2)})`;
console.log(`  idle CPU over ${IDLE_S} s, share of one core: ${cpu(c)} vs ${cpu(b)}`);
console.log(`  written to ${OUT}`);
