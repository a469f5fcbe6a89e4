// Adding a Botbiz or Botmaker connection in Settings and choosing it in the header, as a user
// does, for every test that works against a connection.

import { byTestId, choose, click, gone, waitForTestId, waitForText } from './app.mjs';

/** Adds a connection in Settings (which must be open) and returns its id. */
export async function addConnection(browser, { platform, label, baseUrl, credential }) {
  await click(browser, 'connection-add');
  await waitForTestId(browser, 'connection-dialog');
  await choose(browser, 'connection-platform', platform);
  await (await byTestId(browser, 'connection-label')).setValue(label);
  await (await byTestId(browser, 'connection-base-url')).setValue(baseUrl);
  await (await byTestId(browser, 'connection-credential')).setValue(credential);
  await click(browser, 'connection-submit');
  await gone(browser, 'connection-dialog');
  await waitForText(browser, 'connection-list', label);
  const item = await browser.$(`[data-testid="connection-list"] li[data-platform="${platform}"]`);
  return (await item.getAttribute('data-testid')).replace(/^connection-/, '');
}

/** Adds a connection to a running stand-in and makes it the header's target. */
export async function connectTo(browser, standin, { platform, label }) {
  await click(browser, 'nav-settings');
  const id = await addConnection(browser, { platform, label, baseUrl: standin.baseUrl, credential: standin.credential });
  await choose(browser, 'target-select', id);
  await waitForText(browser, 'platform-band', label);
  return id;
}
