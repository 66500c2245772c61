// /api/messages with Bot Framework credentials: botbuilder verifies every activity's token. A
// request without a bearer token, or with one that is not a Bot Framework token, is refused
// before any turn runs. (A real signed token cannot be made offline; the e2e tests run with the
// documented TEAMS_ALLOW_UNAUTHENTICATED opt-in instead.)
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeamsAdapter } from '../../adapters/teams/index.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createHttpServer } from '../../src/http/server.ts';
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

  it('answers 400 to something that is not an activity', async () => {
    const res = await fetch(`${base}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer x' }, body: '{"foo":1}' });
    expect(res.status).toBe(400);
  });
});
