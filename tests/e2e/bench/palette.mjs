// The command palette over a large request log, in the release window: from Ctrl+K to the
// palette drawn, and from a pasted request id to the found request drawn, with 100,000
// requests cached in usage.sqlite, each timed to the frame after the one that shows it
// (tests/e2e/lib/palette.mjs). Each is held against its floor, taken the same way in the same
// window and the same rounds:
//   open   a keydown that adds one plain element to the page (what any key-to-drawn change
//          costs in this WebKit);
//   find   one element added from the page at once, started as the paste is (the
//          ratio is what the lookup, its round trip to the backend and drawing the result
//          add). A round trip to a synchronous command is no floor: Tauri runs those on the
//          main thread, behind the frames, and one measured slower than the whole lookup.
// The history is generated in the embedded sandbox from the Usage panel (30 days, 100,000
// requests) and synced by the panel, as a user would; the id is one from the middle of the log.
//
// Run through `scripts/e2e.sh --bench palette` with BOTBAT_CONSOLE_BIN set to the release
// binary (scripts/bench.sh does). Prints `bench-row:` lines for the README's table and writes
// BOTBAT_BENCH_JSON (default target/bench/palette.json). Nothing here asserts a time.

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  APP_BINARY,
  choose,
  click,
  createProfile,
  firstNumber,
  gone,
  launch,
  REPO_ROOT,
  waitForAttribute,
  waitForTestId,
  waitForText,
} from '../lib/app.mjs';
import { median, openPalette, pasteAndFind } from '../lib/palette.mjs';

const ROUNDS = Number(process.env.BOTBAT_BENCH_ROUNDS ?? 5);
const REQUESTS = 100_000;
const SEED_TIMEOUT_MS = 600_000;
const OUT = process.env.BOTBAT_BENCH_JSON ?? join(REPO_ROOT, 'target', 'bench', 'palette.json');

/**
 * One plain element added to the page, timed as the palette's timers are (from the cause to
 * the frame after the one that shows it). The cause is an F8 keydown for `key` (the open
 * floor), or the page itself, at once, as the paste is made, for `page` (the find floor).
 */
async function floor(browser, cause) {
  await browser.execute((onKey) => {
    window.__floor = { started: null, drawn: null };
    const add = () => {
      window.__floor.started = performance.now();
      const mark = document.createElement('div');
      mark.textContent = 'drawn';
      document.body.append(mark);
      requestAnimationFrame(() =>
        requestAnimationFrame(() => {
          window.__floor.drawn = performance.now();
          mark.remove();
        }),
      );
    };
    if (!onKey) return add();
    const listener = (event) => {
      if (event.key !== 'F8') return;
      window.removeEventListener('keydown', listener, true);
      add();
    };
    window.addEventListener('keydown', listener, true);
  }, cause === 'key');
  if (cause === 'key') await browser.keys('F8');
  await browser.waitUntil(() => browser.execute(() => window.__floor.drawn !== null), {
    timeout: 30_000,
    timeoutMsg: 'the floor element was never drawn',
  });
  return browser.execute(() => window.__floor.drawn - window.__floor.started);
}

/** A request id from the middle of the cached log. */
function middleRequestId(profileDir) {
  const file = execFileSync('find', [profileDir, '-name', 'usage.sqlite', '-path', '*sandbox*'], { encoding: 'utf8' })
    .split('\n')
    .find(Boolean);
  if (!file) throw new Error(`no sandbox usage.sqlite under ${profileDir}`);
  const id = execFileSync(
    'python3',
    [
      '-c',
      `import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
n = db.execute("SELECT COUNT(*) FROM requests WHERE request_id IS NOT NULL").fetchone()[0]
print(db.execute("SELECT request_id FROM requests WHERE request_id IS NOT NULL ORDER BY time_ms LIMIT 1 OFFSET ?", (n // 2,)).fetchone()[0])`,
      file,
    ],
    { encoding: 'utf8' },
  ).trim();
  if (!/^req_/.test(id)) throw new Error(`no request id in ${file}: ${id}`);
  return id;
}

const profile = await createProfile('bench-palette');
const app = await launch(profile, { label: 'palette', application: APP_BINARY });
let result;
try {
  const { browser } = app;
  await waitForText(browser, 'dashboard-api-keys', (s) => firstNumber(s) >= 1, { timeout: 60_000 });
  await click(browser, 'nav-usage');
  await waitForTestId(browser, 'panel-usage');
  await waitForAttribute(browser, 'usage-sync', 'data-state', 'synced', { timeout: 120_000 });
  await choose(browser, 'usage-seed-days', 30);
  await choose(browser, 'usage-seed-requests', REQUESTS);
  await click(browser, 'usage-seed-run');
  await waitForText(browser, 'usage-seed-result', `Wrote ${REQUESTS.toLocaleString('en-US')} requests`, {
    timeout: SEED_TIMEOUT_MS,
  });
  const cached = await waitForText(browser, 'usage-cache-rows', (s) => firstNumber(s) >= REQUESTS, {
    timeout: SEED_TIMEOUT_MS,
  });
  await waitForAttribute(browser, 'usage-sync', 'data-state', 'synced', { timeout: SEED_TIMEOUT_MS });
  const id = middleRequestId(profile.dir);
  await click(browser, 'nav-dashboard');
  await waitForTestId(browser, 'panel-dashboard');

  const times = { open: [], openFloor: [], find: [], findFloor: [] };
  for (let i = 0; i < ROUNDS; i += 1) {
    await browser.execute(() => document.activeElement?.blur());
    times.openFloor.push(await floor(browser, 'key'));
    times.findFloor.push(await floor(browser, 'page'));
    times.open.push(await openPalette(browser));
    times.find.push(await pasteAndFind(browser, id));
    await browser.keys('Escape');
    await gone(browser, 'palette');
  }
  result = { rounds: ROUNDS, cached: firstNumber(cached), requestId: id, ms: times };
} finally {
  await app.close();
  await profile.dispose();
}

mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, `${JSON.stringify(result, null, 2)}\n`);
const m = Object.fromEntries(Object.entries(result.ms).map(([k, v]) => [k, median(v)]));
const list = (xs) => xs.map((x) => x.toFixed(1)).join(', ');
const ms = (x) => `${x.toFixed(1)} ms`;
console.log(`palette over ${result.cached.toLocaleString('en-US')} cached requests, release build, ${ROUNDS} rounds`);
console.log(`  Ctrl+K to palette drawn: ${list(result.ms.open)} ms; floor (key to one element drawn): ${list(result.ms.openFloor)} ms`);
console.log(`  pasted id to request drawn: ${list(result.ms.find)} ms; floor (one element added from the page): ${list(result.ms.findFloor)} ms`);
console.log(
  `bench-row: Command palette: Ctrl+K to the palette drawn, median of ${ROUNDS} | ${ms(m.open)} | ${ms(m.openFloor)} (a key to one element drawn) | ${(m.open / m.openFloor).toFixed(2)}× | —`,
);
console.log(
  `bench-row: Command palette: a pasted request id found among ${result.cached.toLocaleString('en-US')} cached requests and drawn, median of ${ROUNDS} | ${ms(m.find)} | ${ms(m.findFloor)} (one element added from the page) | ${(m.find / m.findFloor).toFixed(2)}× | —`,
);
console.log(`  written to ${OUT}`);
