// A long CLI answer reaches a slow reader whole: `npm run --silent cli -- subject-access EMAIL`
// (here about 550 KB of JSON) with standard output piped to a reader that starts late and then
// reads a little at a time, both when the CLI opens the embedded database itself and when the bot
// is running and the CLI hands the verb to it through the control socket.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.ts';
import { startApp, type App } from '../../src/main.ts';
import { loadRoster, quietLogger, TestClock } from '../helpers/context.ts';
import { migratedDataDir } from '../helpers/data-dir.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const ENTRIES = 400;

/** Lee Learner with a long history: ENTRIES entries of about 500 characters each. */
async function seed(dir: string): Promise<void> {
  const db = await openDatabase({ dataDir: dir });
  try {
    await loadRoster({ db: db.prisma, clock: new TestClock(), log: quietLogger(), defaultTimeZone: 'Europe/London', kickOutbox: () => {} });
    const lee = await db.prisma.person.findFirstOrThrow({ where: { externalId: 'U0LEARN1' }, include: { enrolments: true } });
    const filler = 'Screened applicants for the warehouse role, checked right to work and references. '.repeat(6);
    await db.prisma.entry.createMany({
      data: Array.from({ length: ENTRIES }, (_, i) => ({
        learnerId: lee.id, enrolmentId: lee.enrolments[0]!.id, occurredAt: new Date(Date.UTC(2026, 0, 1) + i * 3_600_000),
        summary: `#${i} ${filler}`, idempotencyKey: `bulk-${i}`, source: 'cli',
      })),
    });
  } finally {
    await db.close();
  }
}

/**
 * Runs the CLI with standard output piped to a slow reader: it reads nothing until the CLI has
 * exited or 3 s have passed since its first output, then 4 KB every few milliseconds.
 */
function runCliSlowly(dir: string, argv: string[]): Promise<{ code: number | null; out: Buffer; err: string }> {
  const child = spawn('npm', ['run', '--silent', 'cli', '--', ...argv], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dir, DATABASE_URL: '', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (c: string) => (err += c));
  const chunks: Buffer[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ended = new Promise<void>((resolve) => child.stdout.once('end', () => resolve()));
  let reading = false;
  let resting = false;
  const pump = () => {
    if (!reading || resting) return;
    const chunk = (child.stdout.read(4096) ?? child.stdout.read()) as Buffer | null;
    if (!chunk) return; // the next 'readable' calls again
    chunks.push(chunk);
    resting = true;
    setTimeout(() => {
      resting = false;
      pump();
    }, 3);
  };
  // A listener stays on 'readable' throughout: a child's output stream with no consumer is resumed
  // (its data dropped) by Node when the child exits, which would look like lost output.
  child.stdout.on('readable', pump);
  child.stdout.once('readable', () => {
    void Promise.race([exited, new Promise((r) => setTimeout(r, 3_000))]).then(() => {
      reading = true;
      pump();
    });
  });
  return Promise.all([exited, ended]).then(([code]) => ({ code, out: Buffer.concat(chunks), err }));
}

function expectWholeAnswer(r: { code: number | null; out: Buffer; err: string }) {
  expect(r.code, r.err).toBe(0);
  expect(r.out.length).toBeGreaterThan(300_000);
  const answer = JSON.parse(r.out.toString('utf8')) as { roster: { entries: { summary: string }[] }[] };
  expect(answer.roster).toHaveLength(1);
  expect(answer.roster[0]!.entries).toHaveLength(ENTRIES);
  expect(answer.roster[0]!.entries.at(-1)!.summary).toMatch(new RegExp(`^#${ENTRIES - 1} `));
}

describe('a long CLI answer through a pipe to a slow reader', () => {
  let dir: string;
  let app: App | undefined;
  beforeAll(async () => {
    dir = migratedDataDir('evidence-cli-output-');
    await seed(dir);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('arrives whole when the CLI opens the database itself (the bot is stopped)', async () => {
    expectWholeAnswer(await runCliSlowly(dir, ['subject-access', 'lee@example.com']));
  }, 120_000);

  it('arrives whole through the running bot\'s control socket', async () => {
    // The bot holds the embedded database: the CLI can only answer by asking it over the socket.
    app = await startApp({ env: { PORT: '0', DATA_DIR: dir, LOG_LEVEL: 'silent' }, logger: quietLogger(), scheduler: false });
    expectWholeAnswer(await runCliSlowly(dir, ['subject-access', 'lee@example.com']));
    await app.close();
    app = undefined;
  }, 120_000);
});
