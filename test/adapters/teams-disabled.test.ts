// Teams switched off (no MICROSOFT_APP_ID and no TEAMS_ALLOW_UNAUTHENTICATED): the edge main.ts
// mounts instead, on the bot's own HTTP server. /api/messages answers 401 and nothing reaches the
// Bot Framework; messages for Teams people wait in the outbox. That main.ts mounts it is shown end
// to end by test/e2e/slack.test.ts, on a bot with Slack only.
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disabledTeamsEdge, REFUSED } from '../../adapters/teams/disabled.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createHttpServer } from '../../src/http/server.ts';
import { TransientChatError } from '../../src/ports/chat.ts';
import { quietLogger } from '../helpers/context.ts';
import { activities, postActivity, startFakeConnector, TEAMS_USERS, type FakeConnector } from '../helpers/teams-harness.ts';

describe('Teams switched off', () => {
  const edge = disabledTeamsEdge();
  const server = createHttpServer({ log: quietLogger(), routes: edge.routes, readiness: edge.readiness });
  let connector: FakeConnector;
  let base: string;

  beforeAll(async () => {
    connector = await startFakeConnector();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await connector?.close();
  });

  it('is what a configuration without credentials and without the opt-in gets', () => {
    expect(loadConfig({}).teams.enabled).toBe(false);
    expect(loadConfig({ MICROSOFT_APP_PASSWORD: 'a-secret-without-an-app-id' }).teams.enabled).toBe(false);
  });

  it('answers 401 on /api/messages without credentials and without the opt-in, saying what to set', async () => {
    const res = await postActivity(base, activities.message(TEAMS_USERS.learner, connector.url, 'help'));
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body)).toEqual(REFUSED);
    expect(res.body).toContain('MICROSOFT_APP_ID');
    expect(connector.calls).toEqual([]);
  });

  it('sends nothing: a message for a Teams person fails as a transient error, so the outbox keeps it', async () => {
    const recipient = { personId: 'p1', platform: 'teams' as const, workspaceExternalId: 'tenant-1', userExternalId: TEAMS_USERS.learner.aadObjectId };
    await expect(edge.chat.send(recipient, { fallback: 'Hello', blocks: [{ type: 'text', text: 'Hello' }] })).rejects.toBeInstanceOf(TransientChatError);
    expect(connector.calls).toEqual([]);
  });
});
