// Faults against the real bot on the embedded database: the database going away under a running
// bot (the person is told to try again, nothing half-written is left), and the bot process killed
// outright (SIGKILL) in the middle of a burst of logs (every log it acknowledged is stored once
// after the restart, and answered). The Slack API failing and rate-limiting a share of calls is
// covered in schedules-slack.test.ts ("every message arrives exactly once").
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.ts';
import { TRY_AGAIN } from '../../src/lib/errors.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { importRoster } from '../../src/services/roster/import-roster.ts';
import { PEOPLE, ROSTER_CSV } from '../helpers/context.ts';
import { migratedDataDir } from '../helpers/data-dir.ts';
import {
  blocksText, newTriggerId, payloads, signSlackRequest, startBot, startFakeSlackApi, TEST_SIGNING_SECRET, type FakeSlackApi,
} from '../helpers/slack-harness.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

async function entriesWith(dataDir: string, where: Record<string, unknown>): Promise<{ idempotencyKey: string; summary: string }[]> {
  const db = await openDatabase({ dataDir });
  try {
    return await db.prisma.entry.findMany({ where, select: { idempotencyKey: true, summary: true } });
  } finally {
    await db.close();
  }
}

describe('the database goes away under the running bot (embedded)', () => {
  let api: FakeSlackApi;
  beforeAll(async () => {
    api = await startFakeSlackApi();
  });
  afterAll(() => api?.close());

  it('the learner is told to try again, readiness fails, and nothing of the entry is stored', async () => {
    const bot = await startBot({ api });
    const dataDir = bot.dataDir;
    try {
      expect((await bot.get('/readyz')).status).toBe(200);
      await bot.app.db.close();

      const res = await bot.command('log Sourced two candidates for the Leeds warehouse role #U7:2.1', { user: PEOPLE.learner });
      expect(res.status).toBe(200);
      expect(blocksText(res.json.blocks)).toContain(TRY_AGAIN);
      const ready = await bot.get('/readyz');
      expect(ready.status).toBe(503);
      expect(ready.json.checks).toContainEqual(expect.objectContaining({ name: 'database', ok: false }));
    } finally {
      await bot.app.close();
    }
    expect(await entriesWith(dataDir, { summary: { contains: 'Leeds warehouse' } })).toEqual([]);
    rmSync(dataDir, { recursive: true, force: true });
  });
});

/** A free TCP port on loopback for a child bot. */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** `npm start` without npm: the bot as its own process (so SIGKILL reaches the bot itself). */
function spawnBot(env: NodeJS.ProcessEnv): { proc: ChildProcess; exited: Promise<number | null> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (c) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  void exited.then((code) => {
    if (code !== 0 && code !== null && stderr) process.stderr.write(stderr);
  });
  return { proc, exited };
}

/** Waits (a condition, not a timing assertion) until GET /readyz answers 200; fails if the bot exits. */
async function ready(port: number, proc: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`the bot exited with ${proc.exitCode} before it was ready`);
    if (await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status === 200, () => false)) return;
    if (Date.now() > deadline) throw new Error('the bot was not ready within 60 s');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the bot is killed (SIGKILL) during a burst of logs', () => {
  let api: FakeSlackApi;
  let dataDir: string;
  beforeAll(async () => {
    api = await startFakeSlackApi();
    dataDir = migratedDataDir('evidence-crash-');
    const db = await openDatabase({ dataDir });
    await importRoster({ db: db.prisma, clock: { now: () => new Date() }, log: createLogger('silent'), defaultTimeZone: 'Europe/London', kickOutbox: () => {} }, { csv: ROSTER_CSV });
    await db.close();
  });
  afterAll(async () => {
    await api?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('every log it acknowledged is stored once after the restart, and every one is answered', async () => {
    const port = await freePort();
    const env = { PORT: String(port), DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'warn', SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: api.url };
    const first = spawnBot(env);
    await ready(port, first.proc);

    // A burst: 8 at a time, 60 in all; the process is killed once 15 have been acknowledged.
    const learners = [PEOPLE.learner, PEOPLE.learner2];
    const acknowledged: { triggerId: string; responseUrl: string }[] = [];
    let next = 0;
    let killed = false;
    const sendOne = async (i: number) => {
      const triggerId = newTriggerId();
      const responseUrl = api.responseUrl();
      const p = payloads.slashCommand({ user: learners[i % 2]!, text: `log Burst call ${i} to a candidate about their availability #U7:2.1`, triggerId, responseUrl });
      const res = await fetch(`http://127.0.0.1:${port}/slack/events`, { method: 'POST', headers: { 'content-type': p.contentType, ...signSlackRequest(TEST_SIGNING_SECRET, p.body) }, body: p.body }).catch(() => undefined);
      if (res?.status === 200) {
        await res.arrayBuffer();
        acknowledged.push({ triggerId, responseUrl });
        if (acknowledged.length >= 15 && !killed) {
          killed = true;
          first.proc.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (!killed && next < 60) await sendOne(next++);
    }));
    expect(await first.exited).toBeNull(); // killed by the signal, not exited
    expect(acknowledged.length).toBeGreaterThanOrEqual(15);

    // Each acknowledged log is answered exactly once: through its response_url, before the kill or
    // by the restarted bot, which takes over what the killed one had committed to its inbox.
    const answersTo = (a: { responseUrl: string }) => api.calls.filter((c) => c.method === 'respond' && c.target === a.responseUrl.split('/').pop()).length;
    const second = spawnBot(env);
    await ready(port, second.proc);
    const deadline = Date.now() + 120_000;
    while (acknowledged.some((a) => answersTo(a) === 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    second.proc.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(acknowledged.map(answersTo)).toEqual(acknowledged.map(() => 1));

    const stored = await entriesWith(dataDir, { idempotencyKey: { in: acknowledged.map((a) => `slack:${a.triggerId}`) } });
    expect(stored.map((e) => e.idempotencyKey).sort()).toEqual(acknowledged.map((a) => `slack:${a.triggerId}`).sort());
  }, 240_000);
});
