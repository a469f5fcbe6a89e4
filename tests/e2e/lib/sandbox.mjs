// The embedded sandbox as a test reaches it over HTTP, beside the window: its API root, read
// from where the Dashboard names its source.

/** The sandbox's API root, e.g. http://127.0.0.1:4010/v1, once the Dashboard names it. */
export async function sandboxApiRoot(browser) {
  let root = '';
  await browser.waitUntil(
    async () => {
      root = await browser.execute(
        () => document.querySelector('[data-testid="panel-dashboard"] .source code')?.textContent?.trim() ?? '',
      );
      return root.startsWith('http');
    },
    { timeout: 30_000, timeoutMsg: 'the Dashboard never named its source' },
  );
  root = root.replace(/\/+$/, '');
  return root.endsWith('/v1') ? root : `${root}/v1`;
}
