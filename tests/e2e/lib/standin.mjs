// Starts a platform stand-in on a free loopback port for one test, with a known first
// credential, and stops it by its PID: BotBat production (`botbat-sandbox --live`), Botbiz
// (`botbat-sandbox botbiz`) or Botmaker (`botbat-sandbox botmaker`).

import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { OUT_DIR, REPO_ROOT } from './app.mjs';

const SANDBOX_BINARY =
  process.env.BOTBAT_SANDBOX_BIN ?? join(REPO_ROOT, 'target', 'debug', 'botbat-sandbox');
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const READY_MS = 30_000;

/**
 * How each stand-in is started, what its first credential looks like, the variable that sets
 * it, and the line it prints once it serves.
 */
const PLATFORMS = {
  live: {
    args: ['--live', '--plan', 'professional'],
    env: 'BOTBAT_SANDBOX_ADMIN_KEY',
    credential: () => `bb_live_${random(32)}`,
    title: 'botbat-sandbox --live',
    ready: /^BotBat sandbox ready: (http\S+)$/,
  },
  botbiz: {
    args: ['botbiz'],
    env: 'BOTBIZ_STANDIN_KEY',
    credential: () => `bz_${random(40)}`,
    title: 'The Botbiz stand-in',
    ready: /^Botbiz stand-in ready: (http\S+)$/,
  },
  botmaker: {
    args: ['botmaker'],
    env: 'BOTMAKER_STANDIN_TOKEN',
    credential: () => random(48),
    title: 'The Botmaker stand-in',
    ready: /^Botmaker stand-in ready: (http\S+)$/,
  },
};

function random(length) {
  let text = '';
  for (let i = 0; i < length; i += 1) text += ALNUM[randomInt(ALNUM.length)];
  return text;
}

/**
 * Resolves with the stand-in's base URL, its credential, its data dir and `stop()`. `stop()`
 * removes the data dir unless `keepDataDir` is set (for a secret scan of it after the stop).
 */
export async function startStandin(platform, name, { keepDataDir = false } = {}) {
  const spec = PLATFORMS[platform];
  if (!spec) throw new Error(`no stand-in for ${platform}`);
  if (!existsSync(SANDBOX_BINARY)) throw new Error(`${SANDBOX_BINARY} not found; build botbat-sandbox first`);
  const dataDir = mkdtempSync(join(tmpdir(), `botbat-e2e-${platform}-`));
  const logPath = join(OUT_DIR, `${name}-${platform}-standin.log`);
  const log = openSync(logPath, 'w');
  const credential = spec.credential();
  const child = spawn(SANDBOX_BINARY, [...spec.args, '--listen', '127.0.0.1:0', '--data-dir', dataDir], {
    env: { ...process.env, [spec.env]: credential },
    stdio: ['ignore', 'pipe', log],
  });
  const exited = new Promise((res) => child.once('exit', (code, signal) => res({ code, signal })));
  const lines = createInterface({ input: child.stdout });
  const ready = new Promise((res) => {
    lines.on('line', (line) => {
      writeSync(log, `${line}\n`);
      const m = spec.ready.exec(line.trim());
      if (m) res(m[1]);
    });
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const gone = await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)]);
      if (!gone) {
        child.kill('SIGKILL');
        await exited;
      }
    }
    lines.close();
    closeSync(log);
    if (!keepDataDir) rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    const baseUrl = await Promise.race([
      ready,
      exited.then(({ code, signal }) => {
        throw new Error(`${spec.title} exited (${code ?? signal}) before it was ready; see ${logPath}`);
      }),
      sleep(READY_MS).then(() => {
        throw new Error(`${spec.title} was not ready after ${READY_MS} ms; see ${logPath}`);
      }),
    ]);
    return { baseUrl, credential, dataDir, logPath, pid: child.pid, stop };
  } catch (err) {
    await stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}
