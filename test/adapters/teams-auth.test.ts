// /api/messages with Bot Framework credentials: botbuilder verifies every activity's token. A
// request without a bearer token, or with one that is not a Bot Framework token, is refused
// before any turn runs. (A real signed token cannot be made offline; the e2e tests run with the
// documented TEAMS_ALLOW_UNAUTHENTICATED opt-in instead.)
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTeamsAdapter } from '../../adapters/teams/index.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createHttpServer } from '../../src/http/server.ts';
import { createLogger } from '../../src/lib/logger.ts';
import type { Services } from '../../src/services/index.ts';
import { quietLogger } from '../helpers/context.ts';
import { activities, TEAMS_USERS } from '../helpers/teams-harness.ts';

describe('Teams with credentials', () => {
  let base: string;
  let turns = 0;
  const server = (() => {
    const config = loadConfig({ MICROSOFT_APP_ID: '3f2b8c1e-5a4d-4e7f-9b6a-1c2d3e4f5a6b', MICROSOFT_APP_PASSWORD: 'not-a-real-secret' });
    // Any service call would mean a turn ran: count them, none must happen.
    const services = new Proxy({}, { get: () => async () => void turns++ }) as unknown as Services;
    const edge = createTeamsAdapter(config.teams, services, quietLogger());
    return createHttpServer({ log: quietLogger(), routes: edge.routes, readiness: [] });
  })();

  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const post = (headers: Record<string, string>) =>
    fetch(`${base}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(activities.message(TEAMS_USERS.learner, 'https://smba.example/', 'help')) });

  it('answers 401 to an activity without a bearer token', async () => {
    expect((await post({})).status).toBe(401);
  });

  it('answers 401 to a token that is not a Bot Framework token', async () => {
    expect((await post({ authorization: 'Bearer not.a.jwt' })).status).toBe(401);
    expect(turns).toBe(0);
  });

  it('answers a Bot Framework-shaped forged token 401 or 503 with a plain body, whatever Microsoft answers', { timeout: 15_000 }, async () => {
    // With the default endpoints: offline, the metadata host does not resolve (503); online, the
    // forged key ID is not among Microsoft's keys (401). Never a 500 carrying the upstream error.
    const res = await post({ authorization: `Bearer ${forgedToken('3f2b8c1e-5a4d-4e7f-9b6a-1c2d3e4f5a6b')}` });
    const text = await res.text();
    expect([401, 503]).toContain(res.status);
    expect(text).not.toMatch(/login\.botframework\.com|ENOTFOUND|EAI_AGAIN|request to|Signing Key/);
    expect(turns).toBe(0);
  });

  it('answers 400 to something that is not an activity', async () => {
    const res = await fetch(`${base}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer x' }, body: '{"foo":1}' });
    expect(res.status).toBe(400);
  });
});

/** A token shaped like the Bot Framework's (its issuer, our app ID) but signed by nobody. */
function forgedToken(appId: string): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: 'RS256', typ: 'JWT', kid: 'forged-key' })}.${part({ iss: 'https://api.botframework.com', aud: appId, nbf: now - 60, exp: now + 3600, serviceurl: 'https://smba.example/' })}.${Buffer.from('not a signature').toString('base64url')}`;
}

/** A loopback port with nothing listening: connecting to it fails at once. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((r) => probe.close(() => r()));
  return port;
}

describe('Teams with credentials, when Microsoft cannot be asked about a token', () => {
  const APP_ID = '3f2b8c1e-5a4d-4e7f-9b6a-1c2d3e4f5a6b';
  const lines: Record<string, any>[] = [];
  const sink = new Writable({ write(chunk, _e, done) { for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l)); done(); } });
  let base: string;
  let server: Server;
  let turns = 0;
  const consoleCalls: unknown[][] = [];

  beforeAll(async () => {
    // Microsoft's sign-in metadata at a port nobody listens on: as unreachable as it gets, at once.
    const metadata = `http://127.0.0.1:${await closedPort()}/v1/.well-known/openidconfiguration`;
    const config = loadConfig({ MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: 'not-a-real-secret' });
    const services = new Proxy({}, { get: () => async () => void turns++ }) as unknown as Services;
    const log = createLogger('info', sink);
    const edge = createTeamsAdapter(config.teams, services, log, {
      botFrameworkAuth: {
        // The public cloud's values (botframework-connector's AuthenticationConstants), metadata aside.
        ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
        ToChannelFromBotOAuthScope: 'https://api.botframework.com',
        ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
        OAuthUrl: 'https://api.botframework.com',
        ToBotFromChannelOpenIdMetadataUrl: metadata,
        ToBotFromEmulatorOpenIdMetadataUrl: metadata,
        CallerId: 'urn:botframework:azure',
        ValidateAuthority: true,
      },
    });
    server = createHttpServer({ log, routes: edge.routes, readiness: [] });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (const level of ['log', 'error', 'warn', 'info'] as const) vi.spyOn(console, level).mockImplementation((...args) => void consoleCalls.push([level, ...args]));
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const post = (body: unknown, token = forgedToken(APP_ID)) =>
    fetch(`${base}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });

  it('answers a forged token 503 with a plain body, logs one JSON line, and prints nothing', async () => {
    const before = lines.length;
    const res = await post(activities.message(TEAMS_USERS.learner, 'https://smba.example/', 'help'));
    const text = await res.text();
    expect(res.status).toBe(503);
    expect(JSON.parse(text)).toEqual({ error: 'could not check the request\'s credentials; try again later' });
    expect(text).not.toMatch(/ECONNREFUSED|openidconfiguration|request to|127\.0\.0\.1/);
    expect(consoleCalls).toEqual([]);
    const logged = lines.slice(before);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 'error', edge: 'teams' });
    expect(JSON.stringify(logged[0])).not.toContain('    at ');
    expect(turns).toBe(0);
  });

  it('answers 400 to an activity whose serviceUrl is not a URL string, before any token check', async () => {
    for (const serviceUrl of [42, { toLowerCase: 1 }, 'not a url', 'javascript:alert(1)']) {
      const res = await post({ ...activities.message(TEAMS_USERS.learner, 'https://smba.example/', 'help'), serviceUrl });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: 'the body must be a Bot Framework activity (JSON)' });
    }
    const { conversation: _c, ...noConversation } = activities.message(TEAMS_USERS.learner, 'https://smba.example/', 'help');
    expect((await post(noConversation)).status).toBe(400);
    expect((await post({ ...activities.message(TEAMS_USERS.learner, 'https://smba.example/', 'help'), from: {} })).status).toBe(400);
    expect(consoleCalls).toEqual([]);
    expect(turns).toBe(0);
  });

  it('answers 413 to a body declared bigger than any activity, from the headers alone', async () => {
    const { port } = server.address() as AddressInfo;
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let received = '';
      const timer = setTimeout(() => { socket.destroy(); reject(new Error('no answer: the server is waiting for the body')); }, 2_000);
      socket.on('data', (d) => { received += d.toString('latin1'); });
      socket.on('error', () => {});
      socket.on('close', () => { clearTimeout(timer); resolve(received); });
      socket.write(`POST /api/messages HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\nauthorization: Bearer ${forgedToken(APP_ID)}\r\ncontent-length: ${10 * 1024 * 1024}\r\n\r\n`);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
  });
});

describe('Teams without credentials (the documented local opt-in)', () => {
  it('answers 400, not 500, to an activity whose serviceUrl is not a string', async () => {
    const config = loadConfig({ TEAMS_ALLOW_UNAUTHENTICATED: 'true' });
    const services = new Proxy({}, { get: () => async () => {} }) as unknown as Services;
    const edge = createTeamsAdapter(config.teams, services, quietLogger());
    const server = createHttpServer({ log: quietLogger(), routes: edge.routes, readiness: [] });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...activities.message(TEAMS_USERS.learner, 'https://smba.example/', 'help'), serviceUrl: 42 }),
      });
      expect(res.status).toBe(400);
      expect(await res.text()).not.toContain('toLowerCase');
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
