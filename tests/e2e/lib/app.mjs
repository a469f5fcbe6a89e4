// Drives the real botbat-console binary through tauri-driver and the system WebKitWebDriver.
//
// A *profile* is what a user's machine would be: its own XDG data/config/cache dirs and its own
// D-Bus session (with a fresh gnome-keyring, or with no Secret Service at all). A profile
// outlives app launches, so a test can quit the app and start it again on the same data.
// Every launch gets its own tauri-driver on free ports, and everything it started is ended
// with it.

import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { remote } from 'webdriverio';
import { secretScan } from './secrets.mjs';

export { filesUnder, findInFiles } from './secrets.mjs';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const OUT_DIR = join(REPO_ROOT, 'target', 'e2e');
export const APP_BINARY =
  process.env.BOTBAT_CONSOLE_BIN ?? join(REPO_ROOT, 'target', 'debug', 'botbat-console');
const WITH_KEYRING = join(REPO_ROOT, 'scripts', 'with-keyring.sh');

/** How long a test waits for the UI to reach an expected state. */
export const UI_TIMEOUT_MS = Number(process.env.BOTBAT_E2E_UI_TIMEOUT_MS ?? 30_000);

function which(name) {
  const extra = process.env.HOME ? [join(process.env.HOME, '.cargo', 'bin')] : [];
  for (const dir of [...(process.env.PATH ?? '').split(delimiter), ...extra]) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

function tauriDriverPath() {
  const found = process.env.TAURI_DRIVER ?? which('tauri-driver');
  if (!found) throw new Error('tauri-driver not found on PATH; run scripts/setup.sh');
  return found;
}

function nativeDriverPath() {
  const found = process.env.WEBKIT_WEBDRIVER ?? which('WebKitWebDriver');
  if (!found) throw new Error('WebKitWebDriver not found; run scripts/setup.sh (package webkit2gtk-driver)');
  return found;
}

function safeName(text) {
  return String(text)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

async function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** Live (non-zombie) processes in a process group, from /proc. */
export function groupMembers(pgid) {
  const members = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // pid (comm) state ppid pgrp ...; comm may contain spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] !== 'Z' && fields[0] !== 'X' && Number(fields[2]) === pgid) {
      members.push(Number(entry));
    }
  }
  return members;
}

function signalGroup(pgid, signal) {
  try {
    process.kill(-pgid, signal);
  } catch {
    // Already gone.
  }
}

async function waitGroupGone(pgid, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (groupMembers(pgid).length === 0) return true;
    await sleep(100);
  }
  return groupMembers(pgid).length === 0;
}

// Process groups started here and not yet ended. If the runner is interrupted before the
// tests' cleanup runs, they are ended on the way out instead of being left behind.
const liveGroups = new Set();
const liveDirs = new Set();
function endAllGroupsNow() {
  for (const pgid of liveGroups) signalGroup(pgid, 'SIGTERM');
  liveGroups.clear();
  if (!process.env.BOTBAT_E2E_KEEP_PROFILES) {
    for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
  }
  liveDirs.clear();
}
process.once('exit', endAllGroupsNow);
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
]) {
  process.once(signal, () => {
    endAllGroupsNow();
    process.exit(code);
  });
}

/** SIGTERM a process group we started, then SIGKILL whatever is left of it. */
async function endGroup(pgid) {
  liveGroups.delete(pgid);
  if (groupMembers(pgid).length === 0) return;
  signalGroup(pgid, 'SIGTERM');
  if (!(await waitGroupGone(pgid, 5_000))) {
    signalGroup(pgid, 'SIGKILL');
    await waitGroupGone(pgid, 5_000);
  }
}

async function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Creates an isolated user profile: XDG dirs in a temp dir and a private D-Bus session,
 * with a fresh unlocked gnome-keyring (`keyring: true`) or no Secret Service (`keyring: false`).
 */
export async function createProfile(name, { keyring = true } = {}) {
  const dir = await mkdtemp(join(tmpdir(), `botbat-e2e-${safeName(name)}-`));
  liveDirs.add(dir);
  const env = { ...process.env };
  for (const [key, sub] of [
    ['XDG_DATA_HOME', 'data'],
    ['XDG_CONFIG_HOME', 'config'],
    ['XDG_CACHE_HOME', 'cache'],
  ]) {
    env[key] = join(dir, sub);
    mkdirSync(env[key], { recursive: true });
  }
  env.GDK_BACKEND = 'x11';
  // No accessibility bus on the private session; without this GTK warns on every launch.
  env.NO_AT_BRIDGE ??= '1';
  delete env.WAYLAND_DISPLAY;

  // The bus lives as long as this holder: with-keyring.sh runs `cat` on it, which ends (and with
  // it the keyring daemon and the bus) when we close its stdin.
  const busLog = openSync(join(dir, 'bus.log'), 'a');
  const holder = spawn(
    'bash',
    [
      WITH_KEYRING,
      ...(keyring ? [] : ['--no-keyring']),
      'bash',
      '-c',
      'printf "%s\\n" "$DBUS_SESSION_BUS_ADDRESS"; exec cat >/dev/null',
    ],
    { env: { ...process.env }, detached: true, stdio: ['pipe', 'pipe', busLog] },
  );
  closeSync(busLog);
  liveGroups.add(holder.pid);
  const exited = new Promise((res) => holder.once('exit', (code) => res(code)));
  const firstLine = new Promise((res) => {
    const lines = createInterface({ input: holder.stdout });
    lines.once('line', (line) => {
      res(line.trim());
      lines.close();
      holder.stdout.resume();
    });
  });
  let address;
  try {
    address = await withTimeout(
      Promise.race([
        firstLine,
        exited.then((code) => {
          throw new Error(`with-keyring.sh exited with ${code} before the bus was up`);
        }),
      ]),
      20_000,
      'starting the private D-Bus session',
    );
  } catch (err) {
    await endGroup(holder.pid);
    err.message += `\n${readFileSync(join(dir, 'bus.log'), 'utf8')}`;
    throw err;
  }
  env.DBUS_SESSION_BUS_ADDRESS = address;
  delete env.GNOME_KEYRING_CONTROL;

  return {
    name: safeName(name),
    dir,
    env,
    keyring,
    async dispose() {
      holder.stdin.end();
      await withTimeout(exited, 10_000, 'ending the private D-Bus session').catch(() => endGroup(holder.pid));
      liveGroups.delete(holder.pid);
      if (!process.env.BOTBAT_E2E_KEEP_PROFILES) await rm(dir, { recursive: true, force: true });
      liveDirs.delete(dir);
    },
  };
}

async function waitForDriver(port, driver, logPath) {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (driver.exitCode !== null || driver.signalCode !== null) {
      throw new Error(`tauri-driver exited early; see ${logPath}`);
    }
    try {
      const res = await fetch(`http://127.0.0.1:${port}/status`);
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  throw new Error(`tauri-driver did not answer on port ${port}; see ${logPath}`);
}

/** Screenshot file path for step `n` of test `testName`. */
export function screenshotPath(testName, n, step) {
  return join(OUT_DIR, `${safeName(testName)}-${String(n).padStart(2, '0')}-${safeName(step)}.png`);
}

/** Saves a screenshot of the current window to target/e2e/<test>-<NN>-<step>.png. */
export async function step(browser, testName, n, stepName) {
  mkdirSync(OUT_DIR, { recursive: true });
  const file = screenshotPath(testName, n, stepName);
  // Let the page paint what the test just waited for, so the picture shows it.
  await withTimeout(
    browser.executeAsync((done) => requestAnimationFrame(() => requestAnimationFrame(() => done()))),
    5_000,
    'waiting for a frame',
  ).catch(() => {});
  await withTimeout(browser.saveScreenshot(file), 30_000, `screenshot ${file}`);
  return file;
}

export function byTestId(browser, testId) {
  return browser.$(`[data-testid="${testId}"]`);
}

/** Waits until the element with `testId` is displayed and returns it. */
export async function waitForTestId(browser, testId, { timeout = UI_TIMEOUT_MS } = {}) {
  const el = await byTestId(browser, testId);
  await el.waitForDisplayed({ timeout, timeoutMsg: `[data-testid="${testId}"] not displayed after ${timeout} ms` });
  return el;
}

function textMatcher(expected) {
  if (typeof expected === 'function') return expected;
  if (expected instanceof RegExp) return (text) => expected.test(text);
  return (text) => text.includes(String(expected));
}

/**
 * Waits until the text of the element with `testId` satisfies `expected`
 * (substring, RegExp or predicate) and returns that text.
 */
export async function waitForText(browser, testId, expected, { timeout = UI_TIMEOUT_MS } = {}) {
  const matches = textMatcher(expected);
  const el = await byTestId(browser, testId);
  let last = '<not found>';
  try {
    await browser.waitUntil(
      async () => {
        if (!(await el.isExisting())) return false;
        last = (await el.getText()).trim();
        return matches(last);
      },
      { timeout, interval: 250 },
    );
  } catch {
    throw new Error(`[data-testid="${testId}"] text never matched ${expected}; last text: ${JSON.stringify(last)}`);
  }
  return last;
}

/**
 * Waits until the text of the element with `testId` (whitespace collapsed) satisfies
 * `expected` (substring, RegExp or predicate) and returns it. Reads textContent, so an
 * element that appears only later (a result, a URL once listening) is found when it does.
 */
export async function waitForTextContent(browser, testId, expected, { timeout = UI_TIMEOUT_MS } = {}) {
  const matches =
    typeof expected === 'function'
      ? expected
      : expected instanceof RegExp
        ? (text) => expected.test(text)
        : (text) => text.includes(String(expected));
  let last = '<not found>';
  try {
    await browser.waitUntil(
      async () => {
        last = await browser.execute(
          (id) => document.querySelector(`[data-testid="${id}"]`)?.textContent.replace(/\s+/g, ' ').trim() ?? '<not found>',
          testId,
        );
        return matches(last);
      },
      { timeout, interval: 200 },
    );
  } catch {
    throw new Error(`[data-testid="${testId}"] text never matched ${expected}; last text: ${JSON.stringify(last)}`);
  }
  return last;
}

/** Waits until an attribute of the element with `testId` equals `value`. */
export async function waitForAttribute(browser, testId, name, value, { timeout = UI_TIMEOUT_MS } = {}) {
  const el = await byTestId(browser, testId);
  let last = null;
  try {
    await browser.waitUntil(
      async () => {
        if (!(await el.isExisting())) return false;
        last = await el.getAttribute(name);
        return last === value;
      },
      { timeout, interval: 250 },
    );
  } catch {
    throw new Error(`[data-testid="${testId}"] ${name} never became ${JSON.stringify(value)}; last: ${JSON.stringify(last)}`);
  }
}

/**
 * Resizes the window so its viewport is `width`×`height`, correcting for whatever the window
 * manager (or its absence) adds around the page, and waits until the page sees it. A request
 * made while the window is still settling after launch can be dropped: a request that changed
 * nothing is made again, and one that missed is corrected by what the page reports, until the
 * size holds or the deadline passes.
 */
export async function resizeViewport(browser, width, height, { timeout = UI_TIMEOUT_MS } = {}) {
  const viewport = () => browser.execute(() => [window.innerWidth, window.innerHeight]);
  const deadline = Date.now() + timeout;
  let asked = [width, height];
  let last = await viewport();
  let before = last;
  while (Date.now() < deadline) {
    await browser.setWindowSize(asked[0], asked[1]);
    try {
      await browser.waitUntil(
        async () => {
          last = await viewport();
          return last[0] === width && last[1] === height;
        },
        { timeout: Math.min(2_000, Math.max(deadline - Date.now(), 1)), interval: 100 },
      );
      return;
    } catch {
      const unchanged = last[0] === before[0] && last[1] === before[1];
      if (!unchanged) asked = [asked[0] + (width - last[0]), asked[1] + (height - last[1])];
      before = last;
    }
  }
  throw new Error(`the viewport never became ${width}×${height}; it is ${last[0]}×${last[1]}`);
}

/** Picks `value` in the <select> with `testId` as a user does, and waits for the page to see it. */
export async function choose(browser, testId, value) {
  value = String(value);
  const select = await waitForTestId(browser, testId);
  await select.selectByAttribute('value', value);
  await browser.waitUntil(async () => (await select.getValue()) === value, {
    timeout: UI_TIMEOUT_MS,
    timeoutMsg: `[data-testid="${testId}"] never took ${value}`,
  });
}

/** Waits until nothing with `testId` is left on the page. */
export async function gone(browser, testId) {
  const el = await byTestId(browser, testId);
  await el.waitForExist({ reverse: true, timeout: UI_TIMEOUT_MS, timeoutMsg: `[data-testid="${testId}"] still there` });
}

/** Clicks the element with `testId` once it is displayed and enabled. */
export async function click(browser, testId, { timeout = UI_TIMEOUT_MS } = {}) {
  const el = await waitForTestId(browser, testId, { timeout });
  await el.waitForClickable({ timeout, timeoutMsg: `[data-testid="${testId}"] not clickable after ${timeout} ms` });
  await el.click();
}

/** The first number in a text such as "1,204 requests" or "2.5 %"; NaN when there is none. */
/**
 * The text of the code editor (CodeMirror) with `testId`, read as the user sees it: its
 * lines, joined. The bodies these tests type are short, so every line is on screen.
 */
export async function editorText(browser, testId) {
  return browser.execute(
    (id) =>
      Array.from(document.querySelectorAll(`[data-testid="${id}"] .cm-line`))
        .map((line) => line.textContent)
        .join('\n'),
    testId,
  );
}

/** Waits for the code editor with `testId` to load and returns its text. */
export async function waitForEditor(browser, testId, { timeout = UI_TIMEOUT_MS } = {}) {
  await waitForAttribute(browser, testId, 'data-ready', 'true', { timeout });
  return editorText(browser, testId);
}

/**
 * Types `text` over everything in the code editor with `testId`, as a user does: click into
 * it, select all, type. Resolves once the editor holds exactly `text`.
 */
export async function typeInEditor(browser, testId, text, { timeout = UI_TIMEOUT_MS } = {}) {
  await waitForEditor(browser, testId, { timeout });
  const content = await browser.$(`[data-testid="${testId}"] .cm-content`);
  await content.click();
  await browser.keys(['Control', 'a']);
  // One key pressed and released at a time: `browser.keys(text)` presses every key before
  // releasing any, so a repeated character ("11", "}}") would be one held key.
  const typing = browser.action('key');
  for (const key of text) typing.down(key).up(key);
  await typing.perform();
  let last = '';
  try {
    await browser.waitUntil(
      async () => {
        last = await editorText(browser, testId);
        return last === text;
      },
      { timeout: 10_000, interval: 100 },
    );
  } catch {
    throw new Error(`[data-testid="${testId}"] did not take ${JSON.stringify(text)}; it holds ${JSON.stringify(last)}`);
  }
}

export function firstNumber(text) {
  const m = /-?\d[\d,]*(?:\.\d+)?/.exec(text);
  return m ? Number(m[0].replace(/,/g, '')) : Number.NaN;
}

/**
 * Starts tauri-driver for `profile` and opens a WebDriver session on the app.
 * `application`/`args` default to the botbat-console debug binary.
 */
export async function launch(profile, { label = 'launch', application = APP_BINARY, args = [] } = {}) {
  if (!existsSync(application)) {
    throw new Error(
      `${application} does not exist; build it first: npm --prefix ui run build && cargo build --bin botbat-console`,
    );
  }
  mkdirSync(OUT_DIR, { recursive: true });
  const port = await freePort();
  let nativePort = await freePort();
  while (nativePort === port) nativePort = await freePort();
  const logPath = join(OUT_DIR, `${profile.name}-${safeName(label)}-tauri-driver.log`);
  const log = openSync(logPath, 'w');
  const driver = spawn(
    tauriDriverPath(),
    ['--port', String(port), '--native-port', String(nativePort), '--native-driver', nativeDriverPath()],
    { env: profile.env, detached: true, stdio: ['ignore', log, log] },
  );
  closeSync(log);
  const pgid = driver.pid;
  liveGroups.add(pgid);

  let browser;
  let requestedAt;
  try {
    await waitForDriver(port, driver, logPath);
    requestedAt = performance.now();
    browser = await remote({
      hostname: '127.0.0.1',
      port,
      logLevel: process.env.BOTBAT_E2E_WDIO_LOG ?? 'error',
      connectionRetryCount: 0,
      connectionRetryTimeout: 120_000,
      capabilities: {
        'tauri:options': { application, args },
        'wdio:enforceWebDriverClassic': true,
      },
    });
  } catch (err) {
    await endGroup(pgid);
    err.message += `\n(tauri-driver log: ${logPath})`;
    throw err;
  }

  let closed = false;
  return {
    browser,
    logPath,
    /** performance.now() when the session was requested: the app is spawned from here on. */
    requestedAt,
    /** The process group of tauri-driver, the native driver, the app and its WebKit children. */
    pgid,
    get closed() {
      return closed;
    },
    /**
     * Quits the app the way a user closing its window would (so it can flush state),
     * then ends the WebDriver session and everything tauri-driver started.
     */
    async close() {
      if (closed) return;
      closed = true;
      await withTimeout(browser.closeWindow(), 10_000, 'closeWindow').catch(() => {});
      await withTimeout(browser.deleteSession(), 10_000, 'deleteSession').catch(() => {});
      // Give the app a moment to exit on its own before its driver is stopped.
      const deadline = Date.now() + 5_000;
      while (Date.now() < deadline && appProcesses(pgid, application).length > 0) await sleep(100);
      await endGroup(pgid);
    },
  };
}

function appProcesses(pgid, application) {
  return groupMembers(pgid).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] === application;
    } catch {
      return false;
    }
  });
}

/**
 * Per-test context: one profile, numbered step screenshots, cleanup registered on the test,
 * and the search for leaked secrets once the app has quit (`ctx.secrets`, see secrets.mjs).
 *
 *   const ctx = await e2e(t, 'first-launch');
 *   const app = await ctx.launch();
 *   await ctx.shot(app.browser, 'dashboard');
 */
export async function e2e(t, name, { keyring = true } = {}) {
  const profile = await createProfile(name, { keyring });
  const apps = [];
  const checks = [];
  const cleanups = [];
  let n = 0;
  const ctx = {
    profile,
    async launch(options = {}) {
      const app = await launch(profile, { label: `launch-${apps.length + 1}`, ...options });
      apps.push(app);
      return app;
    },
    async shot(browser, stepName) {
      n += 1;
      return step(browser, name, n, stepName);
    },
    /** The tauri-driver logs (with the app's own stderr) of every launch so far. */
    logFiles() {
      return apps.map((app) => app.logPath);
    },
    /**
     * Registers a check that runs once every app of the test has quit and before the
     * profile is removed, so it sees the profile's files as the app left them on disk.
     * A check that throws fails the test.
     */
    afterClose(check) {
      checks.push(check);
    },
    /**
     * Registers a cleanup (a server to close, a directory to remove) that runs at the end of
     * the test whatever failed before it: after the checks, before the profile is removed.
     * Unlike `t.after`, a failing check cannot skip it and leave a server holding the test
     * process open.
     */
    cleanup(fn) {
      cleanups.push(fn);
    },
  };
  ctx.secrets = secretScan(ctx);
  t.after(async () => {
    const failures = [];
    try {
      for (const app of [...apps].reverse()) {
        if (app.closed) continue;
        // A last picture of whatever state the test ended in (most useful when it failed).
        await withTimeout(ctx.shot(app.browser, 'end'), 10_000, 'screenshot').catch(() => {});
        await app.close();
      }
      for (const check of checks) {
        try {
          await check(ctx);
        } catch (err) {
          failures.push(err);
        }
      }
    } finally {
      for (const fn of cleanups.reverse()) {
        try {
          await fn();
        } catch (err) {
          failures.push(err);
        }
      }
      await profile.dispose();
    }
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, failures.map((e) => e.message).join('\n'));
  });
  return ctx;
}
