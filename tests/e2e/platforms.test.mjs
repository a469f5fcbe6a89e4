// Botbiz and Botmaker connections at work, against their stand-ins on loopback, as a user
// drives them. Botbiz: a WhatsApp account added from the Dashboard, shown with its QR code and
// connected by the stand-in's scan; a message sent from Try It with the connection's key; the
// Rate Limits gauge read from Botbiz's headers; an inbound message's webhook verified in the
// Inspector with the secret kept for the connection. Botmaker: a webhook refused without a
// channel, then created for the Inspector's receiver with two message types; a text message
// previewed and sent from Try It; only the selected message types arrive, their
// auth-bm-token checked, and none of them shows in BotBat Sandbox's Inspector. No credential
// reaches a file or a log.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  byTestId,
  choose,
  click,
  e2e,
  gone,
  resizeViewport,
  typeInEditor,
  waitForTestId,
  waitForText,
  waitForTextContent,
} from './lib/app.mjs';
import { connectTo } from './lib/connections.mjs';
import { startStandin } from './lib/standin.mjs';

const TEST_TIMEOUT_MS = 300_000;
const BOTMAKER_WHATSAPP = 'standin-whatsapp-15550001111';
/** The header's Target value for BotBat (Sandbox/Production). */
const BOTBAT_TARGET = 'botbat';

async function startFor(ctx, platform, name) {
  const standin = await startStandin(platform, name);
  ctx.cleanup(standin.stop);
  ctx.secrets.saw(standin.credential);
  ctx.secrets.addLog(standin.logPath);
  return standin;
}

/** Calls a stand-in's own API (its sandbox controls) the way a script would. */
async function standinCall(standin, method, path, headers, body) {
  const response = await fetch(`${standin.baseUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${path} answered ${response.status}: ${text}`);
  return JSON.parse(text);
}

/** Starts the Inspector's receiver and returns its URL. */
async function startReceiver(browser) {
  await click(browser, 'nav-inspector');
  await waitForTestId(browser, 'inspector-receiver');
  await click(browser, 'inspector-receiver-toggle');
  return waitForTextContent(browser, 'inspector-receiver-url', /^http:\/\/127\.0\.0\.1:\d+$/);
}

/** The Inspector's capture rows: their text and verdict. */
function captureRows(browser) {
  return browser.execute(() =>
    [...document.querySelectorAll('[data-testid="capture-row"]')].map((row) => ({
      text: row.textContent.replace(/\s+/g, ' ').trim(),
      verdict: row.dataset.verdict,
    })),
  );
}

async function type(browser, testId, text) {
  const input = await waitForTestId(browser, testId);
  await input.setValue(text);
}

test('Botbiz: an account connected by its QR code, a message sent from Try It, the gauge from its headers', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const ctx = await e2e(t, 'platforms-botbiz');
  const botbiz = await startFor(ctx, 'botbiz', 'platforms-botbiz');
  const { browser } = await ctx.launch();
  await resizeViewport(browser, 1280, 800);
  await waitForTestId(browser, 'env-sandbox');
  await connectTo(browser, botbiz, { platform: 'botbiz', label: 'Acme support' });

  // The Dashboard: no account yet; one added shows its QR code, and the scan connects it.
  await click(browser, 'nav-dashboard');
  await waitForTestId(browser, 'botbiz-accounts-empty');
  await click(browser, 'botbiz-accounts-add');
  await type(browser, 'botbiz-account-phone', '+15550002222');
  await type(browser, 'botbiz-account-name', 'Support line');
  await click(browser, 'botbiz-account-submit');
  const image = await waitForTestId(browser, 'botbiz-qr-image');
  assert.match(await image.getAttribute('src'), /^data:image\/svg\+xml;base64,/);
  await browser.waitUntil(async () => browser.execute(() => {
    const img = document.querySelector('[data-testid="botbiz-qr-image"]');
    return img instanceof HTMLImageElement && img.complete && img.naturalWidth > 0;
  }), { timeout: 10_000, timeoutMsg: 'the QR code image never loaded' });
  await waitForText(browser, 'botbiz-qr-status', 'pending');
  await ctx.shot(browser, 'qr-code');
  await click(browser, 'botbiz-play-scan');
  await waitForText(browser, 'botbiz-qr-status', 'connected');
  await click(browser, 'botbiz-qr-close');
  await waitForText(browser, 'botbiz-accounts', /Support line[\s\S]*connected/i);

  // Try It lists Botbiz's endpoints and sends with the connection's key.
  await click(browser, 'nav-try-it');
  await click(browser, 'tryit-op-send_whatsapp_message');
  await waitForTextContent(browser, 'tryit-url', `${botbiz.baseUrl}/whatsapp/messages`);
  await typeInEditor(browser, 'tryit-body', '{"to": "+15550003333", "type": "text", "content": "Your order *A-1042* ships today"}');
  await click(browser, 'tryit-send');
  await waitForText(browser, 'tryit-status', /^2\d\d/);
  await ctx.shot(browser, 'tryit-sent');

  // SDKs: Botbiz names none, said once; the quick-starts use its base URL and variable.
  await click(browser, 'nav-sdks');
  await waitForText(browser, 'sdks-no-sdk', "Botbiz's docs name no SDK");
  await waitForTextContent(browser, 'sdk-php-code', 'BOTBIZ_API_KEY');
  await ctx.shot(browser, 'sdks');

  // Rate Limits: the per-minute gauge from the headers of those answers (the free plan: 60).
  await click(browser, 'nav-rate-limits');
  const gauge = await waitForText(browser, 'botbiz-gauge', /60/);
  assert.match(gauge, /60/);
  await click(browser, 'botbiz-limits-check');
  await waitForText(browser, 'botbiz-limits-observed', /\S/);
  await ctx.shot(browser, 'rate-limits');

  // An inbound message: Botbiz signs its webhook, and the Inspector verifies it with the
  // signing secret kept for this connection.
  const receiverUrl = await startReceiver(browser);
  const auth = { authorization: `Bearer ${botbiz.credential}` };
  const hook = await standinCall(botbiz, 'PUT', '/sandbox/webhook', auth, { url: `${receiverUrl}/botbiz` });
  ctx.secrets.saw(hook.secret);
  await type(browser, 'connection-secret-input', hook.secret);
  await click(browser, 'connection-secret-save');
  await waitForText(browser, 'connection-secret-kept', /Kept:/);
  const played = await standinCall(botbiz, 'POST', '/sandbox/inbound', auth, { from: '+1987654321', content: 'Where is my order?' });
  assert.equal(played.delivery?.status, 200, JSON.stringify(played));
  await browser.waitUntil(async () => (await captureRows(browser)).some((r) => r.text.includes('whatsapp.message.received')), {
    timeout: 30_000,
    timeoutMsg: 'the Botbiz webhook never showed in the Inspector',
  });
  const rows = await captureRows(browser);
  assert.deepEqual(rows.map((r) => r.verdict), ['valid'], JSON.stringify(rows));
  await ctx.shot(browser, 'inspector-verified');
});

test('Botmaker: a webhook refused without a channel, then created with its filters; a text previewed and sent', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const ctx = await e2e(t, 'platforms-botmaker');
  const botmaker = await startFor(ctx, 'botmaker', 'platforms-botmaker');
  const { browser } = await ctx.launch();
  await resizeViewport(browser, 1280, 800);
  await waitForTestId(browser, 'env-sandbox');
  const makerId = await connectTo(browser, botmaker, { platform: 'botmaker', label: 'Shop bot' });

  // Webhooks: the form says what is missing and keeps what was typed; then a webhook for the
  // Inspector's receiver with two of the six message types, its token made and kept here.
  const receiverUrl = await startReceiver(browser);
  const hookUrl = `${receiverUrl}/botmaker`;
  await click(browser, 'nav-webhooks');
  await waitForTestId(browser, 'botmaker-webhooks-empty');
  await click(browser, 'botmaker-webhooks-create');
  await type(browser, 'botmaker-webhook-url', hookUrl);
  await click(browser, 'botmaker-type-user');
  await click(browser, 'botmaker-type-bot');
  await click(browser, 'botmaker-webhook-submit');
  await waitForText(browser, 'botmaker-webhook-channels-error', /channel/i);
  assert.equal(await (await byTestId(browser, 'botmaker-webhook-url')).getValue(), hookUrl);
  await ctx.shot(browser, 'webhook-needs-a-channel');
  await click(browser, `botmaker-channel-${BOTMAKER_WHATSAPP}`);
  await click(browser, 'botmaker-webhook-submit');
  await waitForText(browser, 'botmaker-webhooks-table', hookUrl);
  await ctx.shot(browser, 'webhooks');

  // Try It: a text message previews as WhatsApp shows it, and goes out with the access-token.
  await click(browser, 'nav-try-it');
  await click(browser, 'tryit-op-send_messages');
  await waitForTextContent(browser, 'tryit-url', `${botmaker.baseUrl}/chats-actions/send-messages`);
  await typeInEditor(
    browser,
    'tryit-body',
    `{"chat": {"channelId": "${BOTMAKER_WHATSAPP}", "contactId": "+15550004444"}, "messages": [{"text": "Hi *Ada*, your order ships _today_"}]}`,
  );
  await waitForText(browser, 'tryit-whatsapp-preview', 'Hi Ada, your order ships today');
  await click(browser, 'tryit-send');
  await waitForText(browser, 'tryit-status', '200');
  await ctx.shot(browser, 'tryit-sent');

  // An agent and then a user write: the bot's message and the user's arrive, each with its
  // auth-bm-token checked; the agent's message and the delivery status were not selected.
  const auth = { 'access-token': botmaker.credential };
  const chat = { channelId: BOTMAKER_WHATSAPP, contactId: '+15550004444' };
  await standinCall(botmaker, 'POST', '/sandbox/inbound', auth, { ...chat, from: 'agent', text: 'An agent here' });
  await standinCall(botmaker, 'POST', '/sandbox/inbound', auth, { ...chat, from: 'user', text: 'Thanks!' });
  await click(browser, 'nav-inspector');
  await browser.waitUntil(async () => (await captureRows(browser)).some((r) => r.text.includes('message_status.user')), {
    timeout: 30_000,
    timeoutMsg: "the user's message never showed in the Inspector",
  });
  const rows = await captureRows(browser);
  const types = rows.map((r) => /message_status\.\w+/.exec(r.text)?.[0]).sort();
  assert.deepEqual(types, ['message_status.bot', 'message_status.user'], JSON.stringify(rows));
  assert.deepEqual(rows.map((r) => r.verdict), ['valid', 'valid'], JSON.stringify(rows));
  await ctx.shot(browser, 'inspector-filtered');

  // Back on BotBat Sandbox, none of it is there: each connection keeps its own captures.
  await choose(browser, 'target-select', BOTBAT_TARGET);
  await gone(browser, 'platform-band');
  await waitForTestId(browser, 'env-sandbox');
  await waitForTestId(browser, 'captures-empty');
  assert.deepEqual(await captureRows(browser), []);
  await ctx.shot(browser, 'sandbox-sees-none');

  // And the connection's captures are still its own when it is chosen again.
  await choose(browser, 'target-select', makerId);
  await browser.waitUntil(async () => (await captureRows(browser)).length === 2, {
    timeout: 30_000,
    timeoutMsg: "the connection's captures did not come back with it",
  });
});
