// The keyboard as a support engineer uses it: a 429 caused by the burst test is found by
// pasting its request id into the command palette (Ctrl+K) and opened; Ctrl+1…9 open the
// panels in sidebar order; `?` lists the shortcuts; the skip link is the first Tab stop.
//
// The palette test also prints how long the palette took, measured in the page: from the
// Ctrl+K keydown to the palette's field drawn, and from the paste to the found request
// drawn (the README's figure; this is the debug e2e build, not a release build).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { click, e2e, gone, UI_TIMEOUT_MS, waitForAttribute, waitForTestId, waitForText } from './lib/app.mjs';
import { median, openPalette, pasteAndFind } from './lib/palette.mjs';

const TEST_TIMEOUT_MS = 300_000;
const PANELS = ['dashboard', 'api-keys', 'rate-limits', 'webhooks', 'inspector', 'try-it', 'usage', 'sdks', 'settings'];
const TIMED_LOOKUPS = 5;


test("a 429's request id pasted into the palette is found in the request log and opened", { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const ctx = await e2e(t, 'palette-429');
  const { browser } = await ctx.launch();
  await waitForTestId(browser, 'panel-dashboard');

  await click(browser, 'nav-rate-limits');
  await waitForTestId(browser, 'panel-rate-limits');
  await waitForAttribute(browser, 'plan-starter', 'data-current', 'true');
  const count = await waitForTestId(browser, 'burst-count');
  await count.waitForEnabled({ timeout: UI_TIMEOUT_MS });
  await count.setValue('20');
  await click(browser, 'burst-run');
  await waitForAttribute(browser, 'burst-summary', 'data-final', 'true');
  const requestId = await browser.execute(
    () => document.querySelector('[data-testid="burst-cell"][data-status="429"]')?.getAttribute('data-request-id') ?? null,
  );
  assert.match(requestId ?? '', /^req_[A-Za-z0-9]+$/, `a 429 of the burst shows its request id: ${requestId}`);
  await ctx.shot(browser, 'burst-429');

  // Focus on the page, not a field: Ctrl+K works from anywhere.
  await browser.execute(() => document.activeElement?.blur());
  const opening = [await openPalette(browser)];
  await ctx.shot(browser, 'palette-open');
  const answering = [await pasteAndFind(browser, requestId)];
  const text = await browser.execute(
    () => document.querySelector('[data-testid="palette-item"][data-kind="request"][data-found="true"]').textContent.replace(/\s+/g, ' '),
  );
  assert.match(text, /429 GET \/v1\/me/, `the found row names the request: ${text}`);
  assert.match(text, /Found in request log/, text);
  const first = await browser.execute(() => document.querySelector('[data-testid="palette-item"]')?.getAttribute('data-kind'));
  assert.equal(first, 'request', 'the found request is listed first');
  await waitForText(browser, 'palette-lookup', /Found/);
  await ctx.shot(browser, 'palette-found');

  await browser.keys('Enter');
  await waitForTestId(browser, 'palette-request-detail');
  await waitForText(browser, 'palette-request-id', requestId);
  await waitForText(browser, 'palette-request-status', '429');
  await ctx.shot(browser, 'palette-request-opened');

  await browser.keys('Escape');
  await gone(browser, 'palette');

  // Timed again over the same, now warm, path: open, paste, found.
  for (let i = 1; i < TIMED_LOOKUPS; i += 1) {
    await browser.execute(() => document.activeElement?.blur());
    opening.push(await openPalette(browser));
    answering.push(await pasteAndFind(browser, requestId));
    await browser.keys('Escape');
    await gone(browser, 'palette');
  }
  console.log(
    `palette figure (debug e2e build): open ${opening.map((ms) => ms.toFixed(1)).join(', ')} ms, median ${median(opening).toFixed(1)} ms; ` +
      `paste to found request drawn ${answering.map((ms) => ms.toFixed(1)).join(', ')} ms, median ${median(answering).toFixed(1)} ms`,
  );
});

test('Ctrl+1…9 open the panels in order, Ctrl+, opens Settings, ? lists the shortcuts, the skip link comes first', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const ctx = await e2e(t, 'shortcuts');
  const { browser } = await ctx.launch();
  await waitForTestId(browser, 'panel-dashboard');

  for (const [i, panel] of PANELS.entries()) {
    await browser.execute(() => document.activeElement?.blur());
    await browser.keys(['Control', String(i + 1)]);
    await waitForTestId(browser, `panel-${panel}`);
    await waitForAttribute(browser, `nav-${panel}`, 'aria-current', 'page');
  }
  await ctx.shot(browser, 'ctrl-9-settings');

  await browser.keys(['Control', '1']);
  await waitForTestId(browser, 'panel-dashboard');
  await browser.execute(() => document.activeElement?.blur());
  await browser.keys(['Control', ',']);
  await waitForTestId(browser, 'panel-settings');

  // `/` focuses the panel's filter; typed into a field, shortcuts are text.
  await browser.keys(['Control', '2']);
  await waitForTestId(browser, 'keys-filter');
  await browser.execute(() => document.activeElement?.blur());
  await browser.keys('/');
  await browser.waitUntil(
    () => browser.execute(() => document.activeElement?.getAttribute('data-testid') === 'keys-filter'),
    { timeout: UI_TIMEOUT_MS, timeoutMsg: '/ did not focus the keys filter' },
  );
  await browser.keys(['Control', '3']);
  await browser.keys('?');
  const filter = await browser.$('[data-testid="keys-filter"]');
  assert.equal(await filter.getValue(), '?', 'typing ? in a field is text, not the shortcut list');
  assert.ok(await (await browser.$('[data-testid="panel-api-keys"]')).isDisplayed(), 'Ctrl+3 did nothing while typing');
  await ctx.shot(browser, 'typing-in-filter');

  await browser.execute(() => document.activeElement?.blur());
  await browser.keys('?');
  await waitForTestId(browser, 'shortcuts-table');
  const listed = await browser.execute(() =>
    [...document.querySelectorAll('[data-testid="shortcuts-table"] th')].map((th) => th.textContent.replace(/\s+/g, '')),
  );
  for (const keys of ['Ctrl+K', 'Ctrl+1…9', 'Ctrl+,', '/', 'Ctrl+Enter', 'Esc', '?']) {
    assert.ok(listed.includes(keys), `the list shows ${keys}: ${listed.join(' | ')}`);
  }
  await ctx.shot(browser, 'shortcut-list');
  await browser.keys('Escape');
  await gone(browser, 'shortcuts');

  // From the top of the page: the skip link is the first Tab stop, and the environment
  // switch comes before anything inside the panel.
  // Focus starts at the top of the window (the root, made focusable for this one step).
  await browser.execute(() => {
    const root = document.querySelector('[data-testid="app-root"]');
    root.setAttribute('tabindex', '-1');
    root.focus();
  });
  await browser.keys('Tab');
  await browser.execute(() => document.querySelector('[data-testid="app-root"]').removeAttribute('tabindex'));
  await browser.waitUntil(
    () => browser.execute(() => document.activeElement?.getAttribute('data-testid') === 'skip-link'),
    { timeout: UI_TIMEOUT_MS, timeoutMsg: 'the first Tab stop is not the skip link' },
  );
  await ctx.shot(browser, 'skip-link');
  const order = [];
  for (let i = 0; i < 20; i += 1) {
    await browser.keys('Tab');
    const where = await browser.execute(() => {
      const el = document.activeElement;
      return { id: el?.getAttribute('data-testid') ?? el?.tagName ?? '', inMain: Boolean(el?.closest('main')) };
    });
    order.push(where);
    if (where.inMain) break;
  }
  const env = order.findIndex((o) => o.id === 'env-sandbox' || o.id === 'env-production');
  const content = order.findIndex((o) => o.inMain);
  assert.ok(env >= 0, `Tab reached the environment switch: ${JSON.stringify(order)}`);
  assert.ok(content < 0 || env < content, `the switch comes before the panel: ${JSON.stringify(order)}`);
  const ring = await browser.execute(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(ring, 'none', 'the focused control shows a focus ring');
});
