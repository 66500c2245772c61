// Faults on PostgreSQL (run when TEST_DATABASE_URL is set): the database connections cut in the
// middle of recording an acknowledged entry (no half-written entry; the inbox finishes it once the
// database is back, answered once), and two bot processes on one database running every job at the same moment (each
// message is sent once). Each test has a database of its own, dropped afterwards.
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.ts';
import { applyMigrations } from '../../src/db/migrate.ts';
import type { ServiceContext } from '../../src/services/kernel/context.ts';
import { importRoster } from '../../src/services/roster/import-roster.ts';
import { recordEvidence } from '../../src/services/evidence/record-evidence.ts';
import { PEOPLE, quietLogger, ROSTER_CSV, TestClock } from '../helpers/context.ts';
import { migratedDataDir } from '../helpers/data-dir.ts';
import { blocksText, payloads, startBot, startFakeSlackApi, TEST_SIGNING_SECRET, type FakeSlackApi } from '../helpers/slack-harness.ts';

const ADMIN_URL = process.env.TEST_DATABASE_URL;

async function admin<T>(url: string, f: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await f(c);
  } finally {
    await c.end();
  }
}

/** A migrated database of the test's own on the TEST_DATABASE_URL server. */
async function scratchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `evidence_faults_${randomBytes(5).toString('hex')}`;
  await admin(ADMIN_URL!, (c) => c.query(`CREATE DATABASE "${name}"`));
  const u = new URL(ADMIN_URL!);
  u.pathname = `/${name}`;
  const url = u.toString();
  const db = await openDatabase({ url });
  await applyMigrations(db);
  await db.close();
  return { url, drop: () => admin(ADMIN_URL!, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined) };
}

async function until(what: string, done: () => Promise<boolean> | boolean, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.runIf(ADMIN_URL)('faults on PostgreSQL', () => {
  let api: FakeSlackApi;
  beforeAll(async () => {
    api = await startFakeSlackApi();
  });
  afterAll(() => api?.close());

  it('connections cut in the middle of recording an acknowledged entry: no half-written entry; the bot finishes it when the database is back, and answers once', async () => {
    const scratch = await scratchDatabase();
    const bot = await startBot({ api, env: { DATABASE_URL: scratch.url } });
    const lock = new pg.Client({ connectionString: scratch.url });
    await lock.connect();
    try {
      // Hold the outbox table so the entry's transaction stops half-way: entry, criteria and history
      // written, its assessor message not yet.
      await lock.query('BEGIN');
      await lock.query('LOCK TABLE "OutboxMessage" IN ACCESS EXCLUSIVE MODE');
      const responseUrl = api.responseUrl();
      const ack = bot.send(payloads.slashCommand({ user: PEOPLE.learner, text: 'log Mid-way call to a client about two vacancies #U7:2.1', responseUrl }));
      // (pg_stat_activity is read outside the locking transaction, which would see one snapshot.)
      await until('the entry transaction to wait on the lock', () => admin(scratch.url, async (c) =>
        (await c.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE 'INSERT INTO%OutboxMessage%'`)).rowCount! > 0));
      // The database goes away for the bot: every connection of its is terminated.
      const ours = (await lock.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      await admin(scratch.url, (c) => c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid NOT IN (pg_backend_pid(), $1)', [ours]));
      await lock.query('ROLLBACK');

      // The command was committed to the inbox and acknowledged before the cut.
      expect((await ack).status).toBe(200);
      const half = await lock.query(`SELECT (SELECT count(*) FROM "Entry" WHERE summary LIKE 'Mid-way call%')::int AS entries,
                                            (SELECT count(*) FROM "EntryEvent")::int AS events, (SELECT count(*) FROM "EntryCriterion")::int AS criteria`);
      expect(half.rows[0]).toEqual({ entries: 0, events: 0, criteria: 0 });

      // The pool reconnects; when the request's lease ends the inbox sweep does it again: stored once, answered once.
      const target = responseUrl.split('/').pop();
      const [answer] = await api.waitFor('respond', (c) => c.target === target, 60_000);
      expect(blocksText(answer!.body.blocks)).toContain('Evidence recorded');
      await bot.settle();
      expect(api.calls.filter((c) => c.method === 'respond' && c.target === target)).toHaveLength(1);
      expect((await lock.query(`SELECT count(*)::int AS n FROM "Entry" WHERE summary LIKE 'Mid-way call%'`)).rows[0].n).toBe(1);
    } finally {
      await lock.end().catch(() => {});
      await bot.close();
      await scratch.drop();
    }
  }, 120_000);

  it('two bot processes run every job at the same moment, twice over: each message is sent once', async () => {
    const scratch = await scratchDatabase();
    // Seed: the roster, one log a week ago with a follow-up due now, every learner's check-in due
    // (the learner who logged is not nudged, the others are).
    const monday = new Date('2026-11-23T09:05:00Z');
    const clock = new TestClock(new Date('2026-11-09T10:00:00Z'));
    const db = await openDatabase({ url: scratch.url });
    const ctx: ServiceContext = { db: db.prisma, clock, log: quietLogger(), defaultTimeZone: 'Europe/London', kickOutbox: () => {} };
    await importRoster(ctx, { csv: ROSTER_CSV });
    clock.set('2026-11-16T10:00:00Z');
    await recordEvidence(ctx, { actor: PEOPLE.learner, idempotencyKey: 'seed-1', source: 'cli', text: 'Sent a candidate three roles to consider #U7:2.1 follow-up:7d' });
    await db.prisma.$executeRawUnsafe(`UPDATE "LearnerSettings" SET "nextCheckInAt" = $1::timestamp(3)`, new Date(monday.getTime() - 5 * 60_000).toISOString());
    await db.close();

    const root = fileURLToPath(new URL('../..', import.meta.url));
    const slack = await startFakeSlackApi();
    const dirs: string[] = [];
    const bots: ChildProcess[] = [];
    const start = () => {
      const dir = migratedDataDir('evidence-two-bots-');
      dirs.push(dir);
      const child = fork(fileURLToPath(new URL('./fixtures/bot-running-jobs.ts', import.meta.url)), [], {
        cwd: root, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
        env: { ...process.env, PORT: '0', DATA_DIR: dir, DATABASE_URL: scratch.url, LOG_LEVEL: 'error', SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: slack.url },
      });
      bots.push(child);
      return new Promise<void>((resolve, reject) => {
        child.once('message', () => resolve());
        child.once('exit', (code) => reject(new Error(`a bot exited with ${code} before it was ready`)));
      });
    };
    const both = (type: 'jobs' | 'outbox', now: Date) =>
      Promise.all(bots.map((b) => new Promise<{ results: { job: string; error?: string }[] }>((resolve) => {
        b.once('message', (m) => resolve(m as never));
        b.send({ type, now: now.toISOString() });
      })));
    try {
      await Promise.all([start(), start()]);
      // The same minute (one slot: only one of them sweeps each job), then a minute later (two slots:
      // both sweep, and only the outbox keys keep messages single); delivery by both at once each time.
      for (const now of [monday, new Date(monday.getTime() + 60_000)]) {
        const runs = await both('jobs', now);
        expect(runs.flatMap((r) => r.results.filter((x) => x.error))).toEqual([]);
        await both('outbox', new Date(now.getTime() + 60 * 60_000));
      }

      const posts = slack.posted();
      const kinds = { nudge: 0, digest: 0, followUp: 0 };
      for (const p of posts) {
        const t = blocksText(p.blocks);
        if (t.includes('time for your check-in')) kinds.nudge++;
        if (t.includes('Weekly digest')) kinds.digest++;
        if (t.includes('Follow-up due')) kinds.followUp++;
      }
      // Not a vacuous pass: nudges, a digest and follow-up reminders were all sent.
      expect(kinds.nudge).toBeGreaterThan(0);
      expect(kinds.digest).toBeGreaterThan(0);
      expect(kinds.followUp).toBeGreaterThan(0);
      const seen = new Map<string, number>();
      for (const p of posts) {
        const key = `${p.channel} ${p.thread_ts ?? ''} ${JSON.stringify(p.blocks)}`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
      }
      expect([...seen.values()].filter((n) => n > 1)).toEqual([]);
      // Everything for Slack was delivered (Teams is not configured here: its messages wait).
      const outbox = await admin(scratch.url, (c) => c.query(
        `SELECT o.status::text, count(*)::int AS n FROM "OutboxMessage" o JOIN "Person" p ON p.id = o."recipientId" WHERE p.platform = 'slack' GROUP BY 1`));
      expect(outbox.rows).toEqual([{ status: 'sent', n: posts.length }]);
    } finally {
      await Promise.all(bots.map((b) => new Promise<void>((resolve) => {
        if (b.exitCode !== null) return resolve();
        b.once('exit', () => resolve());
        b.send({ type: 'stop' });
      })));
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
      await slack.close();
      await scratch.drop();
    }
  }, 180_000);
});
