// What the core needs from a chat platform: post a message to a person (optionally in a thread),
// update a posted message in place. Slack and Teams adapters implement it; tests use a fake.
// Platform failures come back as the ChatError classes below, so the outbox can decide to retry.
import type { ChatMessage } from './message.ts';

export type Platform = 'slack' | 'teams';

/** A person as the platform knows them. */
export interface ChatRecipient {
  personId: string;
  platform: Platform;
  /** Slack team ID or Teams tenant ID ('' when the roster named none). */
  workspaceExternalId: string;
  /** Slack user ID or AAD object ID. */
  userExternalId: string;
}

/** Where a posted message lives, so it can be threaded under or updated. */
export interface PostedRef {
  conversationId: string;
  messageId: string;
}

export interface ChatPort {
  readonly platform: Platform;
  /** Posts to the person's DM (or `conversationId` when given, e.g. a centre's assessor channel). */
  send(to: ChatRecipient, message: ChatMessage, options?: { threadOf?: PostedRef; conversationId?: string }): Promise<PostedRef>;
  update(ref: PostedRef, message: ChatMessage): Promise<void>;
  /** Answers a command where the platform gave a reply address (Slack's response_url), seen only by its sender. */
  respond?(replyUrl: string, message: ChatMessage): Promise<void>;
}

export class ChatError extends Error {
  constructor(message: string, readonly retryable: boolean, readonly retryAfterSeconds?: number) {
    super(message);
    this.name = 'ChatError';
  }
}
/** 429: wait Retry-After seconds. */
export class RateLimitedError extends ChatError {
  constructor(retryAfterSeconds: number) {
    super(`rate limited; retry after ${retryAfterSeconds}s`, true, retryAfterSeconds);
    this.name = 'RateLimitedError';
  }
}
/** The platform is down or timed out: try again later. */
export class TransientChatError extends ChatError {
  constructor(message: string) {
    super(message, true);
    this.name = 'TransientChatError';
  }
}
/** Will not work by retrying (the user left, the bot is not installed, the token is revoked). */
export class PermanentChatError extends ChatError {
  constructor(message: string) {
    super(message, false);
    this.name = 'PermanentChatError';
  }
}
