// DATA_DIR holds the embedded database, its lock and exports of people's evidence: only the bot's
// own user may read or write any of it. Checked when the lock is taken, tightened when the database opens.
import { accessSync, chmodSync, closeSync, constants, fchmodSync, lstatSync, mkdirSync, openSync, readdirSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isMainThread } from 'node:worker_threads';

/** DATA_DIR cannot be used safely; the message names the path and is meant for the operator. */
export class DataDirError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataDirError';
  }
}

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOTDIR: 'a parent is not a directory',
  ENOSPC: 'no space left on the device',
  ELOOP: 'too many symbolic links',
};
const reason = (err: unknown) => {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  return REASONS[code] ?? (code || (err as Error).message);
};
const octal = (mode: number) => `0${(mode & 0o777).toString(8)}`;

/**
 * Makes files created from here on owner-only, creates DATA_DIR (0700) when missing, and refuses
 * one that is not a directory, cannot be written, or that other users could write into (they
 * could then replace the database or plant files). Returns the absolute path.
 */
export function prepareDataDir(dataDir: string): string {
  const dir = resolve(dataDir);
  // Process-wide, and only the main thread may set it; whatever the caller had, no group/other bits.
  if (isMainThread) process.umask(process.umask(0o077) | 0o077);
  let st: Stats;
  try {
    st = statSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new DataDirError(`DATA_DIR ${dir} cannot be used (${reason(err)})`);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      st = statSync(dir);
    } catch (mkdirErr) {
      throw new DataDirError(`DATA_DIR ${dir} cannot be created (${reason(mkdirErr)})`);
    }
  }
  if (!st.isDirectory()) throw new DataDirError(`DATA_DIR ${dir} is not a directory`);
  if (st.mode & 0o022) {
    throw new DataDirError(`DATA_DIR ${dir} is writable by other users (mode ${octal(st.mode)}); make it private with: chmod 700 ${dir}`);
  }
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (err) {
    throw new DataDirError(`DATA_DIR ${dir} cannot be written by this user (${reason(err)})`);
  }
  // Readable by others (an older install's 0755): closed at once, before anything else is written.
  if (st.mode & 0o077) makePrivate(dir, st.mode & 0o700);
  return dir;
}

function makePrivate(path: string, mode: number): void {
  try {
    chmodSync(path, mode);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // removed meanwhile
    throw new DataDirError(`${path} in DATA_DIR cannot be made private (${reason(err)})`);
  }
}

/**
 * Takes group and other permissions off everything under dir (symbolic links are not followed):
 * an older install's files, and those PostgreSQL writes with modes of its own (a new database's
 * as 0666, its relation cache as 0644, past the umask), become 0700 folders and 0600 files.
 */
export function makeOwnerOnly(dir: string): void {
  const visit = (path: string, st: Stats) => {
    if (st.mode & 0o077) makePrivate(path, st.mode & 0o700);
    if (!st.isDirectory()) return;
    let names: string[];
    try {
      names = readdirSync(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new DataDirError(`${path} in DATA_DIR cannot be read (${reason(err)})`);
    }
    for (const name of names) {
      const child = join(path, name);
      let childSt: Stats;
      try {
        childSt = lstatSync(child);
      } catch {
        continue; // removed meanwhile
      }
      if (!childSt.isSymbolicLink()) visit(child, childSt);
    }
  };
  visit(dir, statSync(dir));
}

/** Writes a file only its owner can read or write (an export of someone's evidence). */
export function writeOwnerOnlyFile(path: string, content: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const fd = openSync(path, 'w', 0o600);
  try {
    // The mode given to open applies to a new file only; one written before keeps its own.
    fchmodSync(fd, 0o600);
    writeFileSync(fd, content);
  } finally {
    closeSync(fd);
  }
}
