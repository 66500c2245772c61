// POST /slack/events in front of Bolt: requests without Slack's signature headers, with a
// timestamp more than five minutes off, or with a body bigger than Slack ever sends are refused
// from their headers alone (the body is never read), the connection is dropped, and a burst of
// refusals is one warning line. A correctly signed request still reaches Bolt, which checks the
// HMAC itself. The Slack edge runs on the real HTTP server; the Web API is a loopback stub that
// answers auth.test.
import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlackAdapter } from '../../adapters/slack/index.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createHttpServer } from '../../src/http/server.ts';
import { createLogger } from '../../src/lib/logger.ts';
import type { Services } from '../../src/services/index.ts';
import { signSlackRequest, TEST_SIGNING_SECRET } from '../helpers/slack-harness.ts';

interface Edge {
  port: number;
  lines: Record<string, any>[];
  turns: () => number;
  close(): Promise<void>;
}

/** The Slack edge on a real server on port 0, logging into `lines`, with auth.test answered. */
async function startEdge(): Promise<Edge> {
  const lines: Record<string, any>[] = [];
  const sink = new Writable({ write(chunk, _e, done) { for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l)); done(); } });
  const api = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: true, url: 'https://centre.slack.com/', team: 'Centre', user: 'evidence', team_id: 'T0CENTRE', user_id: 'U0BOT', bot_id: 'B0BOT' }));
  });
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', () => r()));
  const config = loadConfig({
    SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_API_URL: `http://127.0.0.1:${(api.address() as AddressInfo).port}/api/`,
  });
  // Any service call would mean a listener ran: count them.
  let turns = 0;
  const services = new Proxy({}, { get: () => async () => void turns++ }) as unknown as Services;
  const log = createLogger('info', sink);
  const edge = createSlackAdapter(config.slack, services, log);
  await edge.start();
  const server = createHttpServer({ log, routes: edge.routes, readiness: [] });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    lines,
    turns: () => turns,
    async close() {
      await edge.stop();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await new Promise<void>((r) => api.close(() => r()));
    },
  };
}

let edge: Edge;
beforeAll(async () => {
  edge = await startEdge();
});
afterAll(() => edge?.close());

interface RawAnswer {
  status: number;
  /** The server closed the connection after answering. */
  closed: boolean;
  ms: number;
}

/**
 * Sends the request head (and `body`, if given) on a raw socket and waits for the answer. With no
 * body, the server can only answer from the headers: a server that waits for the declared body
 * never answers, and this rejects after `withinMs`.
 */
function raw(headers: Record<string, string>, body?: Buffer | string, withinMs = 2_000, port = edge.port): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    let received = '';
    let status = 0;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${withinMs} ms${status ? ` (status ${status}, connection left open)` : ''}`));
    }, withinMs);
    socket.on('data', (d) => {
      received += d.toString('latin1');
      status ||= Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0);
    });
    // Our side may still be writing when the server drops the connection: that is the point.
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      if (!status) return reject(new Error('connection closed without an answer'));
      resolve({ status, closed: true, ms: Date.now() - started });
    });
    const head = Object.entries({ host: '127.0.0.1', connection: 'keep-alive', ...headers }).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    socket.write(`POST /slack/events HTTP/1.1\r\n${head}\r\n`);
    if (body !== undefined) socket.write(body);
  });
}

const now = () => Math.floor(Date.now() / 1000);
/** Headers that look signed (right shape, fresh timestamp) without being a valid signature. */
const plausible = () => ({ 'x-slack-signature': `v0=${'ab'.repeat(32)}`, 'x-slack-request-timestamp': String(now()) });

describe('POST /slack/events: refused before the body is read', () => {
  it('answers 401 to an unsigned request declaring 100 MB from its headers alone, and hangs up', async () => {
    const answer = await raw({ 'content-type': 'application/json', 'content-length': String(100 * 1024 * 1024) });
    expect(answer.status).toBe(401);
    expect(answer.closed).toBe(true);
    expect(answer.ms).toBeLessThan(1_000);
  });

  it('answers 401 to a timestamp more than five minutes old, or ahead, without reading the body', async () => {
    for (const ts of [now() - 6 * 60, now() + 6 * 60]) {
      const answer = await raw({ 'content-type': 'application/json', 'content-length': '4000000', 'x-slack-signature': `v0=${'ab'.repeat(32)}`, 'x-slack-request-timestamp': String(ts) });
      expect(answer.status).toBe(401);
    }
  });

  it('refuses a correctly signed request whose timestamp is ten minutes in the future', async () => {
    const body = JSON.stringify({ type: 'url_verification', challenge: 'from-the-future' });
    const res = await fetch(`http://127.0.0.1:${edge.port}/slack/events`, {
      method: 'POST', headers: { 'content-type': 'application/json', ...signSlackRequest(TEST_SIGNING_SECRET, body, now() + 10 * 60) }, body,
    });
    expect(res.status).toBe(401);
  });

  it('answers 413 to a plausibly signed request declaring more than Slack ever sends', async () => {
    const answer = await raw({ 'content-type': 'application/json', 'content-length': String(4 * 1024 * 1024), ...plausible() });
    expect(answer.status).toBe(413);
    expect(answer.closed).toBe(true);
  });

  it('answers 413 to a chunked body that grows past the cap while it is read', async () => {
    const chunk = 'x'.repeat(64 * 1024);
    let chunked = '';
    for (let i = 0; i < 10; i++) chunked += `${chunk.length.toString(16)}\r\n${chunk}\r\n`;
    chunked += '0\r\n\r\n';
    const answer = await raw({ 'content-type': 'application/json', 'transfer-encoding': 'chunked', ...plausible() }, chunked);
    expect(answer.status).toBe(413);
  });

  it('logs one warning line for a burst of refused requests, not one per request', async () => {
    const quiet = await startEdge();
    try {
      const post = (headers: Record<string, string>) =>
        fetch(`http://127.0.0.1:${quiet.port}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"type":"event_callback"}' });
      const unsigned = await Promise.all(Array.from({ length: 25 }, () => post({})));
      // A forged signature (right shape, fresh timestamp) gets past the headers; Bolt's HMAC check
      // refuses it, and it is counted with the rest rather than logged on its own.
      const forged = await Promise.all(Array.from({ length: 10 }, () => post(plausible())));
      expect([...unsigned, ...forged].map((r) => r.status)).toEqual(Array(35).fill(401));
      const warned = quiet.lines.filter((l) => l.level === 'warn');
      expect(warned).toHaveLength(1);
      expect(warned[0]).toMatchObject({ refused: 1, byReason: { unsigned: 1 } });
      expect(quiet.turns()).toBe(0);
    } finally {
      await quiet.close();
    }
  });
});

describe('POST /slack/events: what Slack sends still works', () => {
  it('a correctly signed request reaches Bolt and is answered', async () => {
    const body = JSON.stringify({ type: 'url_verification', challenge: 'c-123', token: 'deprecated' });
    const res = await fetch(`http://127.0.0.1:${edge.port}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...signSlackRequest(TEST_SIGNING_SECRET, body) }, body });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ challenge: 'c-123' });
  });

  it("Slack's unsigned ssl_check is answered 200, and nothing smuggled with it runs", async () => {
    const res = await fetch(`http://127.0.0.1:${edge.port}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'ssl_check=1&token=deprecated' });
    expect(res.status).toBe(200);
    const smuggled = await fetch(`http://127.0.0.1:${edge.port}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'ssl_check=0&command=/evidence&text=log' });
    expect(smuggled.status).toBe(401);
    expect(edge.turns()).toBe(0);
  });
});
