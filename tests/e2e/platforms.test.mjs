// Botbiz and Botmaker connections at work, against their stand-ins on loopback, as a user
// drives them: a Botbiz WhatsApp account added from the Dashboard, shown with its QR code and
// connected by the stand-in's scan, a message sent from Try It with the connection's key, and
// the Rate Limits gauge read from Botbiz's headers; a Botmaker webhook refused without a
// channel, then created with its channel and message type, and a Botmaker text message
// previewed and sent from Try It. No credential reaches a file or a log.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { byTestId, click, e2e, resizeViewport, typeInEditor, waitForTestId, waitForText } from './lib/app.mjs';
import { connectTo } from './lib/connections.mjs';
import { startStandin } from './lib/standin.mjs';

const TEST_TIMEOUT_MS = 300_000;
const BOTMAKER_WHATSAPP = 'standin-whatsapp-15550001111';

async function startFor(ctx, platform, name) {
  const standin = await startStandin(platform, name);
  ctx.cleanup(standin.stop);
  ctx.secrets.saw(standin.credential);
  ctx.secrets.addLog(standin.logPath);
  return standin;
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
  await waitForText(browser, 'botbiz-accounts', /Support line[\s\S]*connected/);

  // Try It lists Botbiz's endpoints and sends with the connection's key.
  await click(browser, 'nav-try-it');
  await click(browser, 'tryit-op-send_whatsapp_message');
  await waitForText(browser, 'tryit-url', botbiz.baseUrl);
  await typeInEditor(browser, 'tryit-body', '{"to": "+15550003333", "type": "text", "content": "Your order *A-1042* ships today"}');
  await click(browser, 'tryit-send');
  await waitForText(browser, 'tryit-status', /^2\d\d/);
  await ctx.shot(browser, 'tryit-sent');

  // Rate Limits: the per-minute gauge from the headers of those answers (the free plan: 60).
  await click(browser, 'nav-rate-limits');
  const gauge = await waitForText(browser, 'botbiz-gauge', /60/);
  assert.match(gauge, /60/);
  await click(browser, 'botbiz-limits-check');
  await waitForText(browser, 'botbiz-limits-observed', /\S/);
  await ctx.shot(browser, 'rate-limits');
});

test('Botmaker: a webhook refused without a channel, then created with its filters; a text previewed and sent', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const ctx = await e2e(t, 'platforms-botmaker');
  const botmaker = await startFor(ctx, 'botmaker', 'platforms-botmaker');
  const { browser } = await ctx.launch();
  await resizeViewport(browser, 1280, 800);
  await waitForTestId(browser, 'env-sandbox');
  await connectTo(browser, botmaker, { platform: 'botmaker', label: 'Shop bot' });

  // Webhooks: the form says what is missing and keeps what was typed.
  await click(browser, 'nav-webhooks');
  await waitForTestId(browser, 'botmaker-webhooks-empty');
  await click(browser, 'botmaker-webhooks-create');
  await type(browser, 'botmaker-webhook-url', 'https://hooks.example.com/botmaker');
  await click(browser, `botmaker-type-user`);
  await click(browser, 'botmaker-webhook-submit');
  await waitForText(browser, 'botmaker-webhook-channels-error', /channel/i);
  assert.equal(await (await byTestId(browser, 'botmaker-webhook-url')).getValue(), 'https://hooks.example.com/botmaker');
  await ctx.shot(browser, 'webhook-needs-a-channel');
  await click(browser, `botmaker-channel-${BOTMAKER_WHATSAPP}`);
  await click(browser, 'botmaker-webhook-submit');
  await waitForText(browser, 'botmaker-webhooks-table', 'https://hooks.example.com/botmaker');
  await ctx.shot(browser, 'webhooks');

  // Try It: a text message previews as WhatsApp shows it, and goes out with the access-token.
  await click(browser, 'nav-try-it');
  await click(browser, 'tryit-op-send_messages');
  await waitForText(browser, 'tryit-url', botmaker.baseUrl);
  await typeInEditor(
    browser,
    'tryit-body',
    `{"chat": {"channelId": "${BOTMAKER_WHATSAPP}", "contactId": "+15550004444"}, "messages": [{"text": "Hi *Ada*, your order ships _today_"}]}`,
  );
  await waitForText(browser, 'tryit-whatsapp-preview', 'Hi Ada, your order ships today');
  await click(browser, 'tryit-send');
  await waitForText(browser, 'tryit-status', '200');
  await ctx.shot(browser, 'tryit-sent');
});
