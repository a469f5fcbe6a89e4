// Starts a Botbiz or Botmaker stand-in (`botbat-sandbox botbiz|botmaker`) on a free loopback
// port for one test, with a known first credential, and stops it by its PID.

import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { OUT_DIR, REPO_ROOT } from './app.mjs';

const SANDBOX_BINARY = join(REPO_ROOT, 'target', 'debug', 'botbat-sandbox');
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const READY_MS = 30_000;

/** What each stand-in's first credential looks like, and the variable that sets it. */
const PLATFORMS = {
  botbiz: { env: 'BOTBIZ_STANDIN_KEY', credential: () => `bz_${random(40)}`, title: 'Botbiz' },
};

function random(length) {
  let text = '';
  for (let i = 0; i < length; i += 1) text += ALNUM[randomInt(ALNUM.length)];
  return text;
}

/** Resolves with the stand-in's base URL, its credential and `stop()`. */
export async function startStandin(platform, name) {
  const spec = PLATFORMS[platform];
  if (!spec) throw new Error(`no stand-in for ${platform}`);
  if (!existsSync(SANDBOX_BINARY)) throw new Error(`${SANDBOX_BINARY} not found; build botbat-sandbox first`);
  const dataDir = mkdtempSync(join(tmpdir(), `botbat-e2e-${platform}-`));
  const logPath = join(OUT_DIR, `${name}-${platform}-standin.log`);
  const log = openSync(logPath, 'w');
  const credential = spec.credential();
  const child = spawn(SANDBOX_BINARY, [platform, '--listen', '127.0.0.1:0', '--data-dir', dataDir], {
    env: { ...process.env, [spec.env]: credential },
    stdio: ['ignore', 'pipe', log],
  });
  const exited = new Promise((res) => child.once('exit', (code, signal) => res({ code, signal })));
  const lines = createInterface({ input: child.stdout });
  const ready = new Promise((res) => {
    lines.on('line', (line) => {
      writeSync(log, `${line}\n`);
      const m = new RegExp(`^${spec.title} stand-in ready: (http\\S+)$`).exec(line.trim());
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
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    const baseUrl = await Promise.race([
      ready,
      exited.then(({ code, signal }) => {
        throw new Error(`the ${spec.title} stand-in exited (${code ?? signal}) before it was ready; see ${logPath}`);
      }),
      sleep(READY_MS).then(() => {
        throw new Error(`the ${spec.title} stand-in was not ready after ${READY_MS} ms; see ${logPath}`);
      }),
    ]);
    return { baseUrl, credential, logPath, pid: child.pid, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
