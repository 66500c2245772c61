// An append-only journal on local disk: one line per record, written with a single write() before
// the caller goes on. A killed process loses nothing written (the kernel holds the data), the same
// guarantee as the embedded database with fsync off; a power cut may lose the last lines. Each
// process writes its own file (host.pid.ndjson); a process starting on the same host claims the
// files of processes that are no longer running (services/command-inbox.ts replays them).
import { closeSync, existsSync, fstatSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export interface Journal {
  readonly path: string;
  /** Writes the record as one line before returning; returns the line (JSON, without its newline). */
  append(record: object): string;
  /**
   * A record whose loss in a crash is harmless (it only saves work on replay): written with the
   * next append(), or within `LAZY_FLUSH_MS`, instead of costing a write of its own now.
   */
  appendLazily(record: object): void;
  /** Bytes written since the file was last emptied. */
  size(): number;
  /** Empties the file: call when nothing in it is still pending. */
  truncate(): void;
  /** Closes and removes the file (a clean shutdown with nothing pending). */
  close(options?: { remove?: boolean }): void;
}

export const LAZY_FLUSH_MS = 100;

const host = () => hostname().replace(/[^A-Za-z0-9_-]/g, '_') || 'host';

export function openJournal(dir: string): Journal {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `${host()}.${process.pid}.ndjson`);
  // The text of a command may be personal data: readable by the bot's user only.
  const fd = openSync(path, 'a', 0o600);
  let bytes = fstatSync(fd).size;
  let open = true;
  let lazy = '';
  let flushTimer: NodeJS.Timeout | undefined;
  const write = (text: string) => {
    writeSync(fd, text);
    bytes += Buffer.byteLength(text);
  };
  const flush = () => {
    clearTimeout(flushTimer);
    flushTimer = undefined;
    if (!lazy || !open) return;
    const text = lazy;
    lazy = '';
    write(text);
  };
  return {
    path,
    append(record) {
      const line = JSON.stringify(record);
      const text = `${lazy}${line}\n`;
      lazy = '';
      clearTimeout(flushTimer);
      flushTimer = undefined;
      write(text);
      return line;
    },
    appendLazily(record) {
      lazy += `${JSON.stringify(record)}\n`;
      flushTimer ??= setTimeout(flush, LAZY_FLUSH_MS).unref();
    },
    size: () => bytes + Buffer.byteLength(lazy),
    truncate() {
      clearTimeout(flushTimer);
      flushTimer = undefined;
      lazy = '';
      if (!open || bytes === 0) return;
      ftruncateSync(fd, 0);
      bytes = 0;
    },
    close(options = {}) {
      if (!open) return;
      flush();
      open = false;
      closeSync(fd);
      if (options.remove) rmSync(path, { force: true });
    },
  };
}

function alive(pid: number): boolean {
  // Our own PID on a file we have not opened yet is an earlier process's (containers reuse PIDs).
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface Orphan {
  /** The claimed file (renamed so no other process claims it too); remove it once replayed. */
  path: string;
  records: unknown[];
}

/**
 * Call before openJournal. The journals this host's dead processes left behind, each claimed by renaming it to
 * `….claimed-<our pid>` (a rename either wins or finds the file gone). Also re-claims files that a
 * process died while replaying. Lines that do not parse (a write cut short) are skipped.
 */
export function claimOrphans(dir: string): Orphan[] {
  if (!existsSync(dir)) return [];
  const mine = host();
  const out: Orphan[] = [];
  for (const name of readdirSync(dir)) {
    const m = /^(.+)\.(\d+)\.ndjson(?:\.claimed-(\d+))?$/.exec(name);
    if (!m || m[1] !== mine) continue;
    const owner = Number(m[3] ?? m[2]);
    if (alive(owner)) continue;
    const claimed = join(dir, `${m[1]}.${m[2]}.ndjson.claimed-${process.pid}`);
    try {
      renameSync(join(dir, name), claimed);
    } catch {
      continue; // someone else claimed it first
    }
    const records: unknown[] = [];
    for (const line of readFileSync(claimed, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        records.push(JSON.parse(line));
      } catch {
        /* a line cut short by the crash */
      }
    }
    out.push({ path: claimed, records });
  }
  return out;
}
