// Usage as a user meets it: generate a month of sandbox traffic, let the console sync it
// into its local cache (watching the progress), then read the charts: the volume chart
// changes when the range and the key filter change, the hover layer reads exact values,
// every chart draws, an export lands on disk, the dark theme redraws, and the Dashboard
// shows the same chart. The cache is a real usage.sqlite in the profile's app data.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  byTestId,
  choose,
  click,
  e2e,
  filesUnder,
  firstNumber,
  waitForAttribute,
  waitForTestId,
  waitForText,
} from './lib/app.mjs';

const TEST_TIMEOUT_MS = 420_000;
const SEEDED = 5_000;
const SYNC_TIMEOUT_MS = 180_000;

/** The volume chart as the page shows it (read at once, so all from the same drawing). */
async function volume(browser) {
  return browser.execute(() => {
    const img = document.querySelector('[data-testid="usage-chart-volume-image"]');
    if (!img) return null;
    return {
      requests: Number(img.getAttribute('data-requests')),
      bucketSeconds: Number(img.getAttribute('data-bucket-seconds')),
      series: img.getAttribute('data-series') ?? '',
      from: img.getAttribute('data-from'),
      src: img.getAttribute('src') ?? '',
    };
  });
}

async function waitForVolume(browser, predicate, what) {
  let last = null;
  try {
    await browser.waitUntil(
      async () => {
        last = await volume(browser);
        return last !== null && predicate(last);
      },
      { timeout: 30_000, interval: 250 },
    );
  } catch {
    throw new Error(`the volume chart never showed ${what}; last: ${JSON.stringify({ ...last, src: last?.src.length })}`);
  }
  return last;
}

/** Scrolls the panel so the element is in view (only the panel's own scroll area moves). */
async function reveal(browser, testId) {
  const el = await waitForTestId(browser, testId);
  await browser.execute((node) => node.scrollIntoView({ block: 'start', inline: 'nearest' }), el);
  await browser.execute(() => {
    // 'start' can scroll the window itself when the page overflows; keep the header in place.
    document.scrollingElement.scrollTop = 0;
  });
  return el;
}

test('seeded traffic is synced and charted by range and key', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const ctx = await e2e(t, 'usage');
  const { browser } = await ctx.launch();

  await waitForTestId(browser, 'panel-dashboard');
  await waitForText(browser, 'dashboard-api-keys', (s) => firstNumber(s) >= 1);
  await click(browser, 'nav-usage');
  await waitForTestId(browser, 'panel-usage');
  // The first sync on opening: only the console's own few requests so far.
  await waitForAttribute(browser, 'usage-sync', 'data-state', 'synced', { timeout: SYNC_TIMEOUT_MS });
  await waitForTestId(browser, 'usage-chart-volume-image');
  await ctx.shot(browser, 'a fresh sandbox');

  // Generate a month of traffic in the sandbox; the panel syncs it at once.
  await reveal(browser, 'usage-seed');
  await choose(browser, 'usage-seed-days', 30);
  await choose(browser, 'usage-seed-requests', SEEDED);
  await click(browser, 'usage-seed-run');
  await waitForText(browser, 'usage-seed-result', `Wrote ${SEEDED.toLocaleString('en-US')} requests over 30 days`);
  await ctx.shot(browser, 'history generated');
  await browser.execute(() => {
    document.querySelector('[data-testid="panel-usage"]')?.closest('main')?.scrollTo(0, 0);
  });
  const progress = await waitForText(
    browser,
    'usage-sync-progress',
    (s) => /Syncing… [\d,]+ requests/.test(s) && firstNumber(s.replace('Syncing…', '')) > 0,
    { timeout: 60_000 },
  );
  assert.match(progress, /\/s/, `rows per second shown: ${progress}`);
  await ctx.shot(browser, 'syncing with progress');
  await waitForAttribute(browser, 'usage-sync', 'data-state', 'synced', { timeout: SYNC_TIMEOUT_MS });
  const cached = await waitForText(browser, 'usage-cache-rows', (s) => firstNumber(s) >= SEEDED, {
    timeout: 30_000,
  });
  assert.ok(firstNumber(cached) >= SEEDED, `every seeded request is cached: ${cached}`);

  // 30 days: 3-hour buckets from hour rollups, the whole history.
  await click(browser, 'usage-range-30d');
  const month = await waitForVolume(
    browser,
    (v) => v.bucketSeconds === 10_800 && v.requests >= SEEDED,
    'a month in 3-hour buckets with every seeded request',
  );
  assert.match(month.series, /POST \/v1\/messages\/send/);
  await waitForText(browser, 'usage-total-requests', (s) => firstNumber(s.replace('Requests', '')) >= SEEDED);
  await ctx.shot(browser, 'a month by endpoint');

  // 24 hours: 10-minute buckets, far fewer requests, another picture.
  await click(browser, 'usage-range-24h');
  const day = await waitForVolume(browser, (v) => v.bucketSeconds === 600, 'a day in 10-minute buckets');
  assert.ok(day.requests < month.requests, `a day (${day.requests}) holds less than a month (${month.requests})`);
  assert.notEqual(day.src, month.src, 'the picture changed with the range');
  await ctx.shot(browser, 'the last 24 hours');

  // 7 days, then one key: the chart narrows to that integration's traffic.
  await click(browser, 'usage-range-7d');
  const week = await waitForVolume(browser, (v) => v.bucketSeconds === 3_600, 'a week in hours');
  const keyId = await browser.execute(() => {
    const options = [...document.querySelectorAll('[data-testid="usage-filter-key"] option')];
    return options.find((o) => o.textContent.trim() === 'Checkout bot (seeded)')?.value ?? null;
  });
  assert.ok(keyId, 'the seeded checkout bot is offered as a key filter');
  await choose(browser, 'usage-filter-key', keyId);
  const oneKey = await waitForVolume(
    browser,
    (v) => v.requests > 0 && v.requests < week.requests,
    `fewer than the week's ${week.requests} requests for one key`,
  );
  assert.notEqual(oneKey.src, week.src, 'the picture changed with the key filter');
  await ctx.shot(browser, 'one key over a week');

  // The hover layer reads the values of the period under the pointer.
  const layer = await waitForTestId(browser, 'usage-chart-volume-hover');
  await layer.moveTo({ xOffset: 220, yOffset: 0 });
  await waitForText(browser, 'usage-chart-volume-tooltip', /Total: [\d,]+/);
  // Series names are ellipsised spans, which WebDriver's visible text leaves out.
  const tooltip = await browser.execute(
    () => document.querySelector('[data-testid="usage-chart-volume-tooltip"]')?.textContent ?? '',
  );
  assert.match(tooltip, /POST \/v1\/messages\/send\s*\d+/);
  await ctx.shot(browser, 'hovering the volume chart');

  // By key, all keys, a month: the same chart split by integration.
  await choose(browser, 'usage-filter-key', '');
  await click(browser, 'usage-range-30d');
  await click(browser, 'usage-chart-volume-by-key');
  await waitForVolume(browser, (v) => /Checkout bot \(seeded\)/.test(v.series) && v.bucketSeconds === 10_800, 'a month by key');
  await ctx.shot(browser, 'a month by key');

  for (const chart of ['errors', 'latency', 'rate-limits']) {
    await reveal(browser, `usage-chart-${chart}`);
    await waitForTestId(browser, `usage-chart-${chart}-image`);
    await ctx.shot(browser, `${chart} chart`);
  }
  await click(browser, 'usage-chart-errors-by-error_code');
  await waitForAttribute(browser, 'usage-chart-errors-by-error_code', 'aria-pressed', 'true');
  await browser.waitUntil(
    async () => /429 rate_limited/.test((await (await byTestId(browser, 'usage-chart-errors-image')).getAttribute('data-series')) ?? ''),
    { timeout: 20_000, timeoutMsg: 'the error chart by code never showed 429 rate_limited' },
  );
  await reveal(browser, 'usage-chart-errors');
  await ctx.shot(browser, 'errors by code');

  // Export: the PNG lands on disk (in the app data's exports: the profile has no Downloads).
  await reveal(browser, 'usage-chart-volume');
  await click(browser, 'usage-chart-volume-export-png');
  const saved = await waitForText(browser, 'usage-chart-volume-export-result', /Saved PNG/);
  const path = saved.slice(saved.indexOf(' to ') + 4).trim();
  assert.ok(path.startsWith(ctx.profile.dir), `exported inside the profile: ${path}`);
  assert.ok(existsSync(path), `${path} exists`);
  assert.deepEqual([...readFileSync(path).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'a PNG');
  await ctx.shot(browser, 'exported');

  // Dark theme: the charts are drawn again in dark colours.
  const light = (await volume(browser)).src;
  await click(browser, 'nav-settings');
  await waitForTestId(browser, 'panel-settings');
  // The radio button itself is hidden behind its styled label: choose it as a click on the label does.
  await browser.execute(() => document.querySelector('[data-testid="settings-theme-dark"]')?.click());
  await browser.waitUntil(async () => browser.execute(() => document.documentElement.dataset.theme === 'dark'), {
    timeout: 10_000,
    timeoutMsg: 'the dark theme was not applied',
  });
  await click(browser, 'nav-usage');
  await waitForVolume(browser, (v) => v.src !== light && /%2315181e/i.test(v.src), 'the dark surface');
  await ctx.shot(browser, 'dark theme');

  // The Dashboard's summary chart is the same component, on the same cache.
  await click(browser, 'nav-dashboard');
  await waitForText(browser, 'dashboard-requests', (s) => firstNumber(s.replace('24 H', '')) > 0, { timeout: 60_000 });
  const dashboard = await waitForTestId(browser, 'dashboard-chart-image', { timeout: 30_000 });
  assert.ok(Number(await dashboard.getAttribute('data-requests')) > 0, 'the dashboard chart has traffic');
  await reveal(browser, 'dashboard-usage');
  await ctx.shot(browser, 'dashboard chart');

  ctx.afterClose(() => {
    const files = filesUnder(ctx.profile.dir);
    assert.ok(
      files.some((f) => f.endsWith('/sandbox/usage.sqlite')),
      `the sandbox's usage cache is a file in its environment's directory: ${files.filter((f) => f.includes('usage')).join(', ')}`,
    );
  });
});
