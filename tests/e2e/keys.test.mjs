// API keys and rate limits as a user meets them: a key created, shown once, kept in the
// keychain, rotated with a grace period and revoked; a burst that hits the limit; and the
// same key work against a production stand-in, with the Production guard rails.
//
// Every test here tells the secret search (tests/e2e/lib/secrets.mjs) each secret the UI put
// on screen; once the app has quit, the profile's files and the test's logs are searched for
// them and for every secret in the keychain: a secret is shown once and lives only there.

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import {
  byTestId,
  click,
  e2e,
  firstNumber,
  UI_TIMEOUT_MS,
  waitForAttribute,
  waitForTestId,
  waitForText,
} from './lib/app.mjs';
import { needlesOf } from './lib/secrets.mjs';
import { startStandin } from './lib/standin.mjs';

const TEST_TIMEOUT_MS = 300_000;

// ---------------------------------------------------------------------------------------------
// Page helpers
// ---------------------------------------------------------------------------------------------

/** The API Keys table as data: id, status, name, masked key, keychain marker. */
async function keyRows(browser) {
  return browser.execute(() =>
    [...document.querySelectorAll('tr[data-testid^="key-row-"]')].map((tr) => ({
      id: tr.getAttribute('data-testid').slice('key-row-'.length),
      status: tr.getAttribute('data-status'),
      name: tr.querySelector('.key-name')?.textContent.trim() ?? '',
      masked: tr.querySelector('.masked')?.textContent.trim() ?? '',
      stored: tr.querySelector('[data-testid="key-stored"]')?.textContent.trim() ?? '',
    })),
  );
}

/** Waits until `predicate(rows)` holds and returns the rows; says what the table showed if not. */
async function waitForRows(browser, predicate, what, { timeout = UI_TIMEOUT_MS } = {}) {
  let rows = [];
  try {
    await browser.waitUntil(
      async () => {
        rows = await keyRows(browser);
        return predicate(rows);
      },
      { timeout, interval: 250 },
    );
  } catch {
    throw new Error(`API Keys table never showed ${what}; last rows: ${JSON.stringify(rows, null, 1)}`);
  }
  return rows;
}

/** Which of `needles` the page still holds: rendered text, markup, or a form field's value. */
async function pageHolds(browser, needles) {
  return browser.execute((list) => {
    const fields = [...document.querySelectorAll('input, textarea, select')].map((el) => el.value).join('\n');
    const text = document.body.innerText;
    const html = document.documentElement.outerHTML;
    return list.filter((n) => text.includes(n) || html.includes(n) || fields.includes(n));
  }, needles);
}

async function assertGone(browser, testId, { timeout = UI_TIMEOUT_MS } = {}) {
  const el = await byTestId(browser, testId);
  await el.waitForExist({ reverse: true, timeout, timeoutMsg: `[data-testid="${testId}"] still there after ${timeout} ms` });
}

async function setChecked(browser, testId, checked) {
  const box = await waitForTestId(browser, testId);
  if ((await box.isSelected()) !== checked) await box.click();
  await browser.waitUntil(async () => (await box.isSelected()) === checked, {
    timeout: 5_000,
    timeoutMsg: `[data-testid="${testId}"] did not become ${checked ? 'checked' : 'unchecked'}`,
  });
}

async function typeInto(browser, testId, text) {
  const input = await waitForTestId(browser, testId);
  // A form stays disabled until the panel has loaded what it edits.
  await input.waitForEnabled({ timeout: UI_TIMEOUT_MS });
  await input.clearValue();
  await input.setValue(text);
  await browser.waitUntil(async () => (await input.getValue()) === text, {
    timeout: 5_000,
    timeoutMsg: `[data-testid="${testId}"] did not take ${JSON.stringify(text)}`,
  });
}

/**
 * Scrolls the panel just enough that the element is in view, so a screenshot shows it.
 * ('nearest' moves only the panel's own scroll area; 'start' or 'center' would also scroll
 * the page itself whenever its content overflows the window, sliding the header away.)
 */
async function reveal(browser, selector) {
  const el = await browser.$(selector);
  await el.waitForExist({ timeout: UI_TIMEOUT_MS });
  await browser.execute((node) => node.scrollIntoView({ block: 'nearest', inline: 'nearest' }), el);
  return el;
}

/**
 * Scrolls the keys table back to its left edge. Clicking a row action scrolls the table
 * sideways (it is wider than the window), which hides the Name column in later screenshots.
 */
async function tableToStart(browser) {
  await browser.execute(() => {
    const card = document.querySelector('[data-testid="keys-table"]')?.parentElement;
    if (card) card.scrollLeft = 0;
  });
}

async function openPanel(browser, panel) {
  await click(browser, `nav-${panel}`);
  await waitForTestId(browser, `panel-${panel}`);
}

/** Opens API Keys and waits for its table (not the loading card). */
async function openKeys(browser) {
  await openPanel(browser, 'api-keys');
  await waitForTestId(browser, 'keys-table');
}

/**
 * On the secret dialog: reads the secret, records it, ticks keep/confirm, presses Done and
 * checks that the secret has left the page. Returns the secret.
 */
async function finishSecret(ctx, browser, { prefix, keep, shot }) {
  const box = await waitForTestId(browser, 'secret-dialog');
  const secret = ctx.secrets.saw((await (await byTestId(browser, 'secret-value')).getText()).trim());
  assert.ok(secret.startsWith(prefix), `the secret starts with ${prefix}: ${secret.slice(0, 8)}…`);
  assert.match(secret.slice(prefix.length), /^[A-Za-z0-9]{32}$/, 'a prefix and 32 base62 characters');
  const lead = await box.getText();
  assert.ok(lead.includes(`${prefix}…${secret.slice(-4)}`), `the dialog names the masked key: ${lead}`);

  const done = await byTestId(browser, 'secret-done');
  assert.equal(await done.isEnabled(), false, 'Done stays disabled until the user confirms the key is stored');
  await setChecked(browser, 'secret-keep', keep);
  await setChecked(browser, 'secret-confirm', true);
  // Screenshots never hold a secret: mask the one-time value on screen before the picture
  // (the test has already read it, and the dialog closes right after).
  await browser.execute(() => {
    const el = document.querySelector('[data-testid="secret-value"]');
    if (el) el.textContent = `${el.textContent.slice(0, 8)}${'•'.repeat(24)}${el.textContent.slice(-4)}`;
  });
  await ctx.shot(browser, shot);
  await click(browser, 'secret-done');
  await assertGone(browser, 'secret-dialog');

  assert.deepEqual(await pageHolds(browser, needlesOf(secret)), [], 'the secret is nowhere on the page after Done');
  return secret;
}

/**
 * Creates a key through the create dialog. In Production the confirm-production step
 * must follow the form's own submit. Returns `{ secret, row }`.
 */
async function createKey(ctx, browser, { name, scopes, prefix, keep = true, production = false, label }) {
  await click(browser, 'keys-create');
  await waitForTestId(browser, 'create-dialog');
  await typeInto(browser, 'key-name', name);
  for (const scope of scopes) await setChecked(browser, `scope-${scope}`, true);
  for (const scope of scopes) {
    assert.equal(await (await byTestId(browser, `scope-${scope}`)).isSelected(), true, `${scope} stays chosen`);
  }
  await ctx.shot(browser, `${label}-form`);
  await click(browser, 'key-create-submit');

  if (production) {
    // The confirmation takes the create dialog's footer: no second modal opens on top.
    const confirm = await waitForTestId(browser, 'confirm-production-step');
    const text = await confirm.getText();
    assert.match(text, /PRODUCTION/, `the confirmation names Production: ${text}`);
    assert.ok(text.includes(name), `the confirmation names the key: ${text}`);
    const layout = await browser.execute(() => ({
      dialogs: document.querySelectorAll('[role="dialog"]').length,
      inFooter: document.querySelector('[data-testid="create-dialog"] .modal-foot [data-testid="confirm-production-step"]') !== null,
      submit: document.querySelector('[data-testid="key-create-submit"]') !== null,
    }));
    assert.deepEqual(layout, { dialogs: 1, inFooter: true, submit: false }, 'one dialog, the confirmation in its footer');
    assert.equal(await (await byTestId(browser, 'confirm-production-dialog')).isExisting(), false, 'no second modal');
    await ctx.shot(browser, `${label}-confirm-production`);
    await click(browser, 'confirm-production');
    await assertGone(browser, 'confirm-production-step');
  } else {
    // In the sandbox the gate opens at once.
    assert.equal(await (await byTestId(browser, 'confirm-production-dialog')).isExisting(), false);
  }

  const secret = await finishSecret(ctx, browser, { prefix, keep, shot: `${label}-secret-once` });
  const masked = `${prefix}…${secret.slice(-4)}`;
  const rows = await waitForRows(
    browser,
    (list) => list.some((r) => r.masked === masked && r.name === name),
    `a row "${name}" ${masked}`,
  );
  const row = rows.find((r) => r.masked === masked);
  assert.equal(row.status, 'active');
  return { secret, row };
}

async function rowById(browser, id) {
  return (await keyRows(browser)).find((r) => r.id === id);
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

test('sandbox key lifecycle: create, see the secret once, rotate with a grace period, revoke', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const ctx = await e2e(t, 'key-lifecycle');
  const { browser } = await ctx.launch();
  await waitForTestId(browser, 'panel-dashboard');
  await waitForAttribute(browser, 'app-root', 'data-environment', 'sandbox');

  await openKeys(browser);
  const before = await waitForRows(browser, (rows) => rows.length >= 1, 'the bootstrap key');
  assert.ok(before.every((r) => r.masked.startsWith('bb_test_')), `sandbox keys only: ${JSON.stringify(before)}`);
  await ctx.shot(browser, 'keys');

  // A half-filled form survives Escape and comes back as it was left.
  const name = 'CRM sync';
  await click(browser, 'keys-create');
  await waitForTestId(browser, 'create-dialog');
  await typeInto(browser, 'key-name', name);
  await setChecked(browser, 'scope-contacts:read', true);
  await browser.keys('Escape');
  await assertGone(browser, 'create-dialog');
  await click(browser, 'keys-create');
  await waitForTestId(browser, 'create-dialog-draft-restored');
  assert.equal(await (await byTestId(browser, 'key-name')).getValue(), name, 'the name is restored');
  assert.equal(await (await byTestId(browser, 'scope-contacts:read')).isSelected(), true, 'the scope is restored');
  assert.equal(await (await byTestId(browser, 'create-dialog-discard')).isDisplayed(), true, 'a discard is offered');
  await ctx.shot(browser, 'create-draft-restored');
  await browser.keys('Escape');
  await assertGone(browser, 'create-dialog');

  // Create: two scopes, the secret once, kept in the keychain.
  const { secret, row } = await createKey(ctx, browser, {
    name,
    scopes: ['contacts:read', 'contacts:write'],
    prefix: 'bb_test_',
    keep: true,
    label: 'create',
  });
  assert.equal(row.masked, `bb_test_…${secret.slice(-4)}`);
  assert.match(row.stored, /keychain/, 'the row says the secret is in the keychain');
  const notice = await waitForText(browser, 'keys-notice', 'keychain');
  assert.ok(notice.includes(name) && notice.includes(row.masked), `the notice names the key: ${notice}`);
  const scopes = await (await byTestId(browser, `key-row-${row.id}`)).getText();
  assert.ok(scopes.includes('contacts:read') && scopes.includes('contacts:write'), `both scopes listed: ${scopes}`);
  await ctx.shot(browser, 'created-row');

  // Rotate with a one-hour grace period: the new secret is shown once too.
  await click(browser, `key-rotate-${row.id}`);
  await waitForTestId(browser, 'rotate-dialog');
  await setChecked(browser, 'grace-3600', true);
  await ctx.shot(browser, 'rotate-grace');
  await click(browser, 'rotate-submit');
  await waitForText(browser, 'secret-dialog', /step 2 of 3/i);
  const newSecret = await finishSecret(ctx, browser, { prefix: 'bb_test_', keep: true, shot: 'rotate-new-secret' });
  assert.notEqual(newSecret, secret, 'rotation issues a different secret');
  const newMasked = `bb_test_…${newSecret.slice(-4)}`;

  await waitForTestId(browser, 'rotate-watch');
  const rotated = await waitForRows(
    browser,
    (rows) =>
      rows.some((r) => r.id === row.id && r.status === 'expiring') &&
      rows.some((r) => r.masked === newMasked && r.status === 'active'),
    `the old key expiring and the new one ${newMasked} active`,
  );
  const newRow = rotated.find((r) => r.masked === newMasked);
  assert.notEqual(newRow.id, row.id);
  assert.match(newRow.name, /^CRM sync \(rotated \d{1,2} [A-Z][a-z]{2}\)$/, `the replacement has a name of its own: ${newRow.name}`);
  assert.equal((await rowById(browser, row.id)).name, name, 'the old key keeps its name');
  assert.match(newRow.stored, /keychain/, 'the new secret is in the keychain too');
  assert.equal(
    (await keyRows(browser)).filter((r) => r.id === row.id || r.id === newRow.id).length,
    2,
    'both keys are listed during the grace period',
  );
  // Nothing has used the old key since the rotation, so revoking it now is offered.
  await waitForTestId(browser, 'rotate-quiet');
  await ctx.shot(browser, 'rotate-watch');

  await click(browser, 'rotate-revoke-old');
  await waitForTestId(browser, 'rotate-old-revoked');
  const revokedNotice = await waitForText(browser, 'keys-notice', 'is revoked');
  assert.ok(
    revokedNotice.includes(`The old key “${name}” (${row.masked})`) && revokedNotice.includes(newRow.name),
    `the notice names the old key unambiguously: ${revokedNotice}`,
  );
  await ctx.shot(browser, 'rotate-old-revoked');
  await click(browser, 'rotate-watch-close');
  await assertGone(browser, 'rotate-watch');

  await waitForRows(
    browser,
    (rows) =>
      rows.some((r) => r.id === row.id && r.status === 'revoked') &&
      rows.some((r) => r.id === newRow.id && r.status === 'active'),
    'the old key revoked and the new one active',
  );
  // Revoking also drops the old secret from the keychain.
  await waitForRows(
    browser,
    (rows) => rows.some((r) => r.id === row.id && r.stored === ''),
    'the revoked key no longer marked as kept on this machine',
  );
  assert.equal(await (await byTestId(browser, `key-rotate-${row.id}`)).isExisting(), false, 'a revoked key cannot be rotated');
  assert.equal(await (await byTestId(browser, `key-revoke-${row.id}`)).isExisting(), false, 'or revoked again');
  assert.deepEqual(await pageHolds(browser, [secret, newSecret].flatMap(needlesOf)), []);
  await tableToStart(browser);
  await ctx.shot(browser, 'old-key-revoked');
});

test('a burst test in Rate Limits produces visible 429s', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const ctx = await e2e(t, 'burst-429');
  const { browser } = await ctx.launch();
  await waitForTestId(browser, 'panel-dashboard');

  await openPanel(browser, 'rate-limits');
  await waitForTestId(browser, 'gauge-key');
  await waitForTestId(browser, 'gauge-org');
  // The embedded sandbox runs on the Starter plan: 5 requests per second per key.
  await waitForAttribute(browser, 'plan-starter', 'data-current', 'true');
  await waitForAttribute(browser, 'plan-professional', 'data-current', 'false');
  await ctx.shot(browser, 'rate-limits');

  const keySelect = await waitForTestId(browser, 'burst-key');
  assert.equal(await keySelect.getValue(), '', 'the management key is the default');
  await typeInto(browser, 'burst-count', '20');
  await click(browser, 'burst-run');

  await waitForAttribute(browser, 'burst-summary', 'data-final', 'true');
  const summary = await waitForText(browser, 'burst-summary', /rate-limited/);
  const m = /([\d,]+) sent · ([\d,]+) OK · ([\d,]+) rate-limited \(429\)/.exec(summary);
  assert.ok(m, `summary reads "N sent · N OK · N rate-limited (429)": ${summary}`);
  const [sent, ok, limited] = m.slice(1).map(firstNumber);
  assert.equal(sent, 20);
  assert.ok(limited > 0, `some requests were rate-limited: ${summary}`);
  assert.equal(ok + limited, 20, `every request either passed or got 429: ${summary}`);
  // 5 per second per key; a burst may straddle two one-second windows.
  assert.ok(ok >= 1 && ok <= 10, `no more than the per-second budget passed: ${summary}`);

  const cells = await browser.execute(() =>
    [...document.querySelectorAll('[data-testid="burst-cell"]')].map((c) => c.getAttribute('data-status')),
  );
  assert.equal(cells.length, 20, `one cell per request: ${cells}`);
  assert.equal(cells.filter((s) => s === '429').length, limited, 'the grid agrees with the summary');
  assert.ok(await (await browser.$('[data-testid="burst-cell"][data-status="429"]')).isDisplayed());
  await waitForTestId(browser, 'burst-retry');
  await reveal(browser, '[data-testid="burst-test"] .legend');
  await ctx.shot(browser, 'burst-429s');

  // A later refresh lists them. The panel's own refresh can be rate-limited by the burst
  // too, and may be listed first (GET /v1/rate_limits), before the burst's rows are metered.
  await waitForTestId(browser, 'recent-429s');
  let recent = [];
  try {
    await browser.waitUntil(
      async () => {
        recent = await browser.execute(() =>
          [...document.querySelectorAll('[data-testid="recent-429-row"]')].map((r) => r.innerText),
        );
        return recent.some((r) => /GET/.test(r) && /\/v1\/me\b/.test(r));
      },
      { timeout: UI_TIMEOUT_MS, interval: 250 },
    );
  } catch {
    throw new Error(`the recent 429s never listed the burst's GET /v1/me; rows: ${recent.join(' | ')}`);
  }
  await reveal(browser, '#recent-title');
  await ctx.shot(browser, 'recent-429s');
});

test('production stand-in: live keys only, confirmed writes, typed-name revoke, nothing crosses back', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const ctx = await e2e(t, 'production-keys');
  const live = await startStandin('live', 'production-keys', { keepDataDir: true });
  ctx.secrets.onStop(live.stop);
  ctx.secrets.addLog(live.logPath);
  ctx.secrets.addDir(live.dataDir);
  ctx.cleanup(() => rmSync(live.dataDir, { recursive: true, force: true }));
  ctx.secrets.saw(live.credential);

  const { browser } = await ctx.launch();
  await waitForTestId(browser, 'panel-dashboard');
  await waitForAttribute(browser, 'app-root', 'data-environment', 'sandbox');

  // A sandbox key first, so the production list can be checked for leaks from it.
  await openKeys(browser);
  const sandboxName = 'Sandbox only relay';
  const sandboxKey = await createKey(ctx, browser, {
    name: sandboxName,
    scopes: ['messages:read'],
    prefix: 'bb_test_',
    keep: false,
    label: 'sandbox-create',
  });
  assert.equal(sandboxKey.row.stored, '', 'a secret not kept is not marked as on this machine');
  const sandboxIds = new Set((await keyRows(browser)).map((r) => r.id));

  // Settings: point Production at the stand-in and paste its live key.
  await openPanel(browser, 'settings');
  await typeInto(browser, 'settings-base-url-production', live.baseUrl);
  const urlInput = await byTestId(browser, 'settings-base-url-production');
  await (await urlInput.$('..').$('button[type="submit"]')).click();
  const card = '[data-environment-card="production"]';
  await browser.waitUntil(
    async () => (await (await browser.$(`${card} .effective`)).getText()).trim() === live.baseUrl,
    { timeout: UI_TIMEOUT_MS, timeoutMsg: `the Production card never showed ${live.baseUrl}` },
  );
  await typeInto(browser, 'settings-key-input-production', live.credential);
  await click(browser, 'settings-save-key-production');
  const keyState = await waitForText(browser, 'settings-key-state-production', `bb_live_…${live.credential.slice(-4)}`);
  assert.match(keyState, /keychain/i, `the live key went to the keychain: ${keyState}`);
  assert.equal(await (await byTestId(browser, 'settings-key-input-production')).getValue(), '', 'the key left the input');
  assert.deepEqual(await pageHolds(browser, needlesOf(live.credential)), [], 'the pasted key is not on the page');
  await click(browser, 'settings-test-connection-production');
  const report = await waitForText(browser, 'settings-connection-result', /\d\s*ms/);
  assert.match(report, /Production/);
  assert.ok(report.includes(live.baseUrl), `the report names the stand-in: ${report}`);
  await (await browser.$(card)).scrollIntoView();
  await ctx.shot(browser, 'settings-production');

  // Production: the red look, and only live keys.
  await click(browser, 'env-production');
  await waitForAttribute(browser, 'app-root', 'data-environment', 'production');
  await waitForText(browser, 'env-badge', 'PRODUCTION');
  await openKeys(browser);
  const liveRows = await waitForRows(browser, (rows) => rows.length >= 1, 'the stand-in admin key');
  assert.ok(liveRows.every((r) => r.masked.startsWith('bb_live_')), `only live keys: ${JSON.stringify(liveRows)}`);
  assert.ok(liveRows.some((r) => r.masked === `bb_live_…${live.credential.slice(-4)}`), 'the admin key is listed');
  assert.ok(liveRows.every((r) => !sandboxIds.has(r.id) && r.name !== sandboxName), 'no sandbox key in Production');
  const pageText = await browser.execute(() => document.body.innerText);
  assert.ok(!pageText.includes(sandboxName), 'the sandbox key name appears nowhere in Production');
  assert.ok(!pageText.includes('bb_test_'), 'no bb_test_ key appears in Production');
  await ctx.shot(browser, 'production-keys');

  const liveName = 'Live CRM sync';
  const created = await createKey(ctx, browser, {
    name: liveName,
    scopes: ['contacts:read'],
    prefix: 'bb_live_',
    keep: true,
    production: true,
    label: 'production-create',
  });
  assert.match(created.row.stored, /keychain/);
  await ctx.shot(browser, 'production-created');

  // Revoke: one dialog that names Production; typing the exact name there is the Production
  // confirmation (a near miss does not count), and no second confirmation opens on top.
  await click(browser, `key-revoke-${created.row.id}`);
  const revokeBox = await waitForTestId(browser, 'revoke-dialog');
  const revokeText = await revokeBox.getText();
  assert.match(revokeText, /PRODUCTION/, `the revoke dialog names Production: ${revokeText}`);
  assert.ok(revokeText.includes(liveName), `the revoke dialog names the key: ${revokeText}`);
  const submit = await waitForTestId(browser, 'revoke-submit');
  assert.equal(await submit.isEnabled(), false, 'Revoke is disabled until the name is typed');
  await typeInto(browser, 'revoke-confirm-name', liveName.toLowerCase());
  // The field is marked as not matching in the same update that decides the button.
  await waitForAttribute(browser, 'revoke-confirm-name', 'aria-invalid', 'true');
  assert.equal(await submit.isEnabled(), false, 'a name that differs in case does not unlock Revoke');
  await ctx.shot(browser, 'revoke-name-mismatch');
  await typeInto(browser, 'revoke-confirm-name', liveName);
  await browser.waitUntil(async () => submit.isEnabled(), {
    timeout: 5_000,
    timeoutMsg: 'Revoke did not unlock with the exact name',
  });
  await ctx.shot(browser, 'revoke-name-typed');
  await click(browser, 'revoke-submit');
  await assertGone(browser, 'revoke-dialog');
  assert.equal(
    await (await byTestId(browser, 'confirm-production-dialog')).isExisting(),
    false,
    'the typed name was the confirmation: no second dialog',
  );
  await waitForRows(
    browser,
    (rows) => rows.some((r) => r.id === created.row.id && r.status === 'revoked'),
    `"${liveName}" revoked`,
  );
  assert.equal((await rowById(browser, created.row.id)).name, liveName);
  await waitForRows(
    browser,
    (rows) => rows.some((r) => r.id === created.row.id && r.stored === ''),
    'the revoked live key no longer marked as kept on this machine',
  );
  await tableToStart(browser);
  await ctx.shot(browser, 'production-revoked');

  // Back to the sandbox: no live key anywhere in the table.
  await click(browser, 'env-sandbox');
  await waitForAttribute(browser, 'app-root', 'data-environment', 'sandbox');
  await waitForText(browser, 'env-badge', 'SANDBOX');
  await waitForTestId(browser, 'keys-table');
  const back = await waitForRows(
    browser,
    (rows) => rows.some((r) => r.id === sandboxKey.row.id),
    `the sandbox key "${sandboxName}" again`,
  );
  assert.ok(back.every((r) => r.masked.startsWith('bb_test_')), `only sandbox keys: ${JSON.stringify(back)}`);
  assert.ok(back.every((r) => r.id !== created.row.id && r.name !== liveName), 'the live key stayed in Production');
  const tableText = await (await byTestId(browser, 'keys-table')).getText();
  assert.ok(!tableText.includes('bb_live_'), 'no bb_live_ key is visible in the sandbox table');
  await ctx.shot(browser, 'back-to-sandbox');
});
