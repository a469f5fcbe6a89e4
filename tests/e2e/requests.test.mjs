// The Requests view lists the platform's request log from this machine's cache. The test
// makes known requests over HTTP with the profile's sandbox key (some answered 4xx, some
// 200), syncs the cache from the Usage panel, and filters the view to 4xx: it lists exactly
// the 4xx requests the test made, by request id. A pasted request id then finds its one
// request, and the row opens to its details. A click on one endpoint's band of the volume
// chart, in one bucket, lists exactly that endpoint's requests of that bucket.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { byTestId, click, e2e, waitForAttribute, waitForTestId } from './lib/app.mjs';
import { sandboxApiRoot } from './lib/sandbox.mjs';
import { managementKey } from './lib/secrets.mjs';

const TEST_TIMEOUT_MS = 300_000;

/**
 * Sends a request as a well-behaved integration would: a 429 is waited out for its
 * Retry-After and sent again. Returns every attempt's status and request id (a 429 is a
 * 4xx the test made too: the console's own calls share the key's per-second budget).
 */
async function send(root, key, method, path, body) {
  const attempts = [];
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const res = await fetch(`${root}${path}`, {
      method,
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json', 'User-Agent': 'e2e-integration/1.0' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    await res.arrayBuffer();
    const id = res.headers.get('x-request-id');
    assert.ok(id?.startsWith('req_'), `${method} ${path} carried a request id`);
    attempts.push({ status: res.status, id });
    if (res.status !== 429) return attempts;
    const wait = Number(res.headers.get('retry-after') ?? '1');
    await new Promise((resolve) => setTimeout(resolve, Math.max(1, wait) * 1000));
  }
  throw new Error(`${method} ${path} was still refused with 429 after 5 attempts`);
}

/** The request ids of the rows the view shows now. */
async function listedIds(browser) {
  return browser.execute(() =>
    [...document.querySelectorAll('[data-testid="requests-row"]')].map((row) => row.getAttribute('data-request-id')),
  );
}

test('the Requests view filtered to 4xx lists exactly the 4xx requests the test made', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const ctx = await e2e(t, 'requests');
  const { browser } = await ctx.launch();
  await waitForTestId(browser, 'dashboard-error-rate');
  const root = await sandboxApiRoot(browser);
  const key = managementKey(ctx.profile, 'sandbox');

  const made = [];
  for (const path of ['/api_keys/key_not_there', '/me', '/webhooks/wh_not_there', '/contacts?limit=100000', '/me']) {
    made.push(...(await send(root, key, 'GET', path)));
  }
  const clientErrors = made.filter((r) => r.status >= 400 && r.status < 500).map((r) => r.id);
  const finalErrors = made.filter((r) => r.status >= 400 && r.status < 500 && r.status !== 429);
  assert.equal(finalErrors.length, 3, `three of the requests were answered 4xx: ${JSON.stringify(made)}`);

  await click(browser, 'nav-usage');
  await waitForTestId(browser, 'panel-usage');
  // Bring the cache up to date with what was just sent.
  await waitForAttribute(browser, 'usage-sync', 'data-state', 'synced', { timeout: 120_000 });
  await click(browser, 'usage-sync-now');
  await waitForAttribute(browser, 'usage-sync', 'data-state', 'synced', { timeout: 120_000 });

  await click(browser, 'usage-tab-requests');
  await waitForTestId(browser, 'requests-view');
  const status = await waitForTestId(browser, 'requests-filter-status');
  await status.selectByAttribute('value', '4xx');
  let listed = [];
  await browser.waitUntil(
    async () => {
      listed = await listedIds(browser);
      return listed.length === clientErrors.length && clientErrors.every((id) => listed.includes(id));
    },
    { timeout: 30_000, interval: 250, timeoutMsg: 'the 4xx list never matched' },
  ).catch(() => {
    throw new Error(`the 4xx list showed ${JSON.stringify(listed)}; the test made ${JSON.stringify(clientErrors)}`);
  });
  assert.deepEqual([...listed].sort(), [...clientErrors].sort());
  assert.match(
    await (await byTestId(browser, 'requests-total')).getText(),
    new RegExp(`^${clientErrors.length} requests?\\b`),
  );
  await ctx.shot(browser, 'requests-4xx');

  // A pasted request id finds its request, and the row opens to its details.
  await status.selectByAttribute('value', '');
  const box = await waitForTestId(browser, 'requests-search-id');
  await box.setValue(clientErrors[1]);
  await browser.waitUntil(async () => JSON.stringify(await listedIds(browser)) === JSON.stringify([clientErrors[1]]), {
    timeout: 30_000,
    interval: 250,
    timeoutMsg: `searching ${clientErrors[1]} did not list exactly it`,
  });
  await click(browser, 'requests-row');
  const detail = await waitForTestId(browser, 'requests-detail');
  assert.match(await detail.getText(), new RegExp(clientErrors[1]));
  await ctx.shot(browser, 'requests-detail');
});

/**
 * Clicks the middle of series `name`'s band in its last bucket with requests, on a
 * stacked chart, with the real pointer. Returns the band's count.
 */
async function clickBand(browser, testid, name) {
  const image = await waitForTestId(browser, `${testid}-image`);
  await image.scrollIntoView({ block: 'center' });
  const geometry = JSON.parse(await image.getAttribute('data-geometry'));
  const names = (await image.getAttribute('data-series')).split('|');
  const i = names.findIndex((n) => n.includes(name));
  assert.ok(i >= 0, `the chart has a series for ${name}: ${names.join(', ')}`);
  const bucket = geometry.values[i].findLastIndex((v) => (v ?? 0) > 0);
  assert.ok(bucket >= 0, `${name} has requests in some bucket`);
  const below = geometry.values.slice(0, i).reduce((sum, values) => sum + (values[bucket] ?? 0), 0);
  const count = geometry.values[i][bucket];
  const { top, bottom } = geometry.plot;
  const y = bottom - ((below + count / 2) / geometry.y_max) * (bottom - top);
  const box = await browser.execute((id) => {
    const r = document.querySelector(`[data-testid="${id}"]`).getBoundingClientRect();
    return { left: r.left, top: r.top, width: r.width };
  }, `${testid}-image`);
  const scale = box.width / geometry.width;
  await browser.performActions([
    {
      type: 'pointer',
      id: 'mouse',
      parameters: { pointerType: 'mouse' },
      actions: [
        { type: 'pointerMove', origin: 'viewport', x: Math.round(box.left + geometry.x[bucket] * scale), y: Math.round(box.top + y * scale) },
        { type: 'pointerDown', button: 0 },
        { type: 'pointerUp', button: 0 },
      ],
    },
  ]);
  await browser.releaseActions();
  return count;
}

test('a click on a band of the volume chart lists exactly that bucket\'s requests of its endpoint', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const ctx = await e2e(t, 'requests-chart');
  const { browser } = await ctx.launch();
  await waitForTestId(browser, 'dashboard-error-rate');
  const root = await sandboxApiRoot(browser);
  const key = managementKey(ctx.profile, 'sandbox');
  const made = [];
  for (let n = 0; n < 3; n += 1) made.push(...(await send(root, key, 'GET', `/webhooks/wh_missing_${n}`)));
  const ids = made.map((r) => r.id);

  await click(browser, 'nav-usage');
  await waitForTestId(browser, 'panel-usage');
  await waitForAttribute(browser, 'usage-sync', 'data-state', 'synced', { timeout: 120_000 });
  await click(browser, 'usage-sync-now');
  await waitForAttribute(browser, 'usage-sync', 'data-state', 'synced', { timeout: 120_000 });
  await click(browser, 'usage-range-1h');
  // The chart has drawn the endpoint from the synced cache.
  await browser.waitUntil(
    async () => ((await (await byTestId(browser, 'usage-chart-volume-image')).getAttribute('data-series')) ?? '').includes('/v1/webhooks/'),
    { timeout: 30_000, interval: 250, timeoutMsg: 'the volume chart never showed GET /v1/webhooks/{id}' },
  );
  const count = await clickBand(browser, 'usage-chart-volume', 'GET /v1/webhooks/');
  await waitForTestId(browser, 'requests-view');
  await waitForTestId(browser, 'requests-period');
  let listed = [];
  await browser.waitUntil(
    async () => {
      listed = await listedIds(browser);
      return listed.length === count;
    },
    { timeout: 30_000, interval: 250, timeoutMsg: 'the list never held the band\'s count' },
  ).catch(() => {
    throw new Error(`the bucket listed ${JSON.stringify(listed)}; the band counted ${count} of ${JSON.stringify(ids)}`);
  });
  assert.ok(listed.every((id) => ids.includes(id)), `only the test's requests to the endpoint: ${JSON.stringify(listed)} of ${JSON.stringify(ids)}`);
  assert.equal(await (await byTestId(browser, 'requests-filter-endpoint')).getValue(), 'GET /v1/webhooks/{id}');
  assert.match(await (await byTestId(browser, 'requests-total')).getText(), new RegExp(`^${count} requests?\\b`));
  await ctx.shot(browser, 'requests-from-chart');
});
