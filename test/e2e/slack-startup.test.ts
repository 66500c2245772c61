// Starting with Slack credentials that do not work: the bot keeps running (health, database, other
// platforms), says once and clearly what is wrong, and its readiness check fails until it is fixed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlackAdapter } from '../../adapters/slack/index.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/lib/logger.ts';
import type { Services } from '../../src/services/index.ts';
import { PEOPLE } from '../helpers/context.ts';
import { startFakeSlackApi, type FakeSlackApi } from '../helpers/fake-slack-api.ts';
import { startBot } from '../helpers/slack-bot.ts';

function capture() {
  const lines: Record<string, any>[] = [];
  const sink = new Writable({ write(chunk, _e, done) { for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l)); done(); } });
  return { lines, logger: createLogger('info', sink) };
}

let api: FakeSlackApi;
let dataDir: string;
beforeAll(async () => {
  api = await startFakeSlackApi({ botToken: 'xoxb-the-right-one' });
  dataDir = mkdtempSync(join(tmpdir(), 'evidence-slack-startup-'));
});
afterAll(async () => {
  await api?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('Slack start-up', () => {
  it('a refused bot token is one clear log line and a failing readiness check, not a crash', { timeout: 120_000 }, async () => {
    const { lines, logger } = capture();
    const bot = await startBot({ api, dataDir, logger, env: { SLACK_BOT_TOKEN: 'xoxb-a-wrong-one' } });
    try {
      expect((await bot.get('/healthz')).status).toBe(200);
      const ready = await bot.get('/readyz');
      expect(ready.status).toBe(503);
      expect(ready.json.checks).toContainEqual({ name: 'slack', ok: false, detail: 'the bot token was refused (invalid_auth)' });
      expect(ready.json.checks).toContainEqual({ name: 'database', ok: true });

      // Slack's requests are turned away plainly rather than answered with nothing.
      expect((await bot.command('progress', { user: PEOPLE.learner })).status).toBe(503);

      const errors = lines.filter((l) => l.level === 'error' || l.level === 'fatal');
      expect(errors).toHaveLength(1);
      expect(errors[0]!.msg).toContain('SLACK_BOT_TOKEN');
      expect(errors[0]!.msg).toContain('invalid_auth');
      expect(JSON.stringify(lines)).not.toContain('xoxb-a-wrong-one');
      // A refused token is not retried in a loop.
      expect(api.callsTo('auth.test')).toHaveLength(1);
    } finally {
      await bot.close();
    }
  });

  it('Slack unreachable at start: retried in the background until it answers, then ready', { timeout: 120_000 }, async () => {
    api.reset();
    api.failNext('auth.test', { kind: 'http', status: 503 });
    const { lines, logger } = capture();
    const bot = await startBot({ api, dataDir, logger, roster: false, env: { SLACK_BOT_TOKEN: 'xoxb-the-right-one' } });
    try {
      expect((await bot.get('/readyz')).json.checks).toContainEqual({ name: 'slack', ok: false, detail: 'Slack could not be reached (http_503)' });
      await api.waitFor('auth.test', 2, 30_000);
      let ready = await bot.get('/readyz');
      for (let i = 0; ready.status !== 200 && i < 100; i++) {
        await new Promise((r) => setTimeout(r, 50));
        ready = await bot.get('/readyz');
      }
      expect(ready.status).toBe(200);
      expect(lines.filter((l) => l.level === 'error')).toHaveLength(1);
      expect(lines.some((l) => l.msg === 'slack is ready')).toBe(true);
    } finally {
      await bot.close();
    }
  });

  it('Socket Mode (SLACK_APP_TOKEN) mounts no HTTP route', () => {
    const config = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-x', SLACK_APP_TOKEN: 'xapp-1-x', SLACK_API_URL: api.url });
    const edge = createSlackAdapter(config.slack, {} as Services, createLogger('silent'));
    expect(edge.routes).toEqual([]);
    expect(edge.readiness.map((r) => r.name)).toEqual(['slack']);
  });
});
