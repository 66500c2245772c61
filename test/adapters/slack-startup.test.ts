// Starting the Slack edge with credentials that do not work: it keeps running, says once and
// clearly what is wrong, and its readiness check fails until it is fixed. The edge is mounted on
// the bot's own HTTP server (createHttpServer, as main.ts mounts it) in front of the fake Slack Web
// API; nothing else of the bot is started. That main.ts puts the edge's readiness into GET /readyz
// beside the database's is shown end to end by test/e2e/slack.test.ts.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSlackAdapter } from '../../adapters/slack/index.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createHttpServer } from '../../src/http/server.ts';
import { createLogger } from '../../src/lib/logger.ts';
import type { PlatformEdge } from '../../src/ports/edge.ts';
import type { Services } from '../../src/services/index.ts';
import { PEOPLE } from '../helpers/context.ts';
import { startFakeSlackApi, type FakeSlackApi } from '../helpers/fake-slack-api.ts';
import { payloads, signSlackRequest, TEST_SIGNING_SECRET } from '../helpers/slack-payloads.ts';

function capture() {
  const lines: Record<string, any>[] = [];
  const sink = new Writable({ write(chunk, _e, done) { for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l)); done(); } });
  return { lines, logger: createLogger('info', sink) };
}

let api: FakeSlackApi;
beforeAll(async () => {
  api = await startFakeSlackApi({ botToken: 'xoxb-the-right-one' });
});
afterAll(async () => {
  await api?.close();
});

/** The Slack edge with `token`, started, behind an HTTP server of its own on a free port. */
async function startEdge(token: string, logger: ReturnType<typeof createLogger>) {
  const config = loadConfig({ SLACK_BOT_TOKEN: token, SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET, SLACK_API_URL: api.url });
  // No request gets as far as a listener here: any service call is a failure.
  const services = new Proxy({}, { get: (_t, name) => () => { throw new Error(`unexpected service call: ${String(name)}`); } }) as unknown as Services;
  const edge = createSlackAdapter(config.slack, services, logger);
  const server = createHttpServer({ log: logger, routes: edge.routes, readiness: edge.readiness });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  running.push({ edge, server });
  await edge.start(); // as main.ts does: it must not throw for a bad credential
  const get = async (path: string) => {
    const res = await fetch(`${url}${path}`);
    return { status: res.status, json: (await res.json()) as any };
  };
  return { edge, url, get };
}
const running: { edge: PlatformEdge; server: Server }[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const { edge, server } of running.splice(0)) {
    await edge.stop();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
  api.reset();
  api.clearFaults();
});

describe('Slack start-up', () => {
  it('a refused bot token is one clear log line and a failing readiness check, not a crash', async () => {
    const { lines, logger } = capture();
    const { url, get } = await startEdge('xoxb-a-wrong-one', logger);

    expect((await get('/healthz')).status).toBe(200);
    const ready = await get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.json.checks).toContainEqual({ name: 'slack', ok: false, detail: 'the bot token was refused (invalid_auth)' });

    // Slack's requests are turned away plainly rather than answered with nothing.
    const command = payloads.slashCommand({ user: PEOPLE.learner, text: 'progress' });
    const res = await fetch(`${url}/slack/events`, { method: 'POST', headers: { 'content-type': command.contentType, ...signSlackRequest(TEST_SIGNING_SECRET, command.body) }, body: command.body });
    expect(res.status).toBe(503);

    const errors = lines.filter((l) => l.level === 'error' || l.level === 'fatal');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.msg).toContain('SLACK_BOT_TOKEN');
    expect(errors[0]!.msg).toContain('invalid_auth');
    expect(JSON.stringify(lines)).not.toContain('xoxb-a-wrong-one');
    // A refused token is not retried in a loop.
    expect(api.callsTo('auth.test')).toHaveLength(1);
  });

  it('Slack unreachable at start: retried in the background until it answers, then ready', async () => {
    api.failNext('auth.test', { kind: 'http', status: 503 });
    const { lines, logger } = capture();
    // The first retry is due 5 s after the failure: the clock is moved on instead of waited for.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { get } = await startEdge('xoxb-the-right-one', logger);
    expect((await get('/readyz')).json.checks).toContainEqual({ name: 'slack', ok: false, detail: 'Slack could not be reached (http_503)' });
    expect(api.callsTo('auth.test')).toHaveLength(1);

    await vi.advanceTimersByTimeAsync(5_000);
    vi.useRealTimers();
    await api.waitFor('auth.test', 2);
    let ready = await get('/readyz');
    for (let i = 0; ready.status !== 200 && i < 100; i++) {
      await new Promise((r) => setTimeout(r, 20));
      ready = await get('/readyz');
    }
    expect(ready.status).toBe(200);
    expect(ready.json.checks).toContainEqual({ name: 'slack', ok: true, detail: 'token verified' });
    expect(lines.filter((l) => l.level === 'error')).toHaveLength(1);
    expect(lines.some((l) => l.msg === 'slack is ready')).toBe(true);
  });

  it('Socket Mode (SLACK_APP_TOKEN) mounts no HTTP route', () => {
    const config = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-x', SLACK_APP_TOKEN: 'xapp-1-x', SLACK_API_URL: api.url });
    const edge = createSlackAdapter(config.slack, {} as Services, createLogger('silent'));
    expect(edge.routes).toEqual([]);
    expect(edge.readiness.map((r) => r.name)).toEqual(['slack']);
  });
});
