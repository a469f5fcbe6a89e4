// The Debian package as a user's machine gets it. scripts/test-package.sh unpacks the .deb
// with `dpkg-deb -x` into a temporary root (nothing is installed on this machine) and runs
// this file through scripts/e2e.sh. Here: the declared dependencies cover every library the
// binaries link, the desktop entry and its icons, the command-line tools answer --help (the
// receiver, which takes only its flags, starts and answers), and
// the packaged console, launched on an empty profile, shows the dashboard with sandbox
// figures in a window that fits a 1366×768 laptop screen and a 2560×1440 one.
//
// Environment (set by scripts/test-package.sh): BOTBAT_PACKAGE_DEB, the .deb;
// BOTBAT_PACKAGE_ROOT, where it is unpacked.

import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import {
  OUT_DIR,
  REPO_ROOT,
  byTestId,
  e2e,
  firstNumber,
  step,
  waitForTestId,
  waitForText,
} from '../e2e/lib/app.mjs';

const DEB = process.env.BOTBAT_PACKAGE_DEB;
const ROOT = process.env.BOTBAT_PACKAGE_ROOT;
if (!DEB || !ROOT) throw new Error('run through scripts/test-package.sh (BOTBAT_PACKAGE_DEB, BOTBAT_PACKAGE_ROOT)');

const TEST_TIMEOUT_MS = 240_000;
const CONFIG = JSON.parse(readFileSync(join(REPO_ROOT, 'tauri.conf.json'), 'utf8'));
const WINDOW = CONFIG.app.windows[0];
const CONSOLE = join(ROOT, 'usr', 'bin', 'botbat-console');
// The tools checked with --help; botbat-receiver is started and sent a request instead (below).
const TOOLS = ['botbat-sandbox'];
if (existsSync(join(REPO_ROOT, 'crates', 'botbat-cli', 'Cargo.toml'))) TOOLS.push('botbat');
const SHIPPED = ['botbat-console', 'botbat-receiver', ...TOOLS];

function field(name) {
  return execFileSync('dpkg-deb', ['--field', DEB, name], { encoding: 'utf8' }).trim();
}

/** "a (>= 1), b | c" -> ["a (>= 1)", "b | c"] */
function relations(text) {
  return text
    .split(',')
    .map((s) => s.trim().replace(/\s+/g, ' '))
    .filter(Boolean);
}

const packageName = (relation) => relation.split(/[\s(|]/)[0];

test('the package declares every library its binaries link, and no build tool', () => {
  const depends = relations(field('Depends'));
  const names = new Set(depends.map(packageName));
  for (const needed of ['libwebkit2gtk-4.1-0', 'libgtk-3-0']) {
    assert.ok(names.has(needed), `Depends lacks ${needed}: ${depends.join(', ')}`);
  }
  assert.deepEqual(
    [...names].filter((n) => n.endsWith('-dev')),
    [],
    'a development package in Depends',
  );
  assert.ok(relations(field('Recommends')).map(packageName).includes('gnome-keyring'), 'Recommends gnome-keyring');

  // What the unpacked binaries need, read afresh from their ELF headers: each must be
  // declared, with the same minimum version.
  const binaries = readdirSync(join(ROOT, 'usr', 'bin')).map((b) => join(ROOT, 'usr', 'bin', b));
  const work = mkdtempSync(join(tmpdir(), 'botbat-shlibdeps-'));
  try {
    mkdirSync(join(work, 'debian'));
    writeFileSync(join(work, 'debian', 'control'), '');
    const out = spawnSync('dpkg-shlibdeps', ['-O', ...binaries.map((b) => `-e${b}`)], { cwd: work, encoding: 'utf8' });
    assert.equal(out.status, 0, `dpkg-shlibdeps failed: ${out.stderr}`);
    const needed = relations(out.stdout.trim().replace(/^shlibs:Depends=/, ''));
    assert.ok(needed.some((r) => packageName(r) === 'libc6'), `dpkg-shlibdeps found too little: ${needed}`);
    const missing = needed.filter((r) => !depends.includes(r));
    assert.deepEqual(missing, [], `linked but not declared (Depends: ${depends.join(', ')})`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test('the package installs the console and its command-line tools in /usr/bin', () => {
  const bin = readdirSync(join(ROOT, 'usr', 'bin')).sort();
  assert.deepEqual(bin, [...SHIPPED].sort());
  assert.equal(field('Package'), 'botbat-console');
  assert.equal(field('Version'), CONFIG.version);
  assert.equal(basename(DEB), `botbat-console_${CONFIG.version}_amd64.deb`);
  assert.ok(Number(field('Installed-Size')) > 0, 'Installed-Size');
});

function desktopEntry() {
  const dir = join(ROOT, 'usr', 'share', 'applications');
  const files = readdirSync(dir).filter((f) => f.endsWith('.desktop'));
  assert.equal(files.length, 1, `one desktop entry: ${files}`);
  const path = join(dir, files[0]);
  const entry = {};
  let section = '';
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const header = /^\[(.+)\]$/.exec(line.trim());
    if (header) section = header[1];
    else if (section === 'Desktop Entry' && line.includes('=')) {
      entry[line.slice(0, line.indexOf('=')).trim()] = line.slice(line.indexOf('=') + 1).trim();
    }
  }
  return { path, entry };
}

test('the desktop entry launches the console under its name, with its icon', () => {
  const { path, entry } = desktopEntry();
  const validate = spawnSync('desktop-file-validate', [path], { encoding: 'utf8' });
  assert.equal(validate.status, 0, `desktop-file-validate: ${validate.stdout}${validate.stderr}`);
  assert.equal(entry.Type, 'Application');
  assert.equal(entry.Name, CONFIG.productName);
  assert.equal(entry.Exec.split(/\s+/)[0], 'botbat-console');
  assert.equal(entry.Terminal, 'false');
  assert.ok(entry.Comment?.length > 10, `Comment: ${entry.Comment}`);
  assert.ok(entry.Categories.split(';').includes('Development'), `Categories: ${entry.Categories}`);
  const hicolor = join(ROOT, 'usr', 'share', 'icons', 'hicolor');
  const sizes = readdirSync(hicolor).filter((size) => existsSync(join(hicolor, size, 'apps', `${entry.Icon}.png`)));
  for (const size of ['32x32', '128x128', '256x256@2']) {
    assert.ok(sizes.includes(size), `icon ${entry.Icon}.png at ${size} (have ${sizes})`);
  }
});

for (const tool of TOOLS) {
  test(`${tool} --help answers from the package`, () => {
    const out = spawnSync(join(ROOT, 'usr', 'bin', tool), ['--help'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(out.status, 0, `${tool} --help exited ${out.status}: ${out.stderr}`);
    assert.match(out.stdout, new RegExp(`Usage: ${tool}\\b`));
  });
}

test('botbat-receiver from the package starts and answers on loopback', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'botbat-receiver-'));
  const receiver = spawn(join(ROOT, 'usr', 'bin', 'botbat-receiver'), ['--listen', '127.0.0.1:0', '--db', join(dir, 'inspector.sqlite')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => {
    receiver.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  let output = '';
  receiver.stdout.on('data', (chunk) => (output += chunk));
  receiver.stderr.on('data', (chunk) => (output += chunk));
  const deadline = Date.now() + 30_000;
  let url;
  while (!(url = /receiver ready: (http:\/\/\S+)/.exec(output)?.[1])) {
    assert.ok(receiver.exitCode === null, `botbat-receiver exited ${receiver.exitCode}: ${output}`);
    assert.ok(Date.now() < deadline, `botbat-receiver not ready after 30 s: ${output}`);
    await sleep(50);
  }
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"event":"package.test"}' });
  assert.equal(res.status, 200, `POST ${url}: ${res.status}`);
});

// --- The window, on a screen of a given size ------------------------------------------------

/** A private Xvfb screen of `width`×`height`; Xvfb picks a free display itself. */
async function startScreen(width, height) {
  mkdirSync(OUT_DIR, { recursive: true });
  const log = openSync(join(OUT_DIR, `xvfb-${width}x${height}.log`), 'w');
  const xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', `${width}x${height}x24`, '-nolisten', 'tcp'], {
    stdio: ['ignore', log, log, 'pipe'],
  });
  closeSync(log);
  let number = '';
  xvfb.stdio[3].on('data', (chunk) => (number += chunk));
  const deadline = Date.now() + 20_000;
  while (!/\d+\s/.test(number)) {
    if (Date.now() > deadline || xvfb.exitCode !== null) {
      xvfb.kill();
      throw new Error(`Xvfb did not start; see ${join(OUT_DIR, `xvfb-${width}x${height}.log`)}`);
    }
    await sleep(50);
  }
  return {
    display: `:${number.trim()}`,
    async stop() {
      xvfb.kill();
      if (xvfb.exitCode === null) await new Promise((res) => xvfb.once('exit', res));
    },
  };
}

/** The console's top-level window as the X server sees it: title, class, geometry. */
function consoleWindow(display) {
  const tree = execFileSync('xwininfo', ['-display', display, '-root', '-children'], { encoding: 'utf8' });
  const windows = [];
  const pattern = /^\s*(0x[0-9a-f]+) "(.*)": \("([^"]*)" "([^"]*)"\)\s+(\d+)x(\d+)\+(-?\d+)\+(-?\d+)/;
  for (const line of tree.split('\n')) {
    const m = pattern.exec(line);
    if (!m) continue;
    const [, id, title, instance, cls, w, h, x, y] = m;
    const info = execFileSync('xwininfo', ['-display', display, '-id', id], { encoding: 'utf8' });
    if (!info.includes('IsViewable')) continue;
    windows.push({ id, title, instance, cls, width: +w, height: +h, x: +x, y: +y });
  }
  assert.equal(windows.length, 1, `one mapped top-level window: ${JSON.stringify(windows)}\n${tree}`);
  const [window] = windows;
  return window;
}

/** Where an element sits in the page, and the page's size. */
async function placement(browser, testId) {
  return browser.execute((id) => {
    const r = document.querySelector(`[data-testid="${id}"]`)?.getBoundingClientRect();
    return { top: r?.top, bottom: r?.bottom, left: r?.left, right: r?.right, width: innerWidth, height: innerHeight };
  }, testId);
}

async function onScreen(t, width, height) {
  const screen = await startScreen(width, height);
  t.after(() => screen.stop());
  const ctx = await e2e(t, `package-${width}x${height}`);
  ctx.profile.env.DISPLAY = screen.display;
  const { browser } = await ctx.launch({ application: CONSOLE });

  await waitForTestId(browser, 'panel-dashboard');
  const keys = await waitForText(browser, 'dashboard-api-keys', (s) => firstNumber(s) >= 1);
  assert.ok(firstNumber(keys) >= 1, `the embedded sandbox's key is counted: ${keys}`);
  await waitForText(browser, 'dashboard-requests', (s) => Number.isFinite(firstNumber(s)));
  await waitForText(browser, 'env-badge', 'SANDBOX');
  await step(browser, `package-${width}x${height}`, 1, 'dashboard');
  execFileSync('import', ['-display', screen.display, '-window', 'root', join(OUT_DIR, `package-${width}x${height}-02-screen.png`)]);

  const window = consoleWindow(screen.display);
  assert.equal(window.title, WINDOW.title);
  // A desktop shows the window under the entry whose StartupWMClass is its WM_CLASS, with
  // that entry's name and icon.
  const { entry } = desktopEntry();
  assert.ok(
    [window.instance, window.cls].includes(entry.StartupWMClass),
    `the desktop entry's StartupWMClass ${entry.StartupWMClass} matches WM_CLASS ${window.instance}/${window.cls}`,
  );
  assert.ok(
    window.x >= 0 && window.y >= 0 && window.x + window.width <= width && window.y + window.height <= height,
    `the window ${window.width}×${window.height}+${window.x}+${window.y} is inside the ${width}×${height} screen`,
  );
  assert.ok(window.width >= WINDOW.minWidth && window.height >= WINDOW.minHeight, 'at least the minimum size');

  // The header and the panel's content are in view.
  const header = await placement(browser, 'env-badge');
  assert.ok(header.top >= 0 && header.bottom <= header.height, `header in view: ${JSON.stringify(header)}`);
  const figures = await placement(browser, 'dashboard-api-keys');
  assert.ok(figures.top >= 0 && figures.bottom <= figures.height, `figures in view: ${JSON.stringify(figures)}`);
  assert.ok(await (await byTestId(browser, 'dashboard-api-keys')).isDisplayed());
  return window;
}

test('on a 1366×768 screen the packaged console fits and shows sandbox figures', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const window = await onScreen(t, 1366, 768);
  assert.ok(window.height < WINDOW.height, `shrunk to the screen: ${window.height}`);
});

test('on a 2560×1440 screen the packaged console opens at its configured size, centred', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const window = await onScreen(t, 2560, 1440);
  assert.deepEqual([window.width, window.height], [WINDOW.width, WINDOW.height]);
  assert.ok(Math.abs(window.x - (2560 - window.width) / 2) <= 1, `centred horizontally: x ${window.x}`);
  assert.ok(Math.abs(window.y - (1440 - window.height) / 2) <= 1, `centred vertically: y ${window.y}`);
});
