// The one fake chat port for unit tests: records what would have been posted and updated, and can
// be told to fail the next calls the way a platform does (rate limit, outage, permanent refusal).
import { ChatError, type ChatPort, type ChatRecipient, type Platform, type PostedRef } from '../../src/ports/chat.ts';
import type { ChatMessage } from '../../src/ports/message.ts';

export interface SentMessage {
  to: ChatRecipient;
  message: ChatMessage;
  threadOf?: PostedRef;
  conversationId?: string;
  ref: PostedRef;
}

export class FakeChatPort implements ChatPort {
  readonly sent: SentMessage[] = [];
  readonly updates: { ref: PostedRef; message: ChatMessage }[] = [];
  /** Answers through a reply URL (Slack's response_url). */
  readonly responses: { url: string; message: ChatMessage }[] = [];
  private failures: ChatError[] = [];
  private seq = 0;

  constructor(readonly platform: Platform = 'slack') {}

  /** The next calls throw these, in order. */
  failNext(...errors: ChatError[]): void {
    this.failures.push(...errors);
  }

  async send(to: ChatRecipient, message: ChatMessage, options?: { threadOf?: PostedRef; conversationId?: string }): Promise<PostedRef> {
    const failure = this.failures.shift();
    if (failure) throw failure;
    const ref = { conversationId: options?.threadOf?.conversationId ?? options?.conversationId ?? `D-${to.userExternalId}`, messageId: `m${++this.seq}` };
    this.sent.push({ to, message, threadOf: options?.threadOf, conversationId: options?.conversationId, ref });
    return ref;
  }

  async update(ref: PostedRef, message: ChatMessage): Promise<void> {
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.updates.push({ ref, message });
  }

  async respond(url: string, message: ChatMessage): Promise<void> {
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.responses.push({ url, message });
  }

  /** Everything sent to one user, as plain text (for assertions). */
  textsFor(userExternalId: string): string[] {
    return this.sent.filter((s) => s.to.userExternalId === userExternalId).map((s) => messageText(s.message));
  }
}

/** All the text of a message, flattened. */
export function messageText(m: ChatMessage): string {
  return m.blocks
    .map((b) => {
      switch (b.type) {
        case 'header':
        case 'text':
        case 'context':
          return b.text;
        case 'fields':
          return b.fields.map((f) => `${f.label}: ${f.value}`).join('\n');
        case 'progress':
          return `${b.label} ${b.done}/${b.total} ${b.note ?? ''}`;
        case 'actions':
          return b.actions.map((a) => `[${a.label}]`).join(' ');
        default:
          return '';
      }
    })
    .join('\n');
}
