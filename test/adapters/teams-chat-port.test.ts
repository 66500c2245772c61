// The Teams chat port (what the outbox uses) against a fake Bot Framework connector on loopback:
// proactive sends, threads, updates, opening a chat, and the platform's failures as chat errors.
import { CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTeamsChatPort } from '../../adapters/teams/chat-port.ts';
import { NotInstalledError } from '../../adapters/teams/errors.ts';
import { PermanentChatError, RateLimitedError, TransientChatError, type ChatPort, type ChatRecipient } from '../../src/ports/chat.ts';
import type { ChatMessage } from '../../src/ports/message.ts';
import { createServices, type Services } from '../../src/services/index.ts';
import { createTestContext, loadRoster, quietLogger, type TestContext } from '../helpers/context.ts';
import { shownText, startFakeConnector, TEAMS_USERS, type FakeConnector } from '../helpers/teams-harness.ts';

const hello: ChatMessage = { fallback: 'Hello', blocks: [{ type: 'header', text: 'Hello' }, { type: 'text', text: 'From the outbox' }] };

describe('Teams chat port', () => {
  let t: TestContext;
  let services: Services;
  let connector: FakeConnector;
  let port: ChatPort;
  let learner: ChatRecipient;
  let assessor: ChatRecipient;

  beforeAll(async () => {
    t = await createTestContext();
    await loadRoster(t.ctx);
    services = createServices(t.ctx);
    connector = await startFakeConnector();
    port = createTeamsChatPort({ adapter: new CloudAdapter(new ConfigurationBotFrameworkAuthentication({})), services, log: quietLogger(), appId: '' });
    const recipient = async (aad: string): Promise<ChatRecipient> => {
      const p = await t.ctx.db.person.findFirstOrThrow({ where: { externalId: aad }, include: { workspace: true } });
      return { personId: p.id, platform: 'teams', workspaceExternalId: p.workspace.externalId, userExternalId: p.externalId };
    };
    learner = await recipient(TEAMS_USERS.learner.aadObjectId);
    assessor = await recipient(TEAMS_USERS.assessor.aadObjectId);
  });
  afterAll(async () => {
    await connector.close();
    await t.db.destroy();
  });
  beforeEach(() => {
    connector.calls.length = 0;
  });

  const storeLearnerReference = () => services.saveConversationRef({
    personId: learner.personId,
    reference: { channelId: 'msteams', serviceUrl: connector.url, conversation: { id: TEAMS_USERS.learner.conversationId, tenantId: 'tenant-1', conversationType: 'personal' }, bot: { id: '28:evidence-bot', name: 'Evidence' }, user: { id: '29:tess', aadObjectId: TEAMS_USERS.learner.aadObjectId } },
  });

  it('cannot reach someone nobody in their tenant has installed the app for: the message waits and the admins are told', async () => {
    await expect(port.send(assessor, hello)).rejects.toBeInstanceOf(NotInstalledError);
    expect(connector.calls).toEqual([]);
    const alerts = await t.ctx.db.outboxMessage.findMany({ where: { kind: 'admin_unreachable' } });
    expect(alerts.length).toBeGreaterThan(0);
    expect(JSON.stringify(alerts[0]!.payload)).toContain('Ben Assessor (assessor) has not installed the evidence bot in Microsoft Teams');
    // A second failure does not tell the admins again.
    await expect(port.send(assessor, hello)).rejects.toBeInstanceOf(NotInstalledError);
    expect(await t.ctx.db.outboxMessage.count({ where: { kind: 'admin_unreachable' } })).toBe(alerts.length);
  });

  it('posts a new message (not a reply) with the stored reference, and returns where it went', async () => {
    await storeLearnerReference();
    const ref = await port.send(learner, hello);
    expect(connector.calls).toHaveLength(1);
    const [call] = connector.calls;
    expect(call).toMatchObject({ method: 'POST', conversationId: TEAMS_USERS.learner.conversationId, activityId: undefined });
    expect(shownText(call!.body)).toContain('From the outbox');
    expect(ref).toEqual({ conversationId: TEAMS_USERS.learner.conversationId, messageId: call!.id });
  });

  it('replies in a thread and updates a message in place', async () => {
    await port.send(learner, hello, { threadOf: { conversationId: TEAMS_USERS.learner.conversationId, messageId: 'root-1' } });
    expect(connector.calls[0]).toMatchObject({ method: 'POST', conversationId: TEAMS_USERS.learner.conversationId, activityId: 'root-1' });
    await port.update({ conversationId: TEAMS_USERS.learner.conversationId, messageId: 'root-1' }, { fallback: 'Decided', blocks: [{ type: 'header', text: 'Approved' }] });
    expect(connector.calls[1]).toMatchObject({ method: 'PUT', conversationId: TEAMS_USERS.learner.conversationId, activityId: 'root-1' });
    expect(shownText(connector.calls[1]!.body)).toContain('Approved');
  });

  it('opens a 1:1 chat in the tenant for a roster person never heard from, and keeps it', async () => {
    const ref = await port.send(assessor, hello);
    const [create, post] = connector.calls;
    expect(create).toMatchObject({ method: 'POST', path: '/v3/conversations' });
    expect(create!.body).toMatchObject({ isGroup: false, bot: { id: '28:evidence-bot' }, members: [{ id: TEAMS_USERS.assessor.aadObjectId }], tenantId: 'tenant-1' });
    expect(post).toMatchObject({ method: 'POST', conversationId: create!.id });
    expect(ref.conversationId).toBe(create!.id);
    expect(await services.getConversationRef({ personId: assessor.personId })).toMatchObject({ conversation: { id: create!.id } });
  });

  it('makes one call per send and turns failures into chat errors the outbox understands', async () => {
    connector.failNext(429, { 'retry-after': '7' });
    const limited = await port.send(learner, hello).catch((e) => e);
    expect(limited).toBeInstanceOf(RateLimitedError);
    expect(limited.retryAfterSeconds).toBe(7);
    expect(connector.calls).toHaveLength(1); // the SDK's own retries are off: the outbox retries

    connector.failNext(503);
    await expect(port.send(learner, hello)).rejects.toBeInstanceOf(TransientChatError);
    connector.failNext(403, {}, { error: { code: 'ConversationBlockedByUser', message: 'blocked' } });
    await expect(port.send(learner, hello)).rejects.toBeInstanceOf(PermanentChatError);
    connector.failNext(403, {}, { error: { code: 'BotNotInConversationRoster', message: 'uninstalled' } });
    await expect(port.send(learner, hello)).rejects.toBeInstanceOf(NotInstalledError);
    expect(connector.calls).toHaveLength(4);
  });

  it('wakes the messages that waited for a person as soon as their reference is stored', async () => {
    const later = new Date(t.clock.now().getTime() + 6 * 3600_000);
    await t.ctx.db.outboxMessage.create({ data: { dedupeKey: 'waiting-1', recipientId: learner.personId, kind: 'nudge', payload: { purpose: 'nudge', message: hello } as never, nextAttemptAt: later, attempts: 1 } });
    const changed = await services.saveConversationRef({ personId: learner.personId, reference: { serviceUrl: connector.url, conversation: { id: 'a:1-tess-new' } } });
    expect(changed).toBe(true);
    const row = await t.ctx.db.outboxMessage.findUniqueOrThrow({ where: { dedupeKey: 'waiting-1' } });
    expect(row.nextAttemptAt.getTime()).toBe(t.clock.now().getTime());
    expect(await services.saveConversationRef({ personId: learner.personId, reference: { serviceUrl: connector.url, conversation: { id: 'a:1-tess-new' } } })).toBe(false);
  });
});
