// The Teams chat port: how the outbox reaches people in Teams. Every message is proactive
// (continueConversationAsync with the conversation reference stored when the person installed
// the app or last wrote). For someone never heard from, the bot opens a 1:1 chat in their tenant
// when it can; otherwise NotInstalledError keeps the message waiting (see errors.ts).
import { TurnContext, type CloudAdapter, type ConversationReference } from 'botbuilder';
import type { Logger } from '../../src/lib/logger.ts';
import type { ChatPort, ChatRecipient, PostedRef } from '../../src/ports/chat.ts';
import type { ChatMessage } from '../../src/ports/message.ts';
import type { StoredReference } from '../../src/services/kernel/conversation-refs.ts';
import type { Services } from '../../src/services/index.ts';
import { messageActivity } from './cards.ts';
import { NotInstalledError, toChatError } from './errors.ts';

export interface TeamsChatPortOptions {
  adapter: CloudAdapter;
  services: Services;
  log: Logger;
  /** MICROSOFT_APP_ID; '' when running unauthenticated (Emulator, tests). */
  appId: string;
}

export function createTeamsChatPort(options: TeamsChatPortOptions): ChatPort {
  const { adapter, services, log, appId } = options;

  /** Runs `logic` in the conversation; the outbox owns retries, so the SDK's own are switched off. */
  async function inConversation<T>(reference: Partial<ConversationReference>, what: string, logic: (context: TurnContext) => Promise<T>): Promise<T> {
    let result: T | undefined;
    try {
      await adapter.continueConversationAsync(appId, reference, async (context) => {
        withoutSdkRetries(context, adapter);
        result = await logic(context);
      });
    } catch (err) {
      throw toChatError(err, what);
    }
    return result as T;
  }

  /** Opens the 1:1 chat with a roster person the bot has never heard from, and stores it. */
  async function openConversation(to: ChatRecipient): Promise<StoredReference> {
    const known = await services.findWorkspaceReference({ platform: 'teams', workspaceExternalId: to.workspaceExternalId });
    const tenantId = to.workspaceExternalId || (known?.conversation as { tenantId?: string } | undefined)?.tenantId || '';
    const botId = (known?.bot as { id?: string } | undefined)?.id ?? (appId ? `28:${appId}` : '');
    if (!known?.serviceUrl || !botId || !tenantId) {
      await services.reportUnreachable({ personId: to.personId, reason: 'has not installed the Teams app, and nobody in their organisation has yet, so the bot cannot open a chat' });
      throw new NotInstalledError('not installed: no conversation with this person, and no service URL for their tenant to open one');
    }
    let created: Partial<ConversationReference> | undefined;
    try {
      await adapter.createConversationAsync(
        appId,
        'msteams',
        known.serviceUrl,
        undefined as unknown as string, // the SDK's default audience for this cloud
        { isGroup: false, bot: { id: botId, name: '' }, members: [{ id: to.userExternalId, name: '' }], tenantId, channelData: { tenant: { id: tenantId } } } as never,
        async (context) => {
          created = TurnContext.getConversationReference(context.activity);
        },
      );
    } catch (err) {
      const e = toChatError(err, 'teams createConversation');
      // Teams refuses a chat with someone who has not installed the app (403/404): wait for them.
      if (!e.retryable && !(e instanceof NotInstalledError)) {
        await services.reportUnreachable({ personId: to.personId, reason: `Teams would not open a chat with them (${e.message})` });
        throw new NotInstalledError(`not installed: ${e.message}`);
      }
      if (e instanceof NotInstalledError) await services.reportUnreachable({ personId: to.personId, reason: e.message });
      throw e;
    }
    const { activityId: _none, ...reference } = created ?? {};
    const stored = JSON.parse(JSON.stringify({ ...reference, bot: { id: botId }, user: { id: to.userExternalId, aadObjectId: to.userExternalId } })) as StoredReference;
    await services.saveConversationRef({ personId: to.personId, reference: stored });
    log.info({ personId: to.personId }, 'teams: opened a 1:1 chat proactively');
    return stored;
  }

  async function referenceFor(to: ChatRecipient, conversationId?: string): Promise<StoredReference> {
    const own = await services.getConversationRef({ personId: to.personId });
    if (!conversationId) return own ?? (await openConversation(to));
    // Another conversation (a thread in the person's chat, a centre's channel): its own reference
    // if the bot has one, else the person's (same service URL) pointed at that conversation.
    const there = await services.findConversationRef({ conversationId });
    if (there) return there;
    const base = own ?? (await services.findWorkspaceReference({ platform: 'teams', workspaceExternalId: to.workspaceExternalId }));
    if (!base?.serviceUrl) throw new NotInstalledError(`not installed: no service URL known for conversation ${conversationId}`);
    const isChannel = conversationId.includes('@thread');
    return { ...base, conversation: { ...(base.conversation ?? {}), id: conversationId, ...(isChannel ? { isGroup: true, conversationType: 'channel' } : {}) } };
  }

  return {
    platform: 'teams',

    async send(to: ChatRecipient, message: ChatMessage, opts?: { threadOf?: PostedRef; conversationId?: string }): Promise<PostedRef> {
      const target = opts?.threadOf?.conversationId ?? opts?.conversationId;
      const reference = await referenceFor(to, target);
      const replyToId = opts?.threadOf?.messageId;
      const activity = messageActivity(message);
      const id = await inConversation(reference as Partial<ConversationReference>, 'teams send', async (context) => {
        // A reply in a thread where there is one; otherwise a new message (not a reply to the
        // synthetic activity continueConversation invents).
        context.onSendActivities(async (_ctx, activities, next) => {
          for (const a of activities) a.replyToId = replyToId;
          return next();
        });
        const r = await context.sendActivity(activity);
        return r?.id;
      });
      const conversationId = (reference.conversation?.id as string | undefined) ?? target ?? '';
      return { conversationId, messageId: id ?? '' };
    },

    async update(ref: PostedRef, message: ChatMessage): Promise<void> {
      // The conversation's own reference; else any (one bot talks to one service URL per region,
      // and a person's newer chat may have replaced the one the message was posted in).
      const reference = (await services.findConversationRef({ conversationId: ref.conversationId }))
        ?? (await services.findWorkspaceReference({ platform: 'teams', workspaceExternalId: '' }));
      if (!reference?.serviceUrl) throw new NotInstalledError(`not installed: no service URL known to update a message in ${ref.conversationId}`);
      await inConversation(reference as Partial<ConversationReference>, 'teams update', async (context) => {
        await context.updateActivity({ ...messageActivity(message), id: ref.messageId, conversation: { ...(reference.conversation as object), id: ref.conversationId } as never });
      });
    },
  };
}

/**
 * The connector client retries 429 and 5xx itself, up to 3 times and honouring Retry-After, while
 * the outbox holds a 60-second lease on the message: a long wait could let another worker send it
 * again. The outbox has its own backoff, so the SDK's retry phase is removed for proactive calls.
 */
function withoutSdkRetries(context: TurnContext, adapter: CloudAdapter): void {
  const client = context.turnState.get(adapter.ConnectorClientKey) as { client?: { pipeline?: { removePolicy(o: { phase: string }): unknown } } } | undefined;
  client?.client?.pipeline?.removePolicy({ phase: 'Retry' });
}
