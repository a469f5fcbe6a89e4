// The command palette as the tests and the palette bench time it, in the page: from the Ctrl+K
// keydown, and from a pasted id, to the frame after the one that first shows the palette's
// field or the found request. rAF callbacks run before a frame is laid out and painted, so the
// next frame's callback is the first moment the result has been painted; every figure timed
// against these (the bench's floors included) is taken the same way.

import { UI_TIMEOUT_MS, waitForTestId } from './app.mjs';

/**
 * Presses Ctrl+K and waits for the palette's field, timing it in the page: keydown to the
 * frame after the first one with the field in it. Returns milliseconds.
 */
export async function openPalette(browser) {
  await browser.execute(() => {
    window.__palette = { keydown: null, drawn: null };
    const onKey = (event) => {
      if (event.ctrlKey && event.key.toLowerCase() === 'k' && window.__palette.keydown === null) {
        window.__palette.keydown = performance.now();
        const check = () => {
          if (document.querySelector('[data-testid="palette-input"]')) {
            requestAnimationFrame(() => (window.__palette.drawn = performance.now()));
          } else {
            requestAnimationFrame(check);
          }
        };
        requestAnimationFrame(check);
        window.removeEventListener('keydown', onKey, true);
      }
    };
    window.addEventListener('keydown', onKey, true);
  });
  await browser.keys(['Control', 'k']);
  await waitForTestId(browser, 'palette-input');
  await browser.waitUntil(() => browser.execute(() => window.__palette.drawn !== null), {
    timeout: UI_TIMEOUT_MS,
    timeoutMsg: 'the palette was never drawn',
  });
  return browser.execute(() => window.__palette.drawn - window.__palette.keydown);
}

/**
 * Pastes `id` into the palette's field (one input event, as a paste is) and waits for the
 * found request to be painted. Returns milliseconds from the paste to the frame after.
 */
export async function pasteAndFind(browser, id) {
  await browser.execute((text) => {
    const input = document.querySelector('[data-testid="palette-input"]');
    window.__found = { pasted: null, drawn: null };
    const selector = '[data-testid="palette-item"][data-kind="request"][data-found="true"]';
    const observer = new MutationObserver(() => {
      if (document.querySelector(selector) && window.__found.drawn === null) {
        observer.disconnect();
        requestAnimationFrame(() => requestAnimationFrame(() => (window.__found.drawn = performance.now())));
      }
    });
    observer.observe(document.body, { subtree: true, childList: true, attributes: true });
    input.focus();
    window.__found.pasted = performance.now();
    input.value = text;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }, id);
  await browser.waitUntil(() => browser.execute(() => window.__found.drawn !== null), {
    timeout: UI_TIMEOUT_MS,
    interval: 50,
    timeoutMsg: `the palette never listed ${id} as found in the request log`,
  });
  return browser.execute(() => window.__found.drawn - window.__found.pasted);
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

