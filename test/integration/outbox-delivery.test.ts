// The outbox on the real database: with the platform failing 30% of calls and rate-limiting 10%,
// every message still arrives exactly once; two workers racing never send one message twice; a
// crashed sender's message is sent when its lease ends; Retry-After is honoured; a message that
// keeps failing is dead-lettered, logged and reported to the admins; quiet hours hold a message.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { PermanentChatError, RateLimitedError, TransientChatError, type ChatPort } from '../../src/ports/chat.ts';
import { deliverOutbox, LEASE_MS, MAX_ATTEMPTS } from '../../src/services/outbox/deliver-outbox.ts';
import { enqueue, type OutboxItem } from '../../src/services/outbox/outbox.ts';
import { BACKENDS } from '../helpers/db.ts';
import { createTestContext, loadRoster, type TestContext } from '../helpers/context.ts';
import { FakeChatPort, messageText } from '../helpers/fake-chat.ts';
import { FlakyChatPort } from '../helpers/flaky-chat.ts';

const T0 = new Date('2026-11-23T10:00:00Z');
const SLACK_PEOPLE = ['U0LEARN1', 'U0LEARN2', 'U0ASSESS1', 'U0ASSESS2', 'U0MANAGE1', 'U0IQA1'];

describe.each(BACKENDS)('outbox delivery (%s)', (backend) => {
  let t: TestContext;
  let ids: Map<string, string>;
  let logLines: { level: string; msg: string; [k: string]: unknown }[];
  let batch = 0;

  beforeAll(async () => {
    t = await createTestContext(backend);
    await loadRoster(t.ctx);
    ids = new Map((await t.db.prisma.person.findMany()).map((p) => [p.externalId, p.id]));
    // Capture the JSON log, as an operator would read it.
    const sink = new Writable({ write(chunk, _enc, done) { logLines.push(JSON.parse(String(chunk))); done(); } });
    t.ctx.log = createLogger('info', sink);
  });
  afterAll(() => t.db.destroy());
  beforeEach(async () => {
    logLines = [];
    batch++;
    t.clock.set(T0);
    await t.db.prisma.outboxMessage.deleteMany();
  });

  /** `n` distinct messages to the Slack people of the roster, each saying which it is. */
  async function messages(n: number, extra: Partial<OutboxItem> = {}): Promise<string[]> {
    const items: OutboxItem[] = Array.from({ length: n }, (_, i) => ({
      dedupeKey: `test:${batch}:${i}`,
      recipientId: ids.get(SLACK_PEOPLE[i % SLACK_PEOPLE.length]!)!,
      kind: 'test_message',
      payload: { purpose: 'notice', message: { fallback: `message ${batch}-${i}`, blocks: [{ type: 'text', text: `message ${batch}-${i}` }] } },
      ...extra,
    }));
    await enqueue(t.db.prisma, items);
    return items.map((i) => i.payload.message.fallback);
  }

  const pending = () => t.db.prisma.outboxMessage.count({ where: { status: 'pending' } });

  it('with 30% of calls failing and 10% rate-limited, every message arrives exactly once', async () => {
    const expected = await messages(40);
    const flaky = new FlakyChatPort({ failShare: 0.3, rateLimitShare: 0.1, seed: 7 });
    let now = T0;
    for (let pass = 0; pass < 200 && (await pending()) > 0; pass++) {
      await deliverOutbox(t.ctx, { slack: flaky }, { now, batchSize: 50 });
      now = new Date(now.getTime() + 31 * 60_000); // past the longest backoff
    }
    expect(await pending()).toBe(0);
    expect(flaky.failures).toBeGreaterThan(10);
    expect(flaky.rateLimited).toBeGreaterThan(3);
    const got = flaky.sent.map((s) => s.message.fallback).sort();
    expect(got).toEqual([...expected].sort());
    expect(await t.db.prisma.outboxMessage.count({ where: { status: 'dead' } })).toBe(0);
    // Each recorded as posted, once.
    expect(await t.db.prisma.postedMessage.count({ where: { outboxId: { in: (await t.db.prisma.outboxMessage.findMany({ select: { id: true } })).map((o) => o.id) } } })).toBe(40);
  }, 120_000);

  it('two workers delivering at the same moment never send a message twice', async () => {
    const expected = await messages(80);
    const slow = new FakeChatPort('slack');
    const send = slow.send.bind(slow);
    // A send takes a little while, so the two workers' passes overlap.
    slow.send = async (...args) => {
      await new Promise((r) => setTimeout(r, 10));
      return send(...args);
    };
    // A second connection pool where there is a server: as two replicas would be.
    const second = backend === 'postgresql' ? await openDatabase({ url: t.db.url!, schema: t.db.schema }) : undefined;
    const ctx2 = second ? { ...t.ctx, db: second.prisma } : t.ctx;
    await ctx2.db.$queryRawUnsafe('SELECT 1'); // connected before the race starts
    try {
      const [a, b] = await Promise.all([
        deliverOutbox(t.ctx, { slack: slow }, { now: T0, batchSize: 5 }),
        deliverOutbox(ctx2, { slack: slow }, { now: T0, batchSize: 5 }),
      ]);
      expect(a.sent + b.sent).toBe(80);
      if (backend === 'postgresql') expect(a.sent > 0 && b.sent > 0).toBe(true);
    } finally {
      await second?.close();
    }
    expect(slow.sent.map((s) => s.message.fallback).sort()).toEqual([...expected].sort());
  });

  it('a message claimed by a sender that crashed is sent once its lease ends', async () => {
    await messages(1);
    // As if another worker claimed it at T0 and died before sending.
    await t.db.prisma.outboxMessage.updateMany({ data: { lockedUntil: new Date(T0.getTime() + LEASE_MS) } });
    const chat = new FakeChatPort('slack');
    expect((await deliverOutbox(t.ctx, { slack: chat }, { now: new Date(T0.getTime() + LEASE_MS - 1000) })).sent).toBe(0);
    expect((await deliverOutbox(t.ctx, { slack: chat }, { now: new Date(T0.getTime() + LEASE_MS) })).sent).toBe(1);
    expect(chat.sent).toHaveLength(1);
  });

  it('a 429 is honoured: nothing more goes to that platform until Retry-After, and it is not counted as a failure', async () => {
    await messages(3);
    const chat = new FakeChatPort('slack');
    chat.failNext(new RateLimitedError(30));
    // One at a time, so the order is known: the first is refused with 429, the next two are not even tried.
    const first = await deliverOutbox(t.ctx, { slack: chat }, { now: T0, batchSize: 1 });
    expect(first).toMatchObject({ sent: 0, deferred: 3 });
    expect(chat.sent).toHaveLength(0);
    const rows = await t.db.prisma.outboxMessage.findMany();
    expect(rows.every((r) => r.attempts === 0 && r.nextAttemptAt.getTime() === T0.getTime() + 30_000)).toBe(true);
    expect((await deliverOutbox(t.ctx, { slack: chat }, { now: new Date(T0.getTime() + 29_000) })).sent).toBe(0);
    expect((await deliverOutbox(t.ctx, { slack: chat }, { now: new Date(T0.getTime() + 30_000) })).sent).toBe(3);
    expect(logLines.some((l) => l.msg === 'rate limited; outbox waits as asked' && l.retryInSeconds === 30)).toBe(true);
  });

  it('a message the platform refuses for good is dead-lettered, logged, and reported to the admins', async () => {
    await messages(1);
    const chat = new FakeChatPort('slack');
    chat.failNext(new PermanentChatError('channel_not_found'));
    const r = await deliverOutbox(t.ctx, { slack: chat }, { now: T0 });
    expect(r).toMatchObject({ dead: 1, sent: 1 }); // the admin's alert went out in the same pass
    const dead = await t.db.prisma.outboxMessage.findFirstOrThrow({ where: { status: 'dead' } });
    expect(dead.lastError).toBe('channel_not_found');
    expect(chat.sent.map((s) => s.to.userExternalId)).toEqual(['U0ADMIN1']);
    expect(messageText(chat.sent[0]!.message)).toContain('A test message message to Lee Learner could not be delivered after 1 attempts');
    const line = logLines.find((l) => l.msg === 'outbox message could not be delivered');
    expect(line).toMatchObject({ level: 'error', outboxId: dead.id, reason: 'channel_not_found' });
  });

  it(`after ${MAX_ATTEMPTS} failed attempts with backoff, a message is dead-lettered and reported, never dropped silently`, async () => {
    await messages(1);
    const down: ChatPort = {
      platform: 'slack',
      send: async () => { throw new TransientChatError('fake platform: 503'); },
      update: async () => { throw new TransientChatError('fake platform: 503'); },
    };
    let now = T0;
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      await deliverOutbox(t.ctx, { slack: down }, { now });
      const row = await t.db.prisma.outboxMessage.findFirstOrThrow({ where: { kind: 'test_message' } });
      if (row.status === 'dead') break;
      expect(row.attempts).toBe(i + 1);
      expect(row.nextAttemptAt.getTime()).toBeGreaterThan(now.getTime()); // backed off
      now = new Date(row.nextAttemptAt.getTime());
    }
    const row = await t.db.prisma.outboxMessage.findFirstOrThrow({ where: { kind: 'test_message' } });
    expect(row).toMatchObject({ status: 'dead', attempts: MAX_ATTEMPTS, lastError: 'fake platform: 503' });
    const alert = await t.db.prisma.outboxMessage.findFirstOrThrow({ where: { kind: 'admin_undelivered' } });
    expect(alert.recipientId).toBe(ids.get('U0ADMIN1'));
    expect(logLines.filter((l) => l.msg === 'outbox delivery failed; will retry' && l.kind === 'test_message')).toHaveLength(MAX_ATTEMPTS - 1);
  });

  it('a message held for quiet hours is not sent before its time', async () => {
    await messages(1, { notBefore: new Date('2026-11-24T08:00:00Z') });
    const chat = new FakeChatPort('slack');
    expect((await deliverOutbox(t.ctx, { slack: chat }, { now: new Date('2026-11-24T07:59:00Z') })).sent).toBe(0);
    expect((await deliverOutbox(t.ctx, { slack: chat }, { now: new Date('2026-11-24T08:00:00Z') })).sent).toBe(1);
  });

  it('the same dedupe key enqueued twice is one message', async () => {
    await messages(2);
    await messages(2); // the same keys again: a retried request, a double click
    expect(await t.db.prisma.outboxMessage.count()).toBe(2);
  });
});
