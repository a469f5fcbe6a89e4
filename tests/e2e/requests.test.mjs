// The Requests view lists the platform's request log from this machine's cache. The test
// makes known requests over HTTP with the profile's sandbox key (some answered 4xx, some
// 200), syncs the cache from the Usage panel, and filters the view to 4xx: it lists exactly
// the 4xx requests the test made, by request id. A pasted request id then finds its one
// request, and the row opens to its details.

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
