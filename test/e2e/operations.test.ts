// Operations, against the real running bot: GET /metrics in Prometheus text format, and a
// graceful shutdown that lets requests in flight finish and exits 0 on SIGTERM. One bot (Slack on,
// Teams not configured) serves every in-process check; `npm start` is its own process.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { openDatabase } from '../../src/db/database.ts';
import { closeGracefully, createHttpServer } from '../../src/http/server.ts';
import { quietLogger, PEOPLE } from '../helpers/context.ts';
import { migratedDataDir } from '../helpers/data-dir.ts';
import { startFakeSlackApi } from '../helpers/fake-slack-api.ts';
import { startBot } from '../helpers/slack-bot.ts';
import { payloads, signSlackRequest, TEST_SIGNING_SECRET } from '../helpers/slack-payloads.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The value of one sample line (`name{labels} value`), or undefined when it is not exposed. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

describe('GET /metrics and shutdown of the running bot', () => {
  let api: Awaited<ReturnType<typeof startFakeSlackApi>>;
  let bot: Awaited<ReturnType<typeof startBot>>;
  beforeAll(async () => {
    api = await startFakeSlackApi();
    bot = await startBot({ api });
  });
  afterAll(async () => {
    await bot?.app.close();
    await api?.close();
    if (bot) rmSync(bot.dataDir, { recursive: true, force: true });
  });

  const scrape = async () => {
    const res = await fetch(`${bot.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.text();
  };

  it('exposes process metrics, HTTP requests by route, and outbox depth and failures read from the database', async () => {
    await fetch(`${bot.url}/healthz`);
    await fetch(`${bot.url}/wp-login.php`);
    // Teams is not configured here, so the message to the Teams learner's assessor cannot leave: the
    // outbox keeps it and counts the failed attempt.
    await bot.app.services.recordEvidence({ actor: PEOPLE.teamsLearner, idempotencyKey: 'metrics:1', source: 'cli', text: 'Screened three candidates by phone #U14:1.1' });
    await bot.app.outbox.drain();

    const text = await scrape();
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(sample(text, 'evidence_http_request_duration_seconds_count', { route: '/healthz', status: '2xx' })).toBe(1);
    // Unknown paths are pooled under one label, so scanners cannot grow the series.
    expect(sample(text, 'evidence_http_request_duration_seconds_count', { route: 'unmatched', status: '4xx' })).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain('wp-login');
    const waiting = (sample(text, 'evidence_outbox_messages', { status: 'pending' }) ?? 0) + (sample(text, 'evidence_outbox_messages', { status: 'scheduled' }) ?? 0);
    expect(waiting).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'evidence_outbox_messages', { status: 'dead' })).toBe(0);
    expect(sample(text, 'evidence_outbox_failures_total', { outcome: 'retried' })).toBeGreaterThanOrEqual(1);
  });

  it('counts job runs by name, from the CLI path too', async () => {
    const lines: string[] = [];
    const { runCliCommand } = await import('../../src/cli/commands.ts');
    const { JOBS } = await import('../../jobs/registry.ts');
    expect(await runCliCommand(['jobs', 'run', 'outbox'], { ...bot.app, jobs: JOBS, out: (l) => lines.push(l), exportDir: join(bot.dataDir, 'exports') })).toBe(0);
    const text = await scrape();
    expect(sample(text, 'evidence_job_runs_total', { job: 'outbox', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'evidence_job_duration_seconds_count', { job: 'outbox', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
  });

  it('counts Slack requests by kind in GET /metrics', async () => {
    await bot.command('progress', { user: PEOPLE.learner });
    await bot.suggest({ user: PEOPLE.learner, actionId: 'criteria', value: 'U7' });
    await bot.openHome(PEOPLE.learner);
    await api.waitFor('views.publish');
    // The App Home listener finishes just after its views.publish: wait for it to be counted.
    let text = await scrape();
    for (let i = 0; i < 100 && !sample(text, 'evidence_chat_request_duration_seconds_count', { kind: 'event' }); i++) {
      await new Promise((r) => setTimeout(r, 20));
      text = await scrape();
    }
    for (const kind of ['command', 'options', 'event']) {
      expect(sample(text, 'evidence_chat_request_duration_seconds_count', { platform: 'slack', kind, outcome: 'ok' }), kind).toBeGreaterThanOrEqual(1);
    }
    expect(sample(text, 'evidence_http_request_duration_seconds_count', { route: '/slack/events', status: '2xx' })).toBeGreaterThanOrEqual(3);
  });

  // Last: it closes the bot.
  it('lets a request in flight finish: a log whose body is still arriving when close() is called is acknowledged and stored', async () => {
    // An idle keep-alive connection, as Slack and load balancers leave them, must not hold close() either.
    const agent = new http.Agent({ keepAlive: true });
    onTestFinished(() => agent.destroy());
    expect(await new Promise<number>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: bot.app.port, path: '/healthz', agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      }).on('error', reject);
    })).toBe(200);

    const p = payloads.slashCommand({ user: PEOPLE.learner, text: 'log Arrived during the shutdown, called a client back #U7:2.1', responseUrl: api.responseUrl() });
    const half = Math.floor(p.body.length / 2);
    const arrived = new Promise((resolve) => bot.app.server.once('request', resolve));
    let status = 0;
    const answered = new Promise<void>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: bot.app.port, path: '/slack/events', method: 'POST',
        headers: { 'content-type': p.contentType, 'content-length': Buffer.byteLength(p.body), ...signSlackRequest(TEST_SIGNING_SECRET, p.body) } }, (res) => {
        status = res.statusCode ?? 0;
        res.resume();
        res.on('end', () => resolve());
      });
      req.on('error', reject);
      req.write(p.body.slice(0, half));
      // The rest once the shutdown has begun.
      void arrived.then(() => {
        const closing = bot.app.close();
        setImmediate(() => req.end(p.body.slice(half)));
        return closing;
      });
    });
    await answered;
    expect(status).toBe(200);
    await bot.app.close(); // resolves once everything has finished
    expect(bot.app.server.listening).toBe(false);
    const db = await openDatabase({ dataDir: bot.dataDir });
    try {
      expect(await db.prisma.entry.count({ where: { summary: { startsWith: 'Arrived during the shutdown' } } })).toBe(1);
    } finally {
      await db.close();
    }
  });
});

describe('the HTTP server on its own', () => {
  it('closes gracefully with a keep-alive connection open: an idle connection does not hold the process', async () => {
    const server = createHttpServer({ log: quietLogger(), routes: [], readiness: [] });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const agent = new http.Agent({ keepAlive: true });
    try {
      const status = await new Promise<number>((resolve, reject) => {
        http.get({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, path: '/healthz', agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        }).on('error', reject);
      });
      expect(status).toBe(200);
      // The connection stays open in the agent; closing must still finish (well inside the 65 s keep-alive).
      await closeGracefully(server);
      expect(server.listening).toBe(false);
    } finally {
      agent.destroy();
    }
  });
});

describe('graceful shutdown of the process', () => {

  // As deployed: `npm start` is the process a container stop or systemd signals. npm passes the signal
  // to its start script, whose shell has to hand it on (it `exec`s tsx) for the bot to get it.
  it('`npm start` exits 0 on SIGTERM to npm, after the bot has shut down, and releases the embedded database', async () => {
    const dir = migratedDataDir('evidence-sigterm-');
    const env = { ...process.env, PORT: '0', DATA_DIR: dir, LOG_LEVEL: 'info', SLACK_SIGNING_SECRET: '', SLACK_BOT_TOKEN: '', DATABASE_URL: '' };
    const child = spawn('npm', ['start', '--silent'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    onTestFinished(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
      // A bot left running by a lost signal holds the lock file with its PID.
      const pidFile = join(dir, 'bot.pid');
      if (existsSync(pidFile)) {
        try {
          process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
      rmSync(dir, { recursive: true, force: true });
    });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (c) => {
        out += c;
        if (out.includes('evidence bot listening')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`exited early with ${code}: ${out}`)));
    });
    const code = await new Promise<number | null>((resolve) => {
      child.removeAllListeners('exit');
      child.once('exit', (c) => resolve(c));
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
    expect(out).toContain('"msg":"stopped"');
    // The database lock is released, so the next start (or a CLI run) can open it.
    expect(existsSync(join(dir, 'bot.pid'))).toBe(false);
  });
});
