// Webhooks and the inspector as a support engineer uses them, in the real window against
// the embedded sandbox: a receiver on a free loopback port forwarding to "their server"
// (a node server here that verifies Standard Webhooks signatures itself, with node's
// crypto, and answers 200 only when the signature holds), an endpoint pointed at the
// receiver with its secret kept for the inspector, an event fired from the simulator,
// then the capture verified, forwarded, replayed, edited and replayed (rejected, as it
// must be), re-signed and replayed (accepted), exported; and the tunnel connected.

import assert from 'node:assert/strict';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  byTestId,
  click,
  e2e,
  filesUnder,
  typeInEditor,
  UI_TIMEOUT_MS,
  waitForAttribute,
  waitForTestId,
  waitForTextContent as waitText,
} from './lib/app.mjs';

const TEST_TIMEOUT_MS = 300_000;
const TOLERANCE_SECONDS = 300;

// ---------------------------------------------------------------------------------------------
// "Their server": records every request and verifies it as a Standard Webhooks receiver would.
// ---------------------------------------------------------------------------------------------

/** Why a Standard Webhooks request does not verify with `secret`, or null when it does. */
function verifyStandardWebhooks(secret, headers, body) {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (!id || !timestamp || !signatures) return 'missing webhook-id, webhook-timestamp or webhook-signature';
  const skew = Math.abs(Math.floor(Date.now() / 1000) - Number(timestamp));
  if (!Number.isFinite(skew) || skew > TOLERANCE_SECONDS) return `timestamp ${timestamp} outside the tolerance`;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  for (const entry of signatures.split(' ')) {
    const [version, value] = entry.split(',');
    if (version !== 'v1' || !value) continue;
    const given = Buffer.from(value, 'base64');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return null;
  }
  return 'no signature matches';
}

async function startTargetServer() {
  const target = { secret: null, requests: [] };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const problem = target.secret
        ? verifyStandardWebhooks(target.secret, req.headers, body)
        : 'the test has no secret yet';
      target.requests.push({ method: req.method, url: req.url, headers: req.headers, body, valid: problem === null, problem });
      res.writeHead(problem === null ? 200 : 400, { 'content-type': 'application/json' });
      res.end(JSON.stringify(problem === null ? { ok: true } : { error: problem }));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  target.url = `http://127.0.0.1:${server.address().port}/hooks`;
  target.close = () => new Promise((resolve) => server.close(resolve));
  return target;
}

async function waitForRequests(target, count, what) {
  const deadline = Date.now() + UI_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (target.requests.length >= count) return target.requests[count - 1];
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the target server never got ${what} (request ${count}); it got ${target.requests.length}`);
}

// ---------------------------------------------------------------------------------------------
// Page helpers
// ---------------------------------------------------------------------------------------------

async function openPanel(browser, panel) {
  await click(browser, `nav-${panel}`);
  await waitForTestId(browser, `panel-${panel}`);
}

/** Sets an input's or textarea's value the way typing would end (one input event). */
async function fill(browser, testId, text) {
  const el = await waitForTestId(browser, testId);
  await browser.execute(
    (node, value) => {
      node.focus();
      node.value = value;
      node.dispatchEvent(new Event('input', { bubbles: true }));
    },
    el,
    text,
  );
  await browser.waitUntil(async () => (await el.getValue()) === text, {
    timeout: 5_000,
    timeoutMsg: `[data-testid="${testId}"] did not take the text`,
  });
}

async function setChecked(browser, testId, checked) {
  const box = await waitForTestId(browser, testId);
  if ((await box.isSelected()) !== checked) await box.click();
  await browser.waitUntil(async () => (await box.isSelected()) === checked, {
    timeout: 5_000,
    timeoutMsg: `[data-testid="${testId}"] did not become ${checked ? 'checked' : 'unchecked'}`,
  });
}

async function gone(browser, testId) {
  await (await byTestId(browser, testId)).waitForExist({
    reverse: true,
    timeout: UI_TIMEOUT_MS,
    timeoutMsg: `[data-testid="${testId}"] still there`,
  });
}

/** The first element matching a CSS selector, once it exists. */
async function find(browser, selector) {
  const el = await browser.$(selector);
  await el.waitForExist({ timeout: UI_TIMEOUT_MS, timeoutMsg: `${selector} never appeared` });
  return el;
}

async function attributeOf(browser, selector, name, expected) {
  let last = null;
  await browser
    .waitUntil(
      async () => {
        const el = await browser.$(selector);
        if (!(await el.isExisting())) return false;
        last = await el.getAttribute(name);
        return last === expected;
      },
      { timeout: UI_TIMEOUT_MS, interval: 250 },
    )
    .catch(() => {
      throw new Error(`${selector} ${name} never became ${expected}; last: ${last}`);
    });
}

// ---------------------------------------------------------------------------------------------

test('an endpoint, a simulated event, and the inspector verifying, forwarding and replaying it', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const ctx = await e2e(t, 'webhooks');
  // Downloads (where HAR exports go) inside the profile, like any XDG user dir.
  const downloads = join(ctx.profile.dir, 'Downloads');
  mkdirSync(downloads, { recursive: true });
  writeFileSync(join(ctx.profile.env.XDG_CONFIG_HOME, 'user-dirs.dirs'), `XDG_DOWNLOAD_DIR="${downloads}"\n`);

  const target = await startTargetServer();
  ctx.cleanup(() => target.close());
  // The signing secret lives in the keychain (and on the platform's side, the sandbox's own
  // database); the secret search checks that the console's files, captures and logs never
  // hold it. It has to reach the inspector's store.
  ctx.afterClose(() => {
    if (!target.secret) return;
    assert.ok(filesUnder(ctx.profile.dir).some((f) => f.endsWith('inspector.sqlite')), "the inspector's store is in the profile");
  });

  const { browser } = await ctx.launch();
  await waitForTestId(browser, 'panel-dashboard');
  await waitForAttribute(browser, 'app-root', 'data-environment', 'sandbox');

  // 1. The inspector: a receiver on any free port, forwarding to their server.
  await openPanel(browser, 'inspector');
  await waitForTestId(browser, 'inspector-receiver');
  await fill(browser, 'inspector-port', '0');
  await click(browser, 'inspector-receiver-toggle');
  const receiverUrl = await waitText(browser, 'inspector-receiver-url', /^http:\/\/127\.0\.0\.1:\d+$/);
  await fill(browser, 'inspector-forward-target', target.url);
  await click(browser, 'inspector-forward-save');
  await gone(browser, 'inspector-forward-save');
  await waitText(browser, 'inspector-forward', 'your server');
  await ctx.shot(browser, 'inspector-receiver-started');

  // 2. An endpoint pointed at the receiver, subscribed to message.delivered.
  await openPanel(browser, 'webhooks');
  await click(browser, 'webhooks-create');
  await waitForTestId(browser, 'endpoint-dialog');
  await click(browser, 'endpoint-use-receiver');
  const endpointUrl = `${receiverUrl}/botbat`;
  assert.equal(await (await byTestId(browser, 'endpoint-url')).getValue(), endpointUrl);
  await fill(browser, 'endpoint-description', 'Local handler via the inspector');
  await setChecked(browser, 'event-type-message.delivered', true);
  await waitText(browser, 'endpoint-types-count', '1 event type chosen');
  await ctx.shot(browser, 'endpoint-form');
  await click(browser, 'endpoint-submit');

  // The secret, once: kept in the keychain for the inspector, given to their server.
  await waitForTestId(browser, 'webhook-secret-dialog');
  target.secret = ctx.secrets.saw((await (await byTestId(browser, 'webhook-secret-value')).getText()).trim());
  assert.match(target.secret, /^whsec_[A-Za-z0-9+/]+=*$/, 'a whsec_ secret');
  assert.equal(await (await byTestId(browser, 'webhook-secret-done')).isEnabled(), false, 'Done waits for confirmation');
  await setChecked(browser, 'webhook-secret-keep', true);
  await setChecked(browser, 'webhook-secret-confirm', true);
  await browser.execute(() => {
    const el = document.querySelector('[data-testid="webhook-secret-value"]');
    if (el) el.textContent = `${el.textContent.slice(0, 10)}${'•'.repeat(24)}`;
  });
  await ctx.shot(browser, 'secret-shown-once');
  await click(browser, 'webhook-secret-done');
  await gone(browser, 'webhook-secret-dialog');
  const row = await find(browser, 'tr[data-testid^="webhook-row-"]');
  const webhookId = (await row.getAttribute('data-testid')).slice('webhook-row-'.length);
  await waitText(browser, `webhook-row-${webhookId}`, 'keychain');
  const html = await browser.execute(() => document.documentElement.outerHTML);
  assert.ok(!html.includes(target.secret), 'the secret left the page with its dialog');
  await ctx.shot(browser, 'endpoint-listed');

  // 3. The simulator fires message.delivered from its example.
  await click(browser, 'webhooks-tab-simulator');
  const type = await waitForTestId(browser, 'simulator-type');
  await type.selectByAttribute('value', 'message.delivered');
  await waitText(browser, 'simulator-receivers', endpointUrl);
  const payload = JSON.parse(await (await byTestId(browser, 'simulator-payload')).getValue());
  assert.equal(typeof payload, 'object', 'the payload starts from the example');
  await ctx.shot(browser, 'simulator');
  await click(browser, 'simulator-send');
  const eventId = (await waitText(browser, 'simulator-event-id', /^evt_/)).trim();
  const first = await waitForRequests(target, 1, 'the forwarded delivery');
  assert.equal(first.valid, true, `their server verified the forwarded delivery: ${first.problem}`);
  assert.equal(first.headers['webhook-id'], eventId);
  assert.equal(first.url, '/hooks/botbat', 'the path suffix is preserved');
  assert.equal(JSON.parse(first.body).type, 'message.delivered');

  // Followed into the endpoint's deliveries: succeeded with their server's 200.
  await click(browser, `simulator-follow-${webhookId}`);
  const delivery = `tr[data-event-id="${eventId}"]`;
  await attributeOf(browser, delivery, 'data-status', 'succeeded');
  const deliveryId = (await (await browser.$(delivery)).getAttribute('data-testid')).slice('delivery-'.length);
  await waitText(browser, `delivery-response-${deliveryId}`, '200');
  await waitForTestId(browser, `delivery-detail-${deliveryId}`);
  await ctx.shot(browser, 'deliveries');

  // 4. Into the inspector: the capture, verified with the kept secret, forwarded, 200.
  await click(browser, 'webhooks-tab-simulator');
  await click(browser, 'simulator-open-inspector');
  await waitForTestId(browser, 'panel-inspector');
  await waitText(browser, 'capture-event-id', eventId);
  await waitText(browser, 'capture-verdict-headline', 'Valid Standard Webhooks signature');
  await waitText(browser, 'capture-verdict-matched', `${webhookId} (current)`);
  await waitText(browser, 'capture-forward-status', '200');
  await attributeOf(browser, `[data-testid="capture-row"][data-event-id="${eventId}"]`, 'data-verdict', 'valid');
  await ctx.shot(browser, 'inspector-capture-valid');

  // 5. Replay: the same bytes again, still valid within the tolerance.
  await click(browser, 'capture-replay');
  await waitText(browser, 'capture-last-action', 'Replayed as captured: 200');
  const replayed = await waitForRequests(target, 2, 'the replay');
  assert.equal(replayed.valid, true, `the replay verifies: ${replayed.problem}`);
  assert.equal(replayed.body, first.body, 'a replay sends the exact captured body');
  await ctx.shot(browser, 'replayed');

  // 6. Edit and replay: their server sees the edit and rejects the stale signature.
  await click(browser, 'capture-edit-replay');
  await waitForTestId(browser, 'replay-dialog');
  const edited = JSON.parse(first.body);
  edited.data = { ...edited.data, status: 'read', note: 'edited in the inspector' };
  const editedBody = JSON.stringify(edited);
  await typeInEditor(browser, 'replay-body', editedBody);
  await click(browser, 'replay-send-edited');
  await waitText(browser, 'replay-latest-status', '400');
  const rejected = await waitForRequests(target, 3, 'the edited replay');
  assert.equal(rejected.body, editedBody, 'their server got the edited body');
  assert.equal(rejected.valid, false, 'the captured signature does not cover the edited body');
  await ctx.shot(browser, 'edited-replay-rejected');

  // 7. Re-sign and replay: signed again over the edit, accepted.
  await click(browser, 'replay-send-resigned');
  await waitText(browser, 'replay-latest-status', '200');
  const resigned = await waitForRequests(target, 4, 'the re-signed replay');
  assert.equal(resigned.body, editedBody);
  assert.equal(resigned.valid, true, `the re-signed replay verifies: ${resigned.problem}`);
  assert.notEqual(resigned.headers['webhook-signature'], first.headers['webhook-signature']);
  await ctx.shot(browser, 'resigned-replay-accepted');
  await click(browser, 'replay-close');
  await gone(browser, 'replay-dialog');
  await waitText(browser, 'capture-forward', 'Re-signed replay');

  // cURL and a HAR export of the capture.
  await click(browser, 'capture-curl');
  const curl = await waitText(browser, 'capture-curl-text', /^curl /);
  assert.ok(curl.includes(target.url.replace('/hooks', '')), `the cURL command targets their server: ${curl}`);
  await click(browser, 'capture-export');
  const harPath = (await waitText(browser, 'inspector-export-path', /\.har$/)).trim();
  assert.ok(harPath.startsWith(downloads), `the HAR went to Downloads: ${harPath}`);
  assert.ok(existsSync(harPath), `${harPath} exists`);
  const har = JSON.parse(readFileSync(harPath, 'utf8'));
  assert.equal(har.log.entries.length, 1);
  assert.equal(har.log.entries[0].request.postData.text, first.body);
  await ctx.shot(browser, 'exported');

  // A request carrying a credential this machine does not keep: stored masked, and the
  // replay dialog says it goes as masked.
  // The test's secret scan then proves no file of the console holds it.
  const bearer = ctx.secrets.saw(`bb_test_${randomBytes(24).toString('hex').slice(0, 32)}`);
  const posted = await fetch(`${receiverUrl}/from-my-integration`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    body: '{"hello":"inspector"}',
  });
  await posted.arrayBuffer();
  await waitForRequests(target, 5, 'the request with a credential');
  assert.equal(target.requests[4].headers.authorization, `Bearer ${bearer}`, 'their server got the credential itself');
  await fill(browser, 'captures-search', 'from-my-integration');
  await waitText(browser, 'captures-count', '1 matching');
  await (await find(browser, '[data-testid="capture-row"]')).click();
  await waitText(browser, 'capture-headers', `Bearer bb_test_…${bearer.slice(-4)}`);
  await waitForTestId(browser, 'capture-header-masked');
  await ctx.shot(browser, 'credential-masked');
  await click(browser, 'capture-edit-replay');
  await waitForTestId(browser, 'replay-dialog');
  await waitText(browser, 'replay-credentials', 'The authorization credential was not kept');
  await ctx.shot(browser, 'replay-credential-not-kept');
  await click(browser, 'replay-close');
  await gone(browser, 'replay-dialog');
  await fill(browser, 'captures-search', '');
  await waitText(browser, 'captures-count', /^\d+ captures/);

  // 8. The tunnel: connected, its state in sight. With no forward target the inspector
  // answers with its mock response, and the next event arrives both ways.
  await click(browser, 'inspector-tunnel-toggle');
  await waitForAttribute(browser, 'inspector-tunnel', 'data-state', 'connected');
  // The time reads in the window's locale: 14:02:07, or 2:02:07 PM.
  await waitText(browser, 'inspector-tunnel-detail', /^since \d{1,2}:\d\d:\d\d(?:\s?[AP]M)? · /);
  await fill(browser, 'inspector-forward-target', '');
  await click(browser, 'inspector-forward-save');
  await waitText(browser, 'inspector-forward', 'mock 200');
  await openPanel(browser, 'webhooks');
  await click(browser, 'webhooks-tab-simulator');
  await click(browser, 'simulator-send');
  const secondId = (await waitText(browser, 'simulator-event-id', (s) => /^evt_/.test(s) && s !== eventId)).trim();
  await openPanel(browser, 'inspector');
  await attributeOf(browser, `[data-testid="capture-row"][data-event-id="${secondId}"]`, 'data-verdict', 'valid');
  await browser.waitUntil(
    async () =>
      (
        await browser.execute(
          (id) => document.querySelectorAll(`[data-testid="capture-row"][data-event-id="${id}"]`).length,
          secondId,
        )
      ) === 2,
    { timeout: UI_TIMEOUT_MS, timeoutMsg: `${secondId} did not arrive through both the receiver and the tunnel` },
  );
  await waitText(browser, 'inspector-tunnel-detail', /1 event/);
  assert.equal(target.requests.length, 5, 'nothing was forwarded once the target was cleared');
  await ctx.shot(browser, 'tunnel-connected');

  // Production: its own inspector (nothing of the sandbox's captures), red accents, and no
  // simulator, only the reason why.
  await click(browser, 'env-production');
  await waitForAttribute(browser, 'app-root', 'data-environment', 'production');
  await waitForTestId(browser, 'inspector-production-note');
  await waitText(browser, 'inspector-tunnel-state', 'Disconnected');
  await waitText(browser, 'captures-count', '0 captures');
  await ctx.shot(browser, 'production-inspector');
  await openPanel(browser, 'webhooks');
  await click(browser, 'webhooks-tab-simulator');
  await waitText(browser, 'simulator-sandbox-only', 'works in the Sandbox only');
  await ctx.shot(browser, 'production-simulator');
});

// ---------------------------------------------------------------------------------------------
// 100,000 captures: arriving live while the list is open, then scrolled end to end.
// ---------------------------------------------------------------------------------------------

const FLOOD = Number(process.env.BOTBAT_E2E_CAPTURES ?? 100_000);
const FLOOD_CONCURRENCY = 32;
const FLOOD_TYPES = ['message.delivered', 'message.failed', 'contact.created', 'campaign.completed'];

/** POSTs `count` JSON webhooks to `url` over keep-alive connections; resolves to requests/s. */
async function flood(url, count) {
  const { Agent, request } = await import('node:http');
  const agent = new Agent({ keepAlive: true, maxSockets: FLOOD_CONCURRENCY });
  const target = new URL(url);
  let next = 0;
  let failed = 0;
  const started = Date.now();
  const one = (i) =>
    new Promise((resolve) => {
      const body = JSON.stringify({ id: `evt_flood_${i}`, type: FLOOD_TYPES[i % FLOOD_TYPES.length], data: { n: i } });
      const req = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: `/flood/${i % 10}`,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          if (res.statusCode !== 200) failed += 1;
          res.resume();
          res.on('end', resolve);
        },
      );
      req.on('error', () => {
        failed += 1;
        resolve();
      });
      req.end(body);
    });
  const worker = async () => {
    while (next < count) await one(next++);
  };
  await Promise.all(Array.from({ length: FLOOD_CONCURRENCY }, worker));
  agent.destroy();
  assert.equal(failed, 0, `every flood request was answered 200 (${failed} were not)`);
  return count / ((Date.now() - started) / 1000);
}

/**
 * Frame intervals (ms) over `frames` animation frames, scrolling the capture list by `step`
 * px each frame, and the most rows the list had in the DOM meanwhile.
 */
async function frameIntervals(browser, frames, step) {
  return browser.executeAsync(
    (count, by, done) => {
      const scroller = document.querySelector('[data-testid="captures-scroller"]');
      const intervals = [];
      let maxRows = 0;
      let last = performance.now();
      const tick = (now) => {
        intervals.push(now - last);
        last = now;
        maxRows = Math.max(maxRows, document.querySelectorAll('[data-testid="capture-row"]').length);
        if (by !== 0 && scroller) scroller.scrollTop += by;
        if (intervals.length < count) requestAnimationFrame(tick);
        else done({ intervals: intervals.slice(1), maxRows });
      };
      requestAnimationFrame(tick);
    },
    frames,
    step,
  );
}

/**
 * The baseline: the same scroll over a plain, non-virtual list of 1,000 rows of the same
 * size, laid over the capture list in the same window, so the machine's own rendering
 * speed (software rendering under Xvfb here) is measured in the same run.
 */
async function plainListIntervals(browser, frames, step) {
  return browser.executeAsync(
    (count, by, done) => {
      const list = document.querySelector('[data-testid="captures-scroller"]');
      const rect = list.getBoundingClientRect();
      const box = document.createElement('div');
      Object.assign(box.style, {
        position: 'fixed',
        left: `${rect.left}px`,
        top: `${rect.top}px`,
        width: `${rect.width}px`,
        height: `${rect.height}px`,
        overflowY: 'auto',
        background: 'var(--surface)',
        zIndex: '99',
      });
      for (let i = 0; i < 1000; i += 1) {
        const row = document.createElement('div');
        Object.assign(row.style, { height: '50px', borderBottom: '1px solid var(--border)', padding: '6px 10px' });
        row.innerHTML = `<b>message.delivered</b><br><small>10:00:00.000 POST /flood/${i % 10} · 60 B</small>`;
        box.appendChild(row);
      }
      document.body.appendChild(box);
      const intervals = [];
      let last = performance.now();
      const tick = (now) => {
        intervals.push(now - last);
        last = now;
        box.scrollTop += by;
        if (intervals.length < count) requestAnimationFrame(tick);
        else {
          box.remove();
          done(intervals.slice(1));
        }
      };
      requestAnimationFrame(tick);
    },
    frames,
    step,
  );
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

test(`the inspector's list stays usable with ${FLOOD.toLocaleString('en-US')} captures arriving live`, { timeout: 900_000 }, async (t) => {
  const ctx = await e2e(t, 'inspector-100k');
  const { browser } = await ctx.launch();
  await waitForTestId(browser, 'panel-dashboard');
  await openPanel(browser, 'inspector');
  await fill(browser, 'inspector-port', '0');
  await click(browser, 'inspector-receiver-toggle');
  const receiverUrl = await waitText(browser, 'inspector-receiver-url', /^http:\/\/127\.0\.0\.1:\d+$/);

  const rate = await flood(receiverUrl, FLOOD);
  const count = FLOOD.toLocaleString('en-US');
  await waitText(browser, 'captures-count', `${count} captures`, { timeout: 120_000 });
  const onDisk = await waitText(browser, 'captures-storage', /MiB on disk$/, { timeout: 30_000 });
  await ctx.shot(browser, 'after-flood');

  const rowCount = () => browser.execute(() => document.querySelectorAll('[data-testid="capture-row"]').length);
  const idsOnScreen = () =>
    browser.execute(() => [...document.querySelectorAll('[data-testid="capture-row"]')].map((r) => Number(r.dataset.captureId)));
  // The rows that fit the list (a partial one at each edge) and the list's 8 rows of
  // overscan above and below: that many row elements, however long the list.
  const { height, rowHeight } = await browser.execute(() => {
    const scroller = document.querySelector('[data-testid="captures-scroller"]');
    const spacer = document.querySelector('[data-testid="captures-spacer"]');
    return { height: scroller.clientHeight, rowHeight: parseFloat(getComputedStyle(spacer).getPropertyValue('--row-height')) };
  });
  assert.ok(height > 0 && rowHeight > 0, `the list has a size: ${height} px, rows of ${rowHeight} px`);
  const maxRows = Math.ceil(height / rowHeight) + 2 + 2 * 8;
  assert.ok((await rowCount()) <= maxRows, `only the visible rows exist: ${await rowCount()} of at most ${maxRows}`);
  assert.equal(Math.max(...(await idsOnScreen())), FLOOD, 'the newest capture is at the top');

  // Wheel-like scrolling (100 px a frame) over the 100,000 and over the plain baseline,
  // then a fling (4,000 px a frame: 80 rows, faster than windows can be fetched).
  const plain = await plainListIntervals(browser, 90, 100);
  const wheel = await frameIntervals(browser, 90, 100);
  const fling = await frameIntervals(browser, 40, 4_000);
  assert.ok(
    Math.max(wheel.maxRows, fling.maxRows) <= maxRows,
    `rows in the DOM while scrolling: ${Math.max(wheel.maxRows, fling.maxRows)} of at most ${maxRows}`,
  );

  // Jump to the middle and to the very end: the right rows arrive there.
  for (const fraction of [0.5, 1]) {
    await browser.execute((f) => {
      const scroller = document.querySelector('[data-testid="captures-scroller"]');
      scroller.scrollTop = f * (scroller.scrollHeight - scroller.clientHeight);
    }, fraction);
    const wanted = fraction === 1 ? 1 : Math.round(FLOOD / 2);
    await browser.waitUntil(
      async () => (await idsOnScreen()).some((id) => Math.abs(id - wanted) <= 20),
      { timeout: UI_TIMEOUT_MS, timeoutMsg: `rows near capture ${wanted} never showed` },
    );
    assert.ok((await rowCount()) <= maxRows, `rows in the DOM at ${fraction}: ${await rowCount()} of at most ${maxRows}`);
  }
  await ctx.shot(browser, 'scrolled-to-the-oldest');

  // A filter over all of them, answered by the store, not by the page.
  await (await waitForTestId(browser, 'captures-type-filter')).selectByAttribute('value', 'contact.created');
  await waitText(browser, 'captures-count', `${(FLOOD / FLOOD_TYPES.length).toLocaleString('en-US')} matching`, { timeout: 60_000 });
  await ctx.shot(browser, 'filtered');

  const p = (xs, q) => percentile(xs, q).toFixed(0);
  const ratio = (q) => (percentile(wheel.intervals, q) / percentile(plain, q)).toFixed(2);
  t.diagnostic(
    `${count} captures sent at ${Math.round(rate)} req/s into the receiver, the list open. Frame interval scrolling ` +
      `100 px/frame: ${count}-capture list p50 ${p(wheel.intervals, 50)} ms p95 ${p(wheel.intervals, 95)} ms vs a plain ` +
      `1,000-row list p50 ${p(plain, 50)} ms p95 ${p(plain, 95)} ms (ratio p50 ${ratio(50)}, p95 ${ratio(95)}); ` +
      `fling 4,000 px/frame p50 ${p(fling.intervals, 50)} ms p95 ${p(fling.intervals, 95)} ms; ` +
      `at most ${Math.max(wheel.maxRows, fling.maxRows)} rows in the DOM (bound ${maxRows} for a ${height} px list); ` +
      `inspector.sqlite ${onDisk.replace(/^· /, '')}`,
  );
});
