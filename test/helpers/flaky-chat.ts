// A chat port that fails like a bad day at the platform, deterministically: a seeded pattern makes
// a share of calls time out (TransientChatError) and a share answer 429 with Retry-After; the rest
// reach the FakeChatPort behind it. A failed call posts nothing, as with a real refused request.
import { RateLimitedError, TransientChatError, type ChatPort, type ChatRecipient, type PostedRef } from '../../src/ports/chat.ts';
import type { ChatMessage } from '../../src/ports/message.ts';
import { FakeChatPort } from './fake-chat.ts';

/** mulberry32: a small seeded PRNG, so every run fails the same calls. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FlakyChatPort implements ChatPort {
  readonly inner: FakeChatPort;
  calls = 0;
  failures = 0;
  rateLimited = 0;
  private readonly random: () => number;

  constructor(options: { platform?: 'slack' | 'teams'; failShare?: number; rateLimitShare?: number; seed?: number } = {}) {
    this.inner = new FakeChatPort(options.platform ?? 'slack');
    this.random = seeded(options.seed ?? 42);
    this.failShare = options.failShare ?? 0.3;
    this.rateLimitShare = options.rateLimitShare ?? 0.1;
  }
  private readonly failShare: number;
  private readonly rateLimitShare: number;

  get platform() {
    return this.inner.platform;
  }
  get sent() {
    return this.inner.sent;
  }

  private maybeFail(): void {
    this.calls++;
    const r = this.random();
    if (r < this.failShare) {
      this.failures++;
      throw new TransientChatError('fake platform: service unavailable');
    }
    if (r < this.failShare + this.rateLimitShare) {
      this.rateLimited++;
      throw new RateLimitedError(1 + Math.floor(this.random() * 30));
    }
  }

  async send(to: ChatRecipient, message: ChatMessage, options?: { threadOf?: PostedRef; conversationId?: string }): Promise<PostedRef> {
    this.maybeFail();
    return this.inner.send(to, message, options);
  }

  async update(ref: PostedRef, message: ChatMessage): Promise<void> {
    this.maybeFail();
    return this.inner.update(ref, message);
  }
}
