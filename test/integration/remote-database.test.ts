// The main thread's Prisma client reaches the embedded database that the worker thread owns through
// src/db/remote-adapter.ts. Here both ends share one thread over a MessageChannel (the same protocol
// as between threads): what the services rely on must hold across it.
import { MessageChannel } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRemoteDatabase, type Database } from '../../src/db/database.ts';
import { driverAdapterHandlers } from '../../src/db/remote-adapter.ts';
import { AppError, invalidInput } from '../../src/lib/errors.ts';
import { RateLimitedError } from '../../src/ports/chat.ts';
import { createRpc } from '../../src/worker/rpc.ts';
import { loadRoster, PEOPLE, TestClock, quietLogger } from '../helpers/context.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { recordEvidence } from '../../src/services/evidence/record-evidence.ts';
import type { ServiceContext } from '../../src/services/kernel/context.ts';

describe('the embedded database from the other thread', () => {
  let owner: TestDatabase;
  let remote: Database;
  let channel: MessageChannel;
  let ctx: ServiceContext;
  beforeAll(async () => {
    owner = await createTestDatabase('pglite');
    channel = new MessageChannel();
    createRpc(channel.port1, driverAdapterHandlers(() => owner.migrationAdapterFactory));
    remote = await openRemoteDatabase(createRpc(channel.port2, {}), 'memory');
    ctx = { db: remote.prisma, clock: new TestClock(), log: quietLogger(), defaultTimeZone: 'Europe/London', kickOutbox: () => {} };
    await loadRoster(ctx);
  });
  afterAll(async () => {
    await remote?.close();
    channel?.port1.close();
    await owner?.destroy();
  });

  it('stores and reads through it: a log recorded over the channel is in the owner\'s database', async () => {
    const r = await recordEvidence(ctx, { actor: PEOPLE.learner, idempotencyKey: 'remote:1', source: 'cli', text: 'Rang a candidate back about the Leeds role #U7:1.1' });
    expect(r.duplicate).toBe(false);
    const row = await owner.prisma.entry.findUniqueOrThrow({ where: { idempotencyKey: 'remote:1' }, include: { criteria: true } });
    expect(row.summary).toBe('Rang a candidate back about the Leeds role');
    expect(row.criteria.map((c) => c.number)).toEqual(['1.1']);
    // The same request again returns the stored entry, not a second one.
    expect((await recordEvidence(ctx, { actor: PEOPLE.learner, idempotencyKey: 'remote:1', source: 'cli', text: 'Rang a candidate back about the Leeds role #U7:1.1' })).duplicate).toBe(true);
    expect(await owner.prisma.entry.count({ where: { idempotencyKey: 'remote:1' } })).toBe(1);
  });

  it('a unique violation is still Prisma\'s P2002 (two copies of one request racing rely on it)', async () => {
    const person = await remote.prisma.person.findFirstOrThrow();
    await expect(remote.prisma.person.create({ data: { ...person, id: crypto.randomUUID() } })).rejects.toMatchObject({ code: 'P2002' });
  });

  it('a transaction that fails leaves nothing; one that commits is seen by both sides', async () => {
    const before = await owner.prisma.contact.count();
    const learner = await remote.prisma.person.findFirstOrThrow({ where: { externalId: PEOPLE.learner.userId } });
    await expect(remote.prisma.$transaction(async (tx) => {
      await tx.contact.create({ data: { ownerId: learner.id, name: 'Half Written', kind: 'candidate' } });
      throw invalidInput('changed my mind');
    })).rejects.toBeInstanceOf(AppError);
    expect(await owner.prisma.contact.count()).toBe(before);

    await remote.prisma.$transaction(async (tx) => {
      await tx.contact.create({ data: { ownerId: learner.id, name: 'Whole Contact', kind: 'candidate' } });
    });
    expect(await owner.prisma.contact.count({ where: { name: 'Whole Contact' } })).toBe(1);
    expect(await remote.prisma.contact.count({ where: { name: 'Whole Contact' } })).toBe(1);
  });
});

describe('calls between the threads', () => {
  it('errors arrive as what they were: the person\'s message, a rate limit\'s wait', async () => {
    const channel = new MessageChannel();
    createRpc(channel.port1, {
      refuse: () => {
        throw invalidInput('There is no contact called "Sam" in your register.', { field: 'contactName' });
      },
      slow: () => {
        throw new RateLimitedError(30);
      },
      add: (a: number, b: number) => a + b,
    });
    const rpc = createRpc(channel.port2, {});
    try {
      expect(await rpc.call('add', 2, 3)).toBe(5);
      const refused = await rpc.call('refuse').catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(AppError);
      expect(refused).toMatchObject({ code: 'invalid_input', userMessage: 'There is no contact called "Sam" in your register.', details: { field: 'contactName' } });
      const limited = await rpc.call('slow').catch((e: unknown) => e);
      expect(limited).toBeInstanceOf(RateLimitedError);
      expect(limited).toMatchObject({ retryable: true, retryAfterSeconds: 30 });
      // The other side gone: waiting calls fail at once instead of hanging.
      const waiting = rpc.call('never-answered');
      rpc.fail('exited');
      await expect(waiting).rejects.toThrow(/gone/);
    } finally {
      channel.port1.close();
    }
  });
});
