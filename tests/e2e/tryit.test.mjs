// Try It as a user meets it: pick Contacts → create, fill the body, send it to the embedded
// sandbox and read the 201; see a key without contacts:write flagged before sending; quit,
// start again, and find the request in the history. Once the app has quit, the profile's
// files are searched for the key's secret and the management key (tests/e2e/lib/secrets.mjs):
// history keeps requests, never keys.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sidewaysScroll } from './lib/layout.mjs';
import {
  byTestId,
  click,
  e2e,
  editorText,
  filesUnder,
  resizeViewport,
  typeInEditor,
  UI_TIMEOUT_MS,
  waitForAttribute,
  waitForEditor,
  waitForTestId,
  waitForText,
  waitForTextContent,
} from './lib/app.mjs';

const TEST_TIMEOUT_MS = 300_000;

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
  await input.clearValue();
  await input.setValue(text);
  await browser.waitUntil(async () => (await input.getValue()) === text, {
    timeout: 10_000,
    timeoutMsg: `[data-testid="${testId}"] did not take ${JSON.stringify(text)}`,
  });
}

/** Scrolls the panel just enough to show the element (see keys.test.mjs on 'nearest'). */
async function reveal(browser, testId) {
  const el = await waitForTestId(browser, testId);
  await browser.execute((node) => node.scrollIntoView({ block: 'nearest', inline: 'nearest' }), el);
  return el;
}

/** Where the Send button, the request and the response are, and what scrolls sideways. */
async function geometry(browser) {
  const { found } = await sidewaysScroll(browser, 'panel-try-it');
  const where = await browser.execute(() => {
    const rect = (id) => {
      const r = document.querySelector(`[data-testid="${id}"]`)?.getBoundingClientRect();
      return r ? { top: r.top, bottom: r.bottom, left: r.left, right: r.right } : null;
    };
    return {
      viewport: { width: window.innerWidth, height: window.innerHeight },
      send: rect('tryit-send'),
      work: rect('tryit-work'),
      response: rect('tryit-response'),
    };
  });
  return { ...where, wide: found };
}

function assertSendInView(g, when) {
  assert.ok(g.send, `${when}: no Send button`);
  assert.ok(
    g.send.top >= 0 && g.send.bottom <= g.viewport.height && g.send.left >= 0 && g.send.right <= g.viewport.width,
    `${when}: Send is outside the ${g.viewport.width}×${g.viewport.height} viewport: ${JSON.stringify(g.send)}`,
  );
}

/** Scrolls the panel until the request's last line is at the bottom of the window: the
 * sticky send bar must stay in view. */
async function scrollToEndOfRequest(browser) {
  await browser.execute(() => document.querySelector('[data-testid="tryit-builder"]').scrollIntoView({ block: 'end' }));
}

async function openTryIt(browser) {
  await click(browser, 'nav-try-it');
  await waitForTestId(browser, 'panel-try-it');
  await waitForTestId(browser, 'tryit-op-create_contact');
}

/**
 * Creates a key with only contacts:read in API Keys and keeps its secret in the keychain,
 * the way a user would before trying it out. Returns the key's id and its secret.
 */
async function createReadOnlyKey(ctx, browser) {
  await click(browser, 'nav-api-keys');
  await waitForTestId(browser, 'keys-table');
  await click(browser, 'keys-create');
  await waitForTestId(browser, 'create-dialog');
  await typeInto(browser, 'key-name', 'CRM read-only');
  await setChecked(browser, 'scope-contacts:read', true);
  await click(browser, 'key-create-submit');
  await waitForTestId(browser, 'secret-dialog');
  const secret = ctx.secrets.saw((await (await byTestId(browser, 'secret-value')).getText()).trim());
  assert.match(secret, /^bb_test_[A-Za-z0-9]{32}$/, 'a sandbox key was issued');
  await setChecked(browser, 'secret-keep', true);
  await setChecked(browser, 'secret-confirm', true);
  await click(browser, 'secret-done');
  const id = await browser.waitUntil(
    async () =>
      browser.execute(() => {
        const row = [...document.querySelectorAll('tr[data-testid^="key-row-"]')].find(
          (tr) => tr.querySelector('.key-name')?.textContent.trim() === 'CRM read-only' && tr.querySelector('[data-testid="key-stored"]'),
        );
        return row ? row.getAttribute('data-testid').slice('key-row-'.length) : false;
      }),
    { timeout: 30_000, timeoutMsg: 'the new key never showed as kept in the keychain' },
  );
  await ctx.shot(browser, 'read-only-key-kept');
  return { id, secret };
}

test('Try It: create a contact, see 201, a key without the scope flagged, history after a restart', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const ctx = await e2e(t, 'tryit');
  let app = await ctx.launch();
  let { browser } = app;
  await waitForTestId(browser, 'panel-dashboard');
  await waitForText(browser, 'dashboard-api-keys', /\d/);

  const key = await createReadOnlyKey(ctx, browser);
  ctx.afterClose(() => {
    const files = filesUnder(ctx.profile.dir);
    assert.ok(files.some((f) => f.endsWith('history.sqlite')), 'the history database is in the profile');
  });

  // The catalog, grouped by module, and the create endpoint's detail.
  await openTryIt(browser);
  await waitForText(browser, 'tryit-catalog-count', /\d+ endpoints/);
  await waitForText(browser, 'tryit-module-Contacts', /CONTACTS/i);
  await waitForTestId(browser, 'tryit-op-import_contacts');
  await ctx.shot(browser, 'catalog');
  await click(browser, 'tryit-op-create_contact');
  await waitForAttribute(browser, 'tryit-builder', 'data-operation', 'create_contact');
  await waitForText(browser, 'tryit-scope', 'contacts:write');
  const example = await waitForEditor(browser, 'tryit-body');
  assert.match(example, /"name"/, `the body starts from the schema's example: ${example}`);
  await ctx.shot(browser, 'create-contact');

  // Fill the body and send with the management key.
  const name = `Try It ${Date.now()}`;
  await typeInEditor(browser, 'tryit-body', `{"name": "${name}", "segment": "e2e", "tags": ["try-it"]}`);
  await waitForText(browser, 'tryit-credential-scopes', 'contacts:write');
  await click(browser, 'tryit-send');
  await waitForText(browser, 'tryit-status', '201');
  await waitForText(browser, 'tryit-meaning', /contact/i);
  await waitForText(browser, 'tryit-body-tree', name);
  await waitForText(browser, 'tryit-request-id', /^req_/);
  await waitForText(browser, 'tryit-rate-limit', /left/);
  await reveal(browser, 'tryit-response');
  await ctx.shot(browser, 'created-201');

  // The read-only key is offered, with its scopes, and flagged for this endpoint.
  const credential = await waitForTestId(browser, 'tryit-credential');
  await browser.waitUntil(
    async () => (await credential.$$('option').map((o) => o.getAttribute('value'))).includes(key.id),
    { timeout: 30_000, timeoutMsg: 'the kept key is not offered as a credential' },
  );
  // Clear of the sticky send bar, which covers whatever has scrolled under it.
  await browser.execute((el) => el.scrollIntoView({ block: 'center' }), credential);
  await credential.selectByAttribute('value', key.id);
  await waitForText(browser, 'tryit-missing-scope', 'contacts:write');
  await waitForText(browser, 'tryit-credential-scopes', 'contacts:read');
  await reveal(browser, 'tryit-missing-scope');
  await ctx.shot(browser, 'missing-scope-flagged');

  // Code for the same request, with the key as an environment variable.
  await credential.selectByAttribute('value', 'management');
  await click(browser, 'tryit-tab-code');
  await waitForText(browser, 'tryit-code-curl', '$BOTBAT_API_KEY');
  await waitForText(browser, 'tryit-code-curl', name);
  await ctx.shot(browser, 'code');
  const origin = (await (await waitForTestId(browser, 'tryit-code-curl')).getText()).match(/https?:\/\/[^/\s'"]+/)?.[0];
  assert.ok(origin, 'the cURL command names the sandbox');

  // Copy works in the window, and the window may write the clipboard (the plugin), never read it.
  await click(browser, 'tryit-copy');
  await waitForAttribute(browser, 'tryit-copy', 'data-copy-state', 'copied');
  const clipboard = await browser.execute(async () => {
    const { invoke } = window.__TAURI_INTERNALS__;
    const outcome = async (command, args) => {
      try {
        await invoke(command, args);
        return 'allowed';
      } catch (error) {
        return `refused: ${error}`;
      }
    };
    return {
      write: await outcome('plugin:clipboard-manager|write_text', { text: 'BotBat e2e' }),
      read: await outcome('plugin:clipboard-manager|read_text', {}),
    };
  });
  assert.equal(clipboard.write, 'allowed', 'the window may write text to the clipboard');
  assert.match(clipboard.read, /^refused: .*not allowed/i, 'the window may not read the clipboard');

  // The SDKs panel: the same generator writes a first request per SDK language for this
  // sandbox, the key read from $BOTBAT_API_KEY; install commands copy.
  await click(browser, 'nav-sdks');
  await waitForTextContent(browser, 'sdk-java-code', `${origin}/v1/me`);
  await waitForTextContent(browser, 'sdk-python-code', 'BOTBAT_API_KEY');
  await waitForText(browser, 'sdk-javascript-install', 'npm install @botbat/sdk');
  await click(browser, 'sdk-javascript-install-copy');
  await waitForAttribute(browser, 'sdk-javascript-install-copy', 'data-copy-state', 'copied');
  await ctx.shot(browser, 'sdks');

  // Quit, start again on the same profile: the request is in the history.
  await app.close();
  app = await ctx.launch();
  browser = app.browser;
  await waitForTestId(browser, 'panel-dashboard');
  await openTryIt(browser);
  await click(browser, 'tryit-tab-history');
  // (Read as textContent: WebDriver's visible text leaves out the ellipsised path.)
  await browser.waitUntil(
    async () =>
      browser.execute(() => {
        const text = document.querySelector('[data-testid="tryit-history"]')?.textContent ?? '';
        return text.includes('POST') && text.includes('/contacts') && text.includes('201');
      }),
    { timeout: 30_000, timeoutMsg: 'the history never listed POST /contacts 201 after the restart' },
  );
  await ctx.shot(browser, 'history-after-restart');
  const row = await browser.$('[data-testid="tryit-history"] li .open');
  await row.click();
  await waitForTestId(browser, 'tryit-from-history');
  await waitForText(browser, 'tryit-status', '201');
  await waitForText(browser, 'tryit-body-tree', name);
  const body = await waitForEditor(browser, 'tryit-body');
  assert.ok(body.includes(name), `the reopened request has its body: ${body}`);
  await reveal(browser, 'tryit-response');
  await ctx.shot(browser, 'history-reopened');

  // The sandbox answers on the port it had before the restart, so a copied command still works.
  await click(browser, 'tryit-tab-code');
  await waitForText(browser, 'tryit-code-curl', `${origin}/v1/contacts`);
});

test('Try It: a missing field is caught before sending, the 422 after; cURL, WhatsApp preview and every page', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const ctx = await e2e(t, 'tryit-validation');
  const { browser } = await ctx.launch();
  await waitForTestId(browser, 'panel-dashboard');
  await waitForText(browser, 'dashboard-api-keys', /\d/);
  await openTryIt(browser);

  // The body editor is CodeMirror, styled under the window's strict CSP (its injected
  // stylesheet applies), and a syntax error is marked at the character where it is.
  await click(browser, 'tryit-op-create_contact');
  await waitForEditor(browser, 'tryit-body');
  const gutters = await browser.execute(() => {
    const el = document.querySelector('[data-testid="tryit-body"] .cm-gutters');
    return el ? getComputedStyle(el).display : null;
  });
  assert.equal(gutters, 'flex', "CodeMirror's own stylesheet is applied in the window");
  await typeInEditor(browser, 'tryit-body', '{"name": "Grace", "tags": ["e2e",]}');
  await browser.waitUntil(
    async () =>
      browser.execute(() => {
        const marked = document.querySelector('[data-testid="tryit-body"] .cm-lintRange-error');
        const gutter = document.querySelector('[data-testid="tryit-body"] .cm-lint-marker-error');
        return marked?.textContent === ']' && gutter !== null;
      }),
    { timeout: UI_TIMEOUT_MS, timeoutMsg: 'the trailing comma was never marked at the closing bracket' },
  );
  await reveal(browser, 'tryit-body');
  await ctx.shot(browser, 'editor-lint');

  // The request schema's field names are offered as completions; Enter takes one.
  await typeInEditor(browser, 'tryit-body', '{"na');
  await browser.waitUntil(
    async () =>
      browser.execute(() => document.querySelector('.cm-tooltip-autocomplete')?.textContent?.includes('"name"') ?? false),
    { timeout: UI_TIMEOUT_MS, timeoutMsg: 'the field "name" was never offered' },
  );
  await ctx.shot(browser, 'editor-completion');
  await browser.keys('Enter');
  await browser.waitUntil(async () => (await editorText(browser, 'tryit-body')) === '{"name": ', {
    timeout: UI_TIMEOUT_MS,
    timeoutMsg: 'Enter did not complete the field name',
  });

  // A body without the required name: flagged as it is typed, refused on Send.
  await typeInEditor(browser, 'tryit-body', '{"email": "grace@example.com", "phone": "+14155550123"}');
  await waitForText(browser, 'tryit-body-issues', /name\s+is required/);
  await click(browser, 'tryit-send');
  await waitForText(browser, 'tryit-refused', 'Not sent');
  await reveal(browser, 'tryit-refused');
  await ctx.shot(browser, 'refused');
  const responses = await browser.$$('[data-testid="tryit-response"]');
  assert.equal(responses.length, 0, 'nothing was sent');

  // Sent anyway: the platform's own 422, with its details.
  await click(browser, 'tryit-send-anyway');
  await waitForText(browser, 'tryit-status', '422');
  await waitForText(browser, 'tryit-error-details', 'name');
  await reveal(browser, 'tryit-response');
  await ctx.shot(browser, 'server-422');

  // Fixed, it goes through; three contacts for the paging below.
  await typeInEditor(browser, 'tryit-body', '{"name": "Grace Hopper", "tags": ["e2e"]}');
  for (let i = 0; i < 3; i += 1) {
    const before = (await (await byTestId(browser, 'tryit-request-id')).getText()).trim();
    await click(browser, 'tryit-send');
    await waitForText(browser, 'tryit-request-id', (id) => id !== before);
    await waitForText(browser, 'tryit-status', '201');
  }

  // A message body previews as WhatsApp shows it.
  await click(browser, 'tryit-op-send_message');
  await typeInEditor(
    browser,
    'tryit-body',
    '{"contact_id": "ct_1", "channel": "whatsapp", "body": "Hi *Ada*, your order _A-1042_ ships ~today~ ```tomorrow```"}',
  );
  await waitForText(browser, 'tryit-whatsapp-preview', 'Hi Ada, your order A-1042 ships today tomorrow');
  const bold = await browser.execute(
    () => document.querySelector('[data-testid="tryit-whatsapp-preview"] .bold')?.textContent ?? '',
  );
  assert.equal(bold, 'Ada');
  await reveal(browser, 'tryit-whatsapp-preview');
  await ctx.shot(browser, 'whatsapp-preview');

  // A pasted cURL command fills the builder; then every page of the list is fetched.
  await click(browser, 'tryit-paste-curl');
  await typeInto(
    browser,
    'tryit-curl-input',
    "curl -sS 'https://api.botbat.com/v1/contacts?limit=1' -H 'Authorization: Bearer $BOTBAT_API_KEY'",
  );
  await ctx.shot(browser, 'paste-curl');
  await click(browser, 'tryit-curl-import');
  await waitForAttribute(browser, 'tryit-builder', 'data-operation', 'list_contacts');
  await waitForText(browser, 'tryit-pasted', 'api.botbat.com');
  await click(browser, 'tryit-send');
  await waitForText(browser, 'tryit-status', '200');
  await click(browser, 'tryit-fetch-all');
  await waitForText(browser, 'tryit-fetch-done', /Fetched \d+ items in \d+ pages/);
  await reveal(browser, 'tryit-fetch-run');
  await ctx.shot(browser, 'fetched-all');
});

test(
  'Try It laid out for send-and-read: Send in view, Ctrl+Enter sends, the response under or beside the request',
  { timeout: TEST_TIMEOUT_MS },
  async (t) => {
    const ctx = await e2e(t, 'tryit-layout');
    const { browser } = await ctx.launch();
    await waitForTestId(browser, 'panel-dashboard');
    await openTryIt(browser);
    // Laid out for send-and-read. At 1024×700: Send is in view once an endpoint is chosen and
    // stays there when the request scrolls; Ctrl+Enter in the body editor sends; the response
    // comes under the request; nothing scrolls sideways.
    await resizeViewport(browser, 1024, 700);
    await click(browser, 'tryit-op-create_contact');
    await waitForAttribute(browser, 'tryit-builder', 'data-operation', 'create_contact');
    assertSendInView(await geometry(browser), '1024×700, create chosen');
    await waitForText(browser, 'tryit-response-docs', /201[\s\S]*The contact/);
    const before = (await (await byTestId(browser, 'tryit-request-id')).getText().catch(() => '')).trim();
    const body = '{"name": "Keyboard Only", "tags": ["ctrl-enter"]}';
    await typeInEditor(browser, 'tryit-body', body);
    await browser.keys(['Control', 'Enter']);
    await waitForText(browser, 'tryit-request-id', (id) => /^req_/.test(id) && id !== before);
    await waitForText(browser, 'tryit-status', '201');
    assert.equal(await editorText(browser, 'tryit-body'), body, 'Ctrl+Enter sent the body and added no line to it');
    await waitForAttribute(browser, 'tryit-conformance', 'data-state', 'ok');
    await scrollToEndOfRequest(browser);
    let g = await geometry(browser);
    assertSendInView(g, '1024×700, scrolled to the end of the request');
    assert.ok(g.response.top >= g.work.bottom, `at 1024×700 the response is under the request: ${JSON.stringify(g)}`);
    assert.deepEqual(g.wide, [], 'nothing scrolls sideways at 1024×700');
    await ctx.shot(browser, 'layout-1024x700-scrolled');
    await browser.execute(() => {
      document.querySelector('main.content').scrollTop = 0;
    });
    await ctx.shot(browser, 'layout-1024x700');

    // At 1920×1080 the response sits beside the request; Ctrl+Enter outside the editor sends.
    await resizeViewport(browser, 1920, 1080);
    await click(browser, 'tryit-op-me');
    await waitForAttribute(browser, 'tryit-builder', 'data-operation', 'me');
    assertSendInView(await geometry(browser), '1920×1080, me chosen');
    await waitForText(browser, 'tryit-response-docs', /200/);
    await browser.keys(['Control', 'Enter']);
    await waitForText(browser, 'tryit-status', '200');
    await waitForAttribute(browser, 'tryit-conformance', 'data-state', 'ok');
    g = await geometry(browser);
    assertSendInView(g, '1920×1080, after sending');
    assert.ok(g.response.left >= g.work.right, `at 1920×1080 the response is beside the request: ${JSON.stringify(g)}`);
    assert.ok(g.response.top < g.work.bottom, `beside, not under: ${JSON.stringify(g)}`);
    assert.deepEqual(g.wide, [], 'nothing scrolls sideways at 1920×1080');
    await ctx.shot(browser, 'layout-1920x1080');
    await click(browser, 'tryit-docs-example');
    await waitForText(browser, 'tryit-doc-example-200', /"/);
    await ctx.shot(browser, 'response-docs-example');
  },
);
