// The end-to-end tests' search for leaked secrets, in one place.
//
// Every e2e test gets one (see `e2e()` in app.mjs). Once every app of the test has quit, it
// collects every secret the test saw: the ones the test recorded as the UI showed them
// (`ctx.secrets.saw`), and everything the console keeps in the profile's keychain, which
// includes each environment's management key. It then searches the profile's files (app
// data, preferences, WebKit's storage, SQLite databases with their -wal files), the app's
// logs and any other file the test adds. A search that finds nothing proves nothing unless it
// can find something, so before it looks for the real secrets it plants a canary in each
// kind of place a leak would land (a file in the app data dir and in each XDG dir, a row in
// every SQLite database, held in its write-ahead log, a line in every log) and fails unless
// the same search finds each canary where it was planted.

import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, openSync, readFileSync, readSync, readdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';

/** The console's keychain service (see `KEYCHAIN_SERVICE` in botbat-console-core). */
const KEYCHAIN_SERVICE = 'botbat-console';
/** The app's bundle identifier: its data lives in `$XDG_DATA_HOME/<identifier>`. */
const APP_IDENTIFIER = 'com.botbat.console';
const SECRET_PREFIXES = ['bb_test_', 'bb_live_', 'whsec_'];
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Every regular file under `dir`, recursively; symlinks, sockets and FIFOs are skipped. */
export function filesUnder(dir) {
  const found = [];
  const walk = (current) => {
    let entries;
    try {
      entries = readdirSync(current, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) found.push(path);
    }
  };
  walk(dir);
  return found;
}

/**
 * Looks for each needle in each file's bytes, as UTF-8 and as UTF-16LE (WebKit keeps web
 * storage in UTF-16). Returns `{ file, needle, encoding }` for every hit and the files read.
 */
export function findInFiles(files, needles) {
  const patterns = [];
  for (const needle of new Set(needles)) {
    if (!needle) continue;
    patterns.push({ needle, encoding: 'utf8', bytes: Buffer.from(needle, 'utf8') });
    patterns.push({ needle, encoding: 'utf16le', bytes: Buffer.from(needle, 'utf16le') });
  }
  const hits = [];
  const read = [];
  for (const file of files) {
    let data;
    try {
      data = readFileSync(file);
    } catch {
      continue;
    }
    read.push(file);
    for (const { needle, encoding, bytes } of patterns) {
      if (data.indexOf(bytes) !== -1) hits.push({ file, needle, encoding });
    }
  }
  return { hits, read };
}

/** What to search for: a secret, and its random part alone (it could be stored without the prefix). */
export function needlesOf(secret) {
  const prefix = SECRET_PREFIXES.find((p) => secret.startsWith(p));
  return prefix ? [secret, secret.slice(prefix.length)] : [secret];
}

/**
 * The platform keeps webhook signing secrets to sign with (BotBat does too), so the
 * sandbox's own database may hold a `whsec_` secret; nothing else may hold any secret.
 */
function allowedIn(file, secret) {
  return secret.startsWith('whsec_') && /^sandbox\.sqlite(-wal|-shm)?$/.test(basename(file));
}

function secretTool(profile, args) {
  const run = spawnSync('secret-tool', args, { env: profile.env, encoding: 'utf8', timeout: 20_000 });
  if (run.error) throw new Error(`secret-tool could not run (package libsecret-tools): ${run.error.message}`);
  return run.stdout;
}

/**
 * Every secret the console keeps in the profile's keychain (management keys, kept API keys
 * and signing secrets), read with `secret-tool` on the profile's own D-Bus session.
 */
export function keychainSecrets(profile) {
  if (!profile.keyring) return [];
  return secretTool(profile, ['search', '--all', 'service', KEYCHAIN_SERVICE])
    .split('\n')
    .filter((line) => line.startsWith('secret = '))
    .map((line) => line.slice('secret = '.length))
    .filter((value) => value && !isKeptIndex(value));
}

/**
 * The keychain also holds the console's indexes of kept secrets (`…/api-keys/index`,
 * `…/webhook-secrets/index`, see kept.rs): JSON lists of ids, not secrets, that may be as
 * short as `[]`. Every other entry (keys, signing secrets, the inspector's credential key)
 * is looked for on disk.
 */
function isKeptIndex(value) {
  if (!value.startsWith('[')) return false;
  try {
    return Array.isArray(JSON.parse(value));
  } catch {
    return false;
  }
}

/** The management key the console keeps for `environment`, or '' when it keeps none. */
export function managementKey(profile, environment) {
  if (!profile.keyring) return '';
  return secretTool(profile, ['lookup', 'service', KEYCHAIN_SERVICE, 'username', `${environment}/management-key`]).trim();
}

function isSqlite(file) {
  const header = Buffer.alloc(16);
  let fd;
  try {
    fd = openSync(file, 'r');
    return readSync(fd, header, 0, 16, 0) === 16 && header.toString('latin1') === 'SQLite format 3\0';
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A value shaped like a key, random, that no real secret will ever equal. */
function canaryValue() {
  return `bb_test_${[...randomBytes(32)].map((b) => BASE62[b % 62]).join('')}`;
}

// Inserts one canary per database and keeps every connection open (checkpoints off) until its
// stdin closes, so in a WAL database the canary lives only in the -wal file while the search runs.
const PLANT_ROWS = `
import json, sqlite3, sys
planted = []
connections = []
for path, value in json.loads(sys.argv[1]):
    try:
        db = sqlite3.connect(path, isolation_level=None, timeout=10)
        db.execute("PRAGMA wal_autocheckpoint = 0")
        mode = db.execute("PRAGMA journal_mode").fetchone()[0]
        db.execute("CREATE TABLE IF NOT EXISTS secret_scan_canary (value TEXT)")
        db.execute("INSERT INTO secret_scan_canary (value) VALUES (?)", (value,))
        connections.append(db)
        planted.append({"path": path, "mode": mode})
    except Exception as error:
        planted.append({"path": path, "error": str(error)})
print(json.dumps(planted), flush=True)
sys.stdin.read()
`;

async function plantRows(databases) {
  const child = spawn('python3', ['-c', PLANT_ROWS, JSON.stringify(databases)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
  const line = await Promise.race([
    new Promise((resolveLine) => createInterface({ input: child.stdout }).once('line', resolveLine)),
    exited.then((code) => {
      throw new Error(`planting canary rows failed (python3 exited with ${code})`);
    }),
  ]);
  return {
    planted: JSON.parse(line),
    async release() {
      child.stdin.end();
      await exited;
    },
  };
}

/**
 * Registers the secret search on an e2e context (`ctx.afterClose`) and returns what the test
 * tells it: `saw(secret)` for a secret the UI showed, `addLog(file)` and `addDir(dir)` for
 * more places to search, `onStop(fn)` for something to end (a server) before the search.
 */
export function secretScan(ctx) {
  const seen = new Set();
  const logs = [];
  const dirs = [];
  const stops = [];
  const scan = {
    saw(secret) {
      if (!secret || secret.length < 20) throw new Error(`not a whole secret: ${JSON.stringify(secret?.slice(0, 8))}…`);
      seen.add(secret);
      return secret;
    },
    addLog(file) {
      logs.push(file);
    },
    addDir(dir) {
      dirs.push(dir);
    },
    onStop(fn) {
      stops.push(fn);
    },
  };
  ctx.afterClose(async () => {
    for (const stop of stops.reverse()) await stop();
    if (ctx.logFiles().length === 0) return; // The app never started: it wrote nothing.
    const { profile } = ctx;

    const kept = keychainSecrets(profile);
    if (profile.keyring) {
      const sandboxKey = managementKey(profile, 'sandbox');
      if (!sandboxKey.startsWith('bb_test_') || !kept.includes(sandboxKey)) {
        throw new Error(`the sandbox's management key was not read from the profile's keychain (${kept.length} secrets there)`);
      }
    }
    const secrets = new Set([...seen, ...kept]);

    // 1. Canaries where leaks would land, then the search must find every one of them.
    const where = () => [
      ...filesUnder(profile.dir),
      ...[...ctx.logFiles(), ...logs].filter((f) => existsSync(f)),
      ...dirs.flatMap((d) => filesUnder(d)),
    ];
    const canaries = [];
    const appData = join(profile.env.XDG_DATA_HOME, APP_IDENTIFIER);
    if (!existsSync(appData)) throw new Error(`the app data dir ${appData} does not exist: the search would miss it`);
    for (const dir of [appData, profile.env.XDG_DATA_HOME, profile.env.XDG_CONFIG_HOME, profile.env.XDG_CACHE_HOME]) {
      const value = canaryValue();
      const file = join(dir, 'secret-scan-canary.txt');
      writeFileSync(file, `${value}\n`);
      canaries.push({ value, expectIn: file, what: `a file in ${dir}` });
    }
    for (const file of [...ctx.logFiles(), ...logs].filter((f) => existsSync(f))) {
      const value = canaryValue();
      appendFileSync(file, `secret scan canary: ${value}\n`);
      canaries.push({ value, expectIn: file, what: `a line in the log ${file}` });
    }
    const databases = where().filter(isSqlite);
    if (!databases.some((f) => basename(f) === 'sandbox.sqlite')) {
      throw new Error(`the embedded sandbox's database is not among the files searched: ${databases.join(', ')}`);
    }
    for (const dir of dirs) {
      if (!databases.some((f) => f.startsWith(dir))) throw new Error(`no SQLite database under ${dir}: the search would miss it`);
    }
    const values = databases.map(() => canaryValue());
    const rows = await plantRows(databases.map((db, i) => [db, values[i]]));
    try {
      for (const [i, planted] of rows.planted.entries()) {
        if (planted.error) throw new Error(`could not plant a canary row in ${planted.path}: ${planted.error}`);
        const wal = planted.mode.toLowerCase() === 'wal';
        canaries.push({
          value: values[i],
          expectIn: wal ? `${planted.path}-wal` : planted.path,
          what: `a row in ${planted.path}${wal ? ', in its write-ahead log' : ''}`,
        });
      }
      const files = where();
      const canaryHits = findInFiles(files, canaries.map((c) => c.value)).hits;
      const missed = canaries.filter((c) => !canaryHits.some((h) => h.needle === c.value && h.file === c.expectIn));
      if (missed.length > 0) {
        throw new Error(`the secret search cannot find what was planted, so it proves nothing: ${missed.map((c) => c.what).join('; ')}`);
      }

      // 2. The real secrets, in the same files.
      const leaks = [];
      for (const secret of secrets) {
        const { hits } = findInFiles(files, needlesOf(secret));
        for (const hit of hits) {
          if (!allowedIn(hit.file, secret)) leaks.push(`${hit.file}: ${hit.needle.slice(0, 12)}… (${hit.encoding})`);
        }
      }
      if (leaks.length > 0) {
        throw new Error(`secrets on disk (searched ${files.length} files for ${secrets.size} secrets):\n${leaks.join('\n')}`);
      }
    } finally {
      await rows.release();
    }
  });
  return scan;
}
