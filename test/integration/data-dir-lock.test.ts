// The embedded database's lock under contention: processes starting together after a crash (a
// stale lock file naming a dead process) must never both get it.
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockDataDir } from '../../src/db/data-dir-lock.ts';

const CONTENDERS = 8;
const ROUNDS = 20;
const root = fileURLToPath(new URL('../..', import.meta.url));
const script = fileURLToPath(new URL('../helpers/lock-contender.ts', import.meta.url));

type Reply = { pid: number; ok: boolean; heldBy?: number; error?: string };

/** The pid of a process that has exited (what a crashed bot leaves in its lock file). */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;

describe('data-directory lock', () => {
  const base = mkdtempSync(join(tmpdir(), 'evidence-lock-'));
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    await Promise.all(
      Array.from({ length: CONTENDERS }, () => {
        const child = fork(script, [], { cwd: root, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        children.push(child);
        return new Promise<void>((resolve, reject) => {
          child.once('message', () => resolve());
          child.once('exit', (code) => reject(new Error(`a contender exited with ${code} before it was ready`)));
        });
      }),
    );
  }, 60_000);

  afterAll(() => {
    for (const child of children) child.disconnect();
    rmSync(base, { recursive: true, force: true });
  });

  it(`has exactly one holder when ${CONTENDERS} processes take over a stale lock at once, ${ROUNDS} rounds in a row`, async () => {
    const rounds: { holders: number; othersNameIt: boolean; errors: string[]; files: string[] }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const dir = mkdtempSync(join(base, `round-${round}-`));
      writeFileSync(join(dir, 'bot.pid'), String(deadPid()), { mode: 0o600 });
      const at = Date.now() + 60;
      const replies = await Promise.all(
        children.map((child) => {
          const reply = new Promise<Reply>((resolve) => child.once('message', (m) => resolve(m as Reply)));
          child.send({ dir, at });
          return reply;
        }),
      );
      // Per round: how many got the lock, whether the others (and the lock file) name the one that
      // did, and any contender that failed outright.
      const winners = replies.filter((r) => r.ok);
      const holder = winners.length === 1 ? winners[0]!.pid : undefined;
      rounds.push({
        holders: winners.length,
        othersNameIt: replies.every((r) => r.ok || r.heldBy === holder) && readFileSync(join(dir, 'bot.pid'), 'utf8') === String(holder),
        errors: replies.flatMap((r) => (r.error ? [r.error] : [])),
        // No temporary or takeover files are left behind.
        files: readdirSync(dir),
      });
    }
    expect(rounds).toEqual(Array(ROUNDS).fill({ holders: 1, othersNameIt: true, errors: [], files: ['bot.pid'] }));
  }, 60_000);

  it('is refused while its holder lives, taken again once released, and taken over from a dead one', () => {
    const dir = mkdtempSync(join(base, 'single-'));
    const first = lockDataDir(dir);
    expect(first.ok).toBe(true);
    // A live holder (the parent of this process stands in for another bot) keeps it.
    writeFileSync(join(dir, 'bot.pid'), String(process.ppid));
    expect(lockDataDir(dir)).toEqual({ ok: false, heldBy: process.ppid });
    writeFileSync(join(dir, 'bot.pid'), String(process.pid));
    if (first.ok) first.lock.release();
    const second = lockDataDir(dir);
    expect(second.ok).toBe(true);
    if (second.ok) second.lock.release();
    writeFileSync(join(dir, 'bot.pid'), String(deadPid()));
    const third = lockDataDir(dir);
    expect(third.ok).toBe(true);
    expect(readFileSync(join(dir, 'bot.pid'), 'utf8')).toBe(String(process.pid));
    if (third.ok) third.lock.release();
  });
});
