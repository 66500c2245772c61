// One process per embedded database: PGlite has no locking of its own, and two processes on one
// data directory would corrupt it. The bot (or a CLI run while the bot is down) holds this lock.
//
// Node has no flock, so the lock is built from atomic file operations. The lock file appears
// whole, with its holder's pid, or not at all: it is a hard link to a file written beforehand, and
// link fails when the name exists. A lock left by a dead process is replaced only by whoever first
// creates (the same way) a takeover file named after that dead pid, and who then finds the same
// dead pid still in the lock; processes finding the same stale lock together cannot both win.
import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DataDirError, prepareDataDir } from './data-dir.ts';

export interface DataDirLock {
  release(): void;
}

export type LockResult = { ok: true; lock: DataDirLock } | { ok: false; heldBy: number };

/** How long to wait for another process that is replacing a stale lock to finish. */
const TAKEOVER_WAIT_MS = 2_000;
/** Takeovers of takeovers: each level needs a process to have died inside the one above. */
const MAX_DEPTH = 8;

/** Throws DataDirError when DATA_DIR is unusable (see prepareDataDir). */
export function lockDataDir(dataDir: string): LockResult {
  const path = join(prepareDataDir(dataDir), 'bot.pid');
  const r = acquire(path, 0);
  if (!r.ok) return r;
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', release);
    try {
      if (readPid(path) === process.pid) rmSync(path);
    } catch {
      /* already gone */
    }
  };
  process.once('exit', release);
  return { ok: true, lock: { release } };
}

function acquire(path: string, depth: number): { ok: true } | { ok: false; heldBy: number } {
  if (depth > MAX_DEPTH) throw new DataDirError(`cannot take the lock ${path}: too many takeover files left by dead processes`);
  const deadline = Date.now() + TAKEOVER_WAIT_MS;
  for (;;) {
    if (createWithPid(path)) return { ok: true };
    const holder = readPid(path);
    if (holder === undefined) continue; // released meanwhile
    if (!isStale(holder)) return { ok: false, heldBy: holder };
    const takeover = `${path}.takeover-${holder}`;
    const t = acquire(takeover, depth + 1);
    if (t.ok) {
      try {
        // Checked again while holding the takeover: another process may have replaced it already.
        if (readPid(path) === holder && isStale(holder)) {
          replaceWithPid(path);
          return { ok: true };
        }
      } finally {
        // Safe to remove: a later holder of this takeover file finds our pid in the lock, not the dead one.
        rmSync(takeover, { force: true });
      }
      continue;
    }
    // Another live process is replacing the stale lock: once it has, the lock names it.
    if (Date.now() > deadline) return { ok: false, heldBy: t.heldBy };
    sleep(5);
  }
}

/** Creates path holding our pid, atomically; false when it exists. */
function createWithPid(path: string): boolean {
  const temp = writeTemp(path);
  try {
    linkSync(temp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new DataDirError(`cannot create the lock ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  } finally {
    rmSync(temp, { force: true });
  }
}

/** Replaces path with a file holding our pid, atomically (readers see the old file or the new one). */
function replaceWithPid(path: string): void {
  const temp = writeTemp(path);
  try {
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}

function writeTemp(path: string): string {
  const temp = `${path}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`;
  let fd: number;
  try {
    fd = openSync(temp, 'wx', 0o600);
  } catch (err) {
    throw new DataDirError(`cannot create the lock ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    writeSync(fd, String(process.pid));
  } finally {
    closeSync(fd);
  }
  return temp;
}

/** The pid in a lock file; 0 for one without a valid pid (left by an older version); undefined if gone. */
function readPid(path: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : 0;
}

/**
 * Its process is gone (killed, crashed). Our own pid counts as stale too: in a container the bot
 * has the same pid at every start, so a lock naming it was left by a previous run.
 */
function isStale(pid: number): boolean {
  if (pid <= 0 || pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'EPERM';
  }
}

const pause = new Int32Array(new SharedArrayBuffer(4));
function sleep(ms: number): void {
  Atomics.wait(pause, 0, 0, ms);
}
