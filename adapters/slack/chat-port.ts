// The ChatPort for Slack: posts to a person's DM (opened with conversations.open, remembered), or
// to a given channel, or as a reply in a thread; updates a posted message in place. Every failure
// leaves as a ChatError (errors.ts) for the outbox to retry or give up on.
import type { webApi } from '@slack/bolt';
import type { ChatPort, ChatRecipient, PostedRef } from '../../src/ports/chat.ts';
import type { ChatMessage } from '../../src/ports/message.ts';
import { TransientChatError } from '../../src/ports/chat.ts';
import { fallbackText, fitBlocks, paginate, renderBlocks, renderReply, LIMITS } from './block-kit/message.ts';
import { toChatError } from './errors.ts';

type WebClient = webApi.WebClient;

export interface SlackChatPort extends ChatPort {
  /** The ID of the bot's DM with this user, opening it if need be. */
  openDm(userId: string): Promise<string>;
  /** Answers a slash command, seen only by its sender, through its response_url (30 minutes, 5 uses). */
  respond(responseUrl: string, message: ChatMessage): Promise<void>;
}

export function createSlackChatPort(client: WebClient): SlackChatPort {
  // DM channel IDs never change for a user, so one conversations.open per person per process.
  const dms = new Map<string, string>();

  async function openDm(userId: string): Promise<string> {
    const known = dms.get(userId);
    if (known) return known;
    const res = await call(() => client.conversations.open({ users: userId }));
    const id = res.channel?.id;
    if (!id) throw toChatError(new Error('conversations.open returned no channel'));
    if (dms.size > 10_000) dms.clear();
    dms.set(userId, id);
    return id;
  }

  return {
    platform: 'slack',
    openDm,
    async respond(responseUrl, message) {
      const res = await fetch(responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ response_type: 'ephemeral', ...renderReply(message) }),
        signal: AbortSignal.timeout(10_000),
      }).catch((err: unknown) => {
        throw new TransientChatError(`response_url could not be reached: ${(err as Error).message}`);
      });
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) throw new TransientChatError(`response_url answered ${res.status}`);
    },
    async send(to: ChatRecipient, message: ChatMessage, options?: { threadOf?: PostedRef; conversationId?: string }): Promise<PostedRef> {
      const channel = options?.threadOf?.conversationId ?? options?.conversationId ?? (await openDm(to.userExternalId));
      const threadTs = options?.threadOf?.messageId;
      const text = fallbackText(message);
      // A message longer than Slack's 50 blocks goes out as several, the first one being the reference.
      const pages = paginate(renderBlocks(message), LIMITS.messageBlocks);
      let first: PostedRef | undefined;
      for (const blocks of pages) {
        const res = await call(() => client.chat.postMessage({
          channel, text, blocks, unfurl_links: false, unfurl_media: false, ...(threadTs ? { thread_ts: threadTs } : {}),
        }));
        first ??= { conversationId: res.channel ?? channel, messageId: res.ts! };
      }
      return first!;
    },
    async update(ref: PostedRef, message: ChatMessage): Promise<void> {
      await call(() => client.chat.update({ channel: ref.conversationId, ts: ref.messageId, text: fallbackText(message), blocks: fitBlocks(renderBlocks(message)) }));
    },
  };
}

async function call<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    throw toChatError(err);
  }
}
