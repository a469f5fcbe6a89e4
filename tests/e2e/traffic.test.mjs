// The console's own traffic is not its user's. A fresh profile on the embedded sandbox's
// Starter plan (5 requests per second per key, 300 per minute per organisation) is left on
// the Dashboard for 2 minutes, then on Rate Limits for 2 minutes: the 2 minutes are the
// measurement, the panels polling as they do for a user who leaves them open. Over each
// window the sandbox's request log (read over HTTP with the profile's management key, after
// the window) holds no 429, and the console's own requests in it are marked as the
// console's; the Dashboard shows a 0.0% error rate throughout. The console's own requests
// per minute are printed for the README.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { byTestId, click, e2e, waitForTestId } from './lib/app.mjs';
import { sandboxApiRoot } from './lib/sandbox.mjs';
import { managementKey } from './lib/secrets.mjs';

const WINDOW_MS = 120_000;
/** How often the window is sampled: what the panel shows, checked as it changes. */
const SAMPLE_MS = 5_000;
const TEST_TIMEOUT_MS = 2 * WINDOW_MS + 240_000;

/** Every request the sandbox metered from `from` on, oldest first. */
async function requestLog(root, key, from) {
  const rows = [];
  let cursor = null;
  for (let page = 0; page < 100; page += 1) {
    const url = new URL(`${root}/usage/requests`);
    url.searchParams.set('from', from.toISOString());
    url.searchParams.set('limit', '100');
    if (cursor) url.searchParams.set('cursor', cursor);
    const res = await fetch(url, { headers: { Authorization: `Bearer ${key}` } });
    assert.equal(res.status, 200, `GET ${url}: ${await res.clone().text()}`);
    const body = await res.json();
    rows.push(...body.data);
    cursor = body.cursor ?? null;
    if (!cursor) return rows;
  }
  throw new Error('the request log did not end within 100 pages');
}

/**
 * Keeps the panel open for the whole window, checking `sample` every few seconds; returns
 * when the window is over. The window is the measurement: how the console behaves while a
 * user leaves the panel open.
 */
async function keepOpen(browser, what, sample) {
  const end = Date.now() + WINDOW_MS;
  let samples = 0;
  await browser.waitUntil(
    async () => {
      await sample();
      samples += 1;
      return Date.now() >= end;
    },
    { timeout: WINDOW_MS + 60_000, interval: SAMPLE_MS, timeoutMsg: `the ${what} window did not end` },
  );
  assert.ok(samples >= WINDOW_MS / SAMPLE_MS / 2, `${what}: only ${samples} samples in the window`);
}

/** The console's own requests in each minute of a window that started at `from`. */
function perMinute(rows, from) {
  const minutes = [0, 0];
  for (const row of rows) {
    if (!row.console) continue;
    const minute = Math.floor((Date.parse(row.time) - from.getTime()) / 60_000);
    if (minute >= 0 && minute < minutes.length) minutes[minute] += 1;
  }
  return minutes;
}

function assertNo429(rows, what) {
  const limited = rows.filter((r) => r.status === 429 || r.rate_limited);
  assert.deepEqual(
    limited.map((r) => `${r.method} ${r.route} ${r.request_id} console=${r.console}`),
    [],
    `${what}: the console earned 429s`,
  );
}

test(
  "a fresh profile on Starter left on the Dashboard and on Rate Limits for 2 minutes earns no 429",
  { timeout: TEST_TIMEOUT_MS },
  async (t) => {
    const ctx = await e2e(t, 'traffic');
    const { browser } = await ctx.launch();

    const dashboardFrom = new Date();
    await waitForTestId(browser, 'dashboard-error-rate');
    const root = await sandboxApiRoot(browser);
    const key = managementKey(ctx.profile, 'sandbox');
    assert.match(key, /^bb_test_/, 'the profile keeps its sandbox management key');
    // The console's own requests are left out by default.
    assert.equal(await (await byTestId(browser, 'include-console-traffic')).isSelected(), false);
    await ctx.shot(browser, 'dashboard');

    await keepOpen(browser, 'Dashboard', async () => {
      const rate = await (await byTestId(browser, 'dashboard-error-rate')).getText();
      assert.match(rate, /(^|\s)0\.0%/, `the Dashboard showed an error rate of ${rate}`);
    });
    await ctx.shot(browser, 'dashboard-after-2-minutes');
    const dashboardTo = new Date();
    const onDashboard = (await requestLog(root, key, dashboardFrom)).filter((r) => Date.parse(r.time) < dashboardTo);
    assertNo429(onDashboard, 'Dashboard');
    const consoles = onDashboard.filter((r) => r.console);
    assert.ok(consoles.length > 0, 'the Dashboard made requests, and they are marked as the console\'s');
    const dashboardMinutes = perMinute(onDashboard, dashboardFrom);

    await click(browser, 'nav-rate-limits');
    const limitsFrom = new Date();
    await waitForTestId(browser, 'gauge-org');
    await waitForTestId(browser, 'recent-429s-empty');
    await keepOpen(browser, 'Rate Limits', async () => {
      assert.equal(await (await byTestId(browser, 'recent-429s-empty')).isExisting(), true, 'Rate Limits lists 429s');
    });
    await ctx.shot(browser, 'rate-limits-after-2-minutes');
    const limitsTo = new Date();
    const onLimits = (await requestLog(root, key, limitsFrom)).filter((r) => Date.parse(r.time) < limitsTo);
    assertNo429(onLimits, 'Rate Limits');
    const limitsMinutes = perMinute(onLimits, limitsFrom);

    // Back on the Dashboard, the figures read afresh: still no error of the user's.
    await click(browser, 'nav-dashboard');
    await waitForTestId(browser, 'dashboard-error-rate');
    assert.match(await (await byTestId(browser, 'dashboard-error-rate')).getText(), /(^|\s)0\.0%/);

    console.log(
      `the console's own requests per minute: Dashboard ${dashboardMinutes.join(', ')} ` +
        `(minute 1 includes the first load and the first usage sync); Rate Limits ${limitsMinutes.join(', ')}`,
    );
  },
);
