// The console as a user meets it: the real binary, a real window, a real keychain (or none).
// Each test starts from an empty profile, so what it sees on launch is genuine first-run
// behaviour: the embedded sandbox starts, bootstraps a key and serves the dashboard.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  byTestId,
  click,
  e2e,
  firstNumber,
  waitForAttribute,
  waitForTestId,
  waitForText,
} from './lib/app.mjs';

const TEST_TIMEOUT_MS = 240_000;

const PANELS = [
  'dashboard',
  'api-keys',
  'rate-limits',
  'webhooks',
  'inspector',
  'try-it',
  'usage',
  'settings',
];

const isNumber = (text) => Number.isFinite(firstNumber(text));

async function assertHidden(browser, testId) {
  const el = await byTestId(browser, testId);
  assert.equal(
    (await el.isExisting()) && (await el.isDisplayed()),
    false,
    `[data-testid="${testId}"] should not be displayed`,
  );
}

test('first launch shows the dashboard with figures from the embedded sandbox', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const ctx = await e2e(t, 'first-launch');
  const { browser } = await ctx.launch();

  await waitForTestId(browser, 'panel-dashboard');
  await ctx.shot(browser, 'dashboard');
  await waitForAttribute(browser, 'app-root', 'data-environment', 'sandbox');
  await waitForText(browser, 'env-badge', 'SANDBOX');

  const keys = await waitForText(browser, 'dashboard-api-keys', (s) => firstNumber(s) >= 1);
  assert.ok(firstNumber(keys) >= 1, `bootstrap key counted: ${keys}`);
  await waitForText(browser, 'dashboard-requests', isNumber);
  await ctx.shot(browser, 'figures');

  // A real gnome-keyring is on this profile's bus, so the keychain is available.
  await assertHidden(browser, 'keychain-banner');
});

test('switching to production sticks across a restart', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const ctx = await e2e(t, 'environment-switch');
  let app = await ctx.launch();

  await waitForTestId(app.browser, 'panel-dashboard');
  await waitForAttribute(app.browser, 'app-root', 'data-environment', 'sandbox');
  await ctx.shot(app.browser, 'sandbox');

  await click(app.browser, 'env-production');
  await waitForAttribute(app.browser, 'app-root', 'data-environment', 'production');
  await waitForText(app.browser, 'env-badge', 'PRODUCTION');
  await waitForAttribute(app.browser, 'env-production', 'aria-pressed', 'true');
  await waitForAttribute(app.browser, 'env-sandbox', 'aria-pressed', 'false');
  await ctx.shot(app.browser, 'production');

  await app.close();
  app = await ctx.launch();
  await waitForTestId(app.browser, 'app-root');
  await waitForAttribute(app.browser, 'app-root', 'data-environment', 'production');
  await waitForText(app.browser, 'env-badge', 'PRODUCTION');
  await ctx.shot(app.browser, 'relaunched-production');
});

test('every panel opens from the sidebar', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const ctx = await e2e(t, 'panels');
  const { browser } = await ctx.launch();
  await waitForTestId(browser, 'panel-dashboard');

  for (const panel of PANELS) {
    await click(browser, `nav-${panel}`);
    await waitForTestId(browser, `panel-${panel}`);
    await ctx.shot(browser, `panel-${panel}`);
  }
});

test('settings: testing the sandbox connection reports latency and scopes', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const ctx = await e2e(t, 'test-connection');
  const { browser } = await ctx.launch();
  await waitForTestId(browser, 'panel-dashboard');

  await click(browser, 'nav-settings');
  await waitForTestId(browser, 'panel-settings');
  await ctx.shot(browser, 'settings');

  await click(browser, 'settings-test-connection-sandbox');
  const result = await waitForText(
    browser,
    'settings-connection-result',
    (s) => /\d\s*ms\b/.test(s) && s.includes('keys:manage'),
  );
  assert.match(result, /keys:manage/);
  await ctx.shot(browser, 'connection-result');
});

test('settings: a plain http production URL is refused with what to type instead', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const ctx = await e2e(t, 'https-rule');
  const { browser } = await ctx.launch();
  await waitForTestId(browser, 'panel-dashboard');
  await click(browser, 'nav-settings');
  await waitForTestId(browser, 'panel-settings');

  const input = await waitForTestId(browser, 'settings-base-url-production');
  // The form stays disabled until the panel has loaded the saved settings.
  await input.waitForEnabled({ timeout: 30_000 });
  await input.clearValue();
  await input.setValue('http://api.botbat.com/v1');
  await browser.waitUntil(async () => (await input.getValue()) === 'http://api.botbat.com/v1', {
    timeout: 5_000,
    timeoutMsg: 'the URL was not typed',
  });
  await (await input.$('..').$('button[type="submit"]')).click();
  const error = await waitForText(browser, 'settings-url-error-production', /must start with https:\/\//);
  assert.match(error, /Use https:\/\/api\.botbat\.com\/v1/);
  assert.match(error, /cleartext/);
  await (await byTestId(browser, 'settings-url-error-production')).scrollIntoView({ block: 'nearest' });
  await ctx.shot(browser, 'refused');
  const card = await browser.$('[data-environment-card="production"] .effective');
  assert.equal((await card.getText()).trim(), 'https://api.botbat.com/v1', 'the saved URL is unchanged');
});

test('without a Secret Service the app starts, warns, and still shows figures', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const ctx = await e2e(t, 'no-keychain', { keyring: false });
  const { browser } = await ctx.launch();

  await waitForTestId(browser, 'panel-dashboard');
  await waitForTestId(browser, 'keychain-banner');
  await ctx.shot(browser, 'banner');

  await waitForText(browser, 'dashboard-api-keys', isNumber);
  await waitForText(browser, 'dashboard-requests', isNumber);
  await ctx.shot(browser, 'figures');
});
