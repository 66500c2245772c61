// Everything under DATA_DIR (the embedded database, exports of people's evidence, the lock) is the
// bot's user's alone, whatever umask it was started with; a DATA_DIR other users could write into,
// or one that is not a usable directory, stops the start with one line naming it.
import { spawn } from 'node:child_process';
import { chmodSync, cpSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { runCliCommand, type CliDeps } from '../../src/cli/commands.ts';
import { lockDataDir } from '../../src/db/data-dir-lock.ts';
import { openDatabase } from '../../src/db/database.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const base = mkdtempSync(join(tmpdir(), 'evidence-perms-'));
let n = 0;
const freshDir = () => join(base, `case-${n++}`);

/** Every path under dir whose mode is not 0700 (folders) or 0600 (files), with its mode. */
function notOwnerOnly(dir: string): string[] {
  const bad: string[] = [];
  const visit = (path: string) => {
    const st = lstatSync(path);
    if (st.isSymbolicLink() || st.isSocket()) return;
    const want = st.isDirectory() ? 0o700 : 0o600;
    if ((st.mode & 0o777) !== want) bad.push(`${path.slice(dir.length) || '/'} ${(st.mode & 0o777).toString(8)}`);
    if (st.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  visit(dir);
  return bad;
}

/** Loosens everything under dir the way an older install (or a copy made under umask 0) left it. */
function loosen(dir: string) {
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const path = join(dir, name);
    chmodSync(path, statSync(path).isDirectory() ? 0o777 : 0o666);
  }
}

/** An export through the CLI verb, with a stand-in for the portfolio service. */
async function exportTo(exportDir: string, out: string[] = []): Promise<number> {
  const deps = {
    services: { exportPortfolio: async () => ({ fileName: 'portfolio-lee.csv', content: 'criterion,evidence\n1.1,Kept Sam informed\n', criteria: 1 }) },
    out: (line: string) => void out.push(line),
    exportDir,
    jobs: [],
  } as unknown as CliDeps;
  return runCliCommand(['export', 'U0LEARN1'], deps);
}

describe('DATA_DIR permissions', () => {
  let umask: number;
  beforeEach(() => {
    // The loosest umask: any mode the code asks for is granted as it is.
    umask = process.umask(0o000);
  });
  afterEach(() => {
    process.umask(umask);
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('creates a new embedded database, its tables, the lock and exports as 0700 folders and 0600 files under umask 000', async () => {
    const dataDir = freshDir();
    const first = await openDatabase({ dataDir });
    try {
      await first.prisma.$executeRawUnsafe('CREATE TABLE probe (id int PRIMARY KEY, note text)');
      await first.prisma.$executeRawUnsafe("INSERT INTO probe SELECT g, 'row ' || g FROM generate_series(1, 5000) g");
      await first.prisma.$executeRawUnsafe('CHECKPOINT');
      expect(notOwnerOnly(dataDir)).toEqual([]);
    } finally {
      await first.close();
    }
    // Opened again, PostgreSQL rewrites its relation cache file and starts a new WAL segment.
    const again = await openDatabase({ dataDir });
    try {
      await again.prisma.$executeRawUnsafe('CREATE INDEX probe_note ON probe (note)');
      expect(notOwnerOnly(dataDir)).toEqual([]);
    } finally {
      await again.close();
    }
    expect(await exportTo(join(dataDir, 'exports'))).toBe(0);
    expect(statSync(join(dataDir, 'exports', 'portfolio-lee.csv')).mode & 0o777).toBe(0o600);
    const lock = lockDataDir(dataDir);
    expect(lock.ok).toBe(true);
    expect(notOwnerOnly(dataDir)).toEqual([]);
    if (lock.ok) lock.lock.release();
  }, 60_000);

  it('makes an older install owner-only when it opens, and an export over an existing file too', async () => {
    const dataDir = freshDir();
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    cpSync(inject('pgliteDataDirTemplate'), join(dataDir, 'pglite'), { recursive: true });
    mkdirSync(join(dataDir, 'exports'));
    writeFileSync(join(dataDir, 'exports', 'portfolio-lee.csv'), 'old\n');
    loosen(dataDir);
    expect(notOwnerOnly(dataDir).length).toBeGreaterThan(100);
    const db = await openDatabase({ dataDir });
    try {
      expect(await db.ping()).toBe(true);
      expect(notOwnerOnly(dataDir)).toEqual([]);
    } finally {
      await db.close();
    }
    chmodSync(join(dataDir, 'exports', 'portfolio-lee.csv'), 0o666);
    expect(await exportTo(join(dataDir, 'exports'))).toBe(0);
    expect(statSync(join(dataDir, 'exports', 'portfolio-lee.csv')).mode & 0o777).toBe(0o600);
  }, 60_000);

  it('refuses a DATA_DIR other users can write into, and one that is a file, naming it', async () => {
    for (const mode of [0o777, 0o770, 0o722]) {
      const dataDir = freshDir();
      mkdirSync(dataDir);
      chmodSync(dataDir, mode);
      const refusal = `DATA_DIR ${dataDir} is writable by other users (mode 0${mode.toString(8)}); make it private with: chmod 700 ${dataDir}`;
      await expect(openDatabase({ dataDir })).rejects.toThrow(refusal);
      expect(() => lockDataDir(dataDir)).toThrow(refusal);
      expect(readdirSync(dataDir)).toEqual([]);
    }
    const file = join(base, 'a-file');
    writeFileSync(file, '');
    await expect(openDatabase({ dataDir: file })).rejects.toThrow(`DATA_DIR ${file} is not a directory`);
    expect(() => lockDataDir(file)).toThrow(`DATA_DIR ${file} is not a directory`);
    await expect(openDatabase({ dataDir: join(file, 'data') })).rejects.toThrow(`DATA_DIR ${join(file, 'data')} cannot be used (a parent is not a directory)`);
  });

  describe('the bot and the CLI say so in one line and exit 1', () => {
    const run = (script: string, args: string[], dataDir: string) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
          cwd: root,
          env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent' },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (c) => (stderr += c));
        // A bot that started anyway is stopped (a condition for the test to end, not a timing assertion).
        const stopper = setTimeout(() => child.kill('SIGKILL'), 30_000);
        child.once('exit', (code) => {
          clearTimeout(stopper);
          resolve({ code, stderr });
        });
      });

    it('for a DATA_DIR writable by others', async () => {
      const dataDir = freshDir();
      mkdirSync(dataDir);
      chmodSync(dataDir, 0o777);
      const refusal = `DATA_DIR ${dataDir} is writable by other users (mode 0777); make it private with: chmod 700 ${dataDir}`;
      const [bot, cli] = await Promise.all([run('src/main.ts', [], dataDir), run('src/cli/main.ts', ['db', 'status'], dataDir)]);
      expect(bot).toEqual({ code: 1, stderr: `Cannot start: ${refusal}\n` });
      expect(cli).toEqual({ code: 1, stderr: `Cannot run: ${refusal}\n` });
    }, 60_000);

    it('for a DATA_DIR that is a file', async () => {
      const file = join(base, 'another-file');
      writeFileSync(file, '');
      const [bot, cli] = await Promise.all([run('src/main.ts', [], file), run('src/cli/main.ts', ['db', 'status'], file)]);
      expect(bot).toEqual({ code: 1, stderr: `Cannot start: DATA_DIR ${file} is not a directory\n` });
      expect(cli).toEqual({ code: 1, stderr: `Cannot run: DATA_DIR ${file} is not a directory\n` });
    }, 60_000);
  });
});
