// A Botbiz connection as a user adds it: against the Botbiz stand-in on loopback, saved in
// Settings with a wrong key (the test explains the 401), replaced with the right one (the
// test shows the latency), switched to in the header with Botbiz's own look, and the API
// Keys panel saying why it is not available; no restart anywhere. The key never reaches a
// file or a log. Screenshots of the header and the Settings section at 1024×700.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { byTestId, choose, click, e2e, gone, resizeViewport, waitForTestId, waitForText } from './lib/app.mjs';
import { addConnection } from './lib/connections.mjs';
import { startStandin } from './lib/standin.mjs';

const TEST_TIMEOUT_MS = 300_000;

/** Adds a Botbiz connection in Settings and returns its id. */
function addBotbiz(browser, fields) {
  return addConnection(browser, { platform: 'botbiz', ...fields });
}

test('a Botbiz connection is added, tested, fixed and switched to without a restart', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const ctx = await e2e(t, 'connections');
  const botbiz = await startStandin('botbiz', 'connections');
  ctx.cleanup(botbiz.stop);
  ctx.secrets.saw(botbiz.credential);
  ctx.secrets.addLog(botbiz.logPath);
  const wrong = `bz_${'x'.repeat(40)}`;

  const { browser } = await ctx.launch();
  await resizeViewport(browser, 1024, 700);
  await waitForTestId(browser, 'env-sandbox');
  await click(browser, 'nav-settings');
  await waitForTestId(browser, 'connections-empty');

  // A wrong key is saved (it has the right shape), and its test explains the 401.
  const first = await addBotbiz(browser, { label: 'Acme', baseUrl: botbiz.baseUrl, credential: wrong });
  await click(browser, `connection-test-${first}-button`);
  const refused = await waitForText(browser, `connection-test-${first}-result`, '401');
  assert.match(refused, /Botbiz refused the API key/);
  assert.match(refused, /Botbiz's dashboard/);

  // Fixed: the wrong one removed (after its confirmation), the right one added; now it works.
  await click(browser, `connection-remove-${first}`);
  await click(browser, 'connection-remove-submit');
  await waitForTestId(browser, 'connections-empty');
  const id = await addBotbiz(browser, { label: 'Acme', baseUrl: botbiz.baseUrl, credential: botbiz.credential });
  await click(browser, `connection-test-${id}-button`);
  const works = await waitForText(browser, `connection-test-${id}-result`, /Connected to Botbiz in [\d.]+ ms/);
  assert.equal(await (await byTestId(browser, `connection-test-${id}-result`)).getAttribute('data-outcome'), 'ok', works);
  const list = await (await byTestId(browser, 'connection-list')).getText();
  assert.ok(list.includes(botbiz.baseUrl), list);
  assert.ok(!list.includes(botbiz.credential), 'the list shows only the masked key');
  await (await byTestId(browser, 'settings-connections')).scrollIntoView();
  await ctx.shot(browser, 'settings-connections');

  // The header switches at once, with Botbiz's badge, band and base URL.
  await choose(browser, 'target-select', id);
  await waitForText(browser, 'platform-badge', 'BOTBIZ');
  await waitForText(browser, 'platform-band', 'Acme');
  const headerUrl = await browser.execute(() => document.querySelector('[data-testid="base-url"]')?.textContent?.trim());
  assert.equal(headerUrl, botbiz.baseUrl);
  assert.equal(await (await byTestId(browser, 'env-sandbox')).isExisting(), false, 'no Sandbox/Production switch on a connection');
  await click(browser, 'nav-dashboard');
  await waitForText(browser, 'connection-overview', botbiz.baseUrl);
  await ctx.shot(browser, 'header-botbiz');

  // API Keys says why, in Botbiz's words.
  await click(browser, 'nav-api-keys');
  await waitForText(browser, 'panel-unsupported', "Botbiz API keys are created and revoked in Botbiz's dashboard");
  await ctx.shot(browser, 'api-keys-botbiz');

  // And back to BotBat, where the Sandbox/Production switch is again the target.
  await choose(browser, 'target-select', 'botbat');
  await waitForTestId(browser, 'env-sandbox');
  await gone(browser, 'platform-badge');
});
