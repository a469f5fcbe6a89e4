// Every panel at the smallest supported window (1024×700) and at a large one (1920×1080):
// a screenshot of each, no sideways scrolling anywhere (neither the document, nor the
// panel's scroll area, nor any box inside the panel), every panel held to the one content
// width, and an axe-core accessibility check of every panel, in the light and the dark theme,
// in Sandbox and in Production, with no serious or critical violation. axe-core comes from npm and is injected into the
// real window as its source.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { click, e2e, OUT_DIR, resizeViewport, waitForAttribute, waitForTestId } from './lib/app.mjs';
import { sidewaysScroll } from './lib/layout.mjs';

const TEST_TIMEOUT_MS = 600_000;

const PANELS = ['dashboard', 'api-keys', 'rate-limits', 'webhooks', 'inspector', 'try-it', 'usage', 'sdks', 'settings'];

const SIZES = [
  { width: 1024, height: 700 },
  { width: 1920, height: 1080 },
];

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Injects axe-core once per page load and runs it on the whole window. */
async function axeViolations(browser) {
  const loaded = await browser.execute(() => typeof window.axe === 'object');
  if (!loaded) {
    await browser.execute(AXE_SOURCE);
    assert.equal(await browser.execute(() => typeof window.axe === 'object'), true, 'axe-core did not load');
  }
  const result = await browser.executeAsync((done) => {
    window.axe
      .run(document, { resultTypes: ['violations'] })
      .then((r) =>
        done({
          violations: r.violations.map((v) => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')} — ${n.failureSummary.replace(/\s+/g, ' ')}`),
          })),
        }),
      )
      .catch((err) => done({ error: String(err) }));
  });
  if (result.error) throw new Error(`axe-core failed: ${result.error}`);
  return result.violations;
}

/** Waits until a panel has finished its first load (nothing in it still says it is loading). */
async function settle(browser, panel) {
  await waitForTestId(browser, `panel-${panel}`);
  await browser
    .waitUntil(
      () =>
        browser.execute(
          (id) => !document.querySelector(`[data-testid="${id}"] [aria-busy="true"]`),
          `panel-${panel}`,
        ),
      { timeout: 15_000, interval: 200 },
    )
    .catch(() => {});
}

test('every panel fits 1024×700 and 1920×1080 without sideways scrolling, and passes axe', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const ctx = await e2e(t, 'layout');
  const { browser } = await ctx.launch();
  await waitForTestId(browser, 'panel-dashboard');

  const problems = [];
  const widths = {};
  for (const { width, height } of SIZES) {
    await resizeViewport(browser, width, height);
    for (const panel of PANELS) {
      await click(browser, `nav-${panel}`);
      await settle(browser, panel);
      await ctx.shot(browser, `${width}x${height}-${panel}`);
      const { found, panelWidth } = await sidewaysScroll(browser, `panel-${panel}`);
      for (const f of found) problems.push(`${panel} at ${width}×${height}: ${f}`);
      widths[`${panel}@${width}`] = panelWidth;
    }
  }
  const serious = [];
  const report = {};
  // Both themes, in Sandbox and then in Production (its band, badges and confirmations have
  // colours of their own): colour contrast is checked against what each one draws.
  const looks = [
    ['sandbox', 'light'],
    ['sandbox', 'dark'],
    ['production', 'dark'],
    ['production', 'light'],
  ];
  for (const [environment, theme] of looks) {
    if (environment === 'production') {
      await click(browser, 'env-production');
      await waitForAttribute(browser, 'app-root', 'data-environment', 'production');
    }
    await click(browser, 'nav-settings');
    await waitForTestId(browser, 'panel-settings');
    await browser.execute((id) => document.querySelector(`[data-testid="${id}"]`).click(), `settings-theme-${theme}`);
    await browser.waitUntil(async () => browser.execute((t) => document.documentElement.dataset.theme === t, theme), {
      timeout: 10_000,
      timeoutMsg: `the ${theme} theme was not applied`,
    });
    for (const panel of PANELS) {
      await click(browser, `nav-${panel}`);
      await settle(browser, panel);
      const found = await axeViolations(browser);
      report[`${panel} (${environment}, ${theme})`] = found;
      for (const v of found) {
        if (v.impact === 'serious' || v.impact === 'critical') {
          serious.push(`${panel}, ${environment}, ${theme} theme: ${v.impact} ${v.id} (${v.help})\n    ${v.nodes.join('\n    ')}`);
        }
      }
    }
    await ctx.shot(browser, `${environment}-${theme}-settings`);
  }
  // Every violation, the minor ones too, for whoever reads the run.
  writeFileSync(join(OUT_DIR, 'layout-axe.json'), `${JSON.stringify(report, null, 2)}\n`);

  // Everything is gathered first, so one run reports every finding at once.
  assert.deepEqual(problems, [], `sideways scrolling:\n${problems.join('\n')}`);
  // One content width rule: at 1920×1080 every panel is as wide as every other.
  const wide = PANELS.map((p) => widths[`${p}@1920`]);
  assert.equal(new Set(wide).size, 1, `panel widths at 1920×1080 differ: ${JSON.stringify(widths)}`);
  assert.deepEqual(serious, [], `axe-core found serious or critical violations:\n${serious.join('\n')}`);
});
