// The inbox (src/services/commands/inbox.ts) against the real database: a write is committed before
// it is acknowledged, done once whoever runs it, answered once through the outbox, and a retry of
// the same request is answered from what was stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptCommand, INBOX_KEEP_DONE_MS, INBOX_LEASE_MS, runAccepted, sweepInbox, type Intake } from '../../src/services/commands/inbox.ts';
import { deliverOutbox } from '../../src/services/outbox/deliver-outbox.ts';
import type { AcceptedRequest, CommandInput } from '../../src/services/kernel/requests.ts';
import { BACKENDS } from '../helpers/db.ts';
import { createTestContext, loadRoster, PEOPLE, type TestContext } from '../helpers/context.ts';
import { FakeChatPort, messageText } from '../helpers/fake-chat.ts';

describe.each(BACKENDS)('the inbox (%s)', (backend) => {
  let t: TestContext;
  let n = 0;
  const command = (text: string, o: Partial<CommandInput> = {}): CommandInput => ({
    actor: PEOPLE.learner, text, requestId: `trigger-${++n}`, source: 'slack', replyUrl: `https://hooks.example/respond/${n}`, ...o,
  });
  const accepted = (i: Intake): AcceptedRequest => {
    if (i.state !== 'accepted') throw new Error(`expected accepted, got ${i.state}`);
    return i.run;
  };
  beforeAll(async () => {
    t = await createTestContext(backend);
    await loadRoster(t.ctx);
  });
  afterAll(() => t.db.destroy());

  it('commits a write before it is run; the runner stores it once and answers through the reply URL once', async () => {
    const input = command('log Called Sam to check in after his first week #U7:2.1');
    const req = accepted(await acceptCommand(t.ctx, input));
    // Committed, not yet done: nothing stored, and the request is in the table.
    expect(await t.db.prisma.inboxRequest.findUnique({ where: { key: req.key } })).toMatchObject({ status: 'pending', personId: expect.any(String) });
    expect(await t.db.prisma.entry.count({ where: { summary: { contains: 'first week' } } })).toBe(0);

    const answer = await runAccepted(t.ctx, req);
    expect(messageText(answer!)).toContain('Evidence recorded');
    // A second runner holding a stale lease (one that was taken over) stores nothing and answers nothing.
    expect(await runAccepted(t.ctx, req)).toBeUndefined();
    expect(await t.db.prisma.entry.count({ where: { summary: { contains: 'first week' } } })).toBe(1);

    const chat = new FakeChatPort('slack');
    await deliverOutbox(t.ctx, { slack: chat });
    expect(chat.responses.map((r) => r.url)).toEqual([input.replyUrl]);
    expect(messageText(chat.responses[0]!.message)).toContain('Evidence recorded');
    // The person's words are not kept once the request is done.
    expect((await t.db.prisma.inboxRequest.findUnique({ where: { key: req.key } }))?.input).toBeNull();
  });

  it('a retry of the same request is answered from the stored result; one still running is only acknowledged', async () => {
    const input = command('log Sent Priya three roles that match her CV #U7:1.1');
    const req = accepted(await acceptCommand(t.ctx, input));
    expect(await acceptCommand(t.ctx, input)).toEqual({ state: 'in-progress' });
    await runAccepted(t.ctx, req);
    const again = await acceptCommand(t.ctx, input);
    expect(again.state).toBe('answered');
    expect(messageText((again as Extract<Intake, { state: 'answered' }>).message)).toContain('Evidence recorded');
    expect(await t.db.prisma.entry.count({ where: { summary: { contains: 'three roles' } } })).toBe(1);
  });

  it('the same request ID from another person is their own request', async () => {
    const mine = command('log Booked a call with a client about a new vacancy #U7:1.1');
    const theirs = { ...mine, actor: PEOPLE.learner2 };
    const a = accepted(await acceptCommand(t.ctx, mine));
    const b = accepted(await acceptCommand(t.ctx, theirs));
    expect(a.key).not.toBe(b.key);
  });

  it('what a dead runner left is taken over once its lease has ended, and answered once', async () => {
    const input = command('log Rang Jo after the interview to give feedback #U7:2.1');
    const req = accepted(await acceptCommand(t.ctx, input)); // accepted, and its runner "dies" here
    expect(await sweepInbox(t.ctx)).toMatchObject({ recovered: 0 }); // its lease still holds
    t.clock.advance(INBOX_LEASE_MS + 1);
    // Two replicas sweeping at the same moment (earlier tests' unfinished requests are taken over too).
    await Promise.all([sweepInbox(t.ctx), sweepInbox(t.ctx)]);
    expect(await t.db.prisma.entry.count({ where: { summary: { contains: 'after the interview' } } })).toBe(1);
    const row = await t.db.prisma.inboxRequest.findUniqueOrThrow({ where: { key: req.key } });
    expect(row).toMatchObject({ status: 'done', attempts: 2 });
    expect(await t.db.prisma.outboxMessage.count({ where: { dedupeKey: `inbox:${req.key}:answer` } })).toBe(1);
    // The old runner coming back to life changes nothing.
    expect(await runAccepted(t.ctx, req)).toBeUndefined();
  });

  it('a refused write is answered with what to fix, and stores nothing', async () => {
    const req = accepted(await acceptCommand(t.ctx, command('log Called a candidate #U7:9.9')));
    const answer = await runAccepted(t.ctx, req);
    expect(messageText(answer!)).toContain('is not one of your criteria');
    expect(await t.db.prisma.entry.count({ where: { summary: 'Called a candidate' } })).toBe(0);
  });

  it('reads, and people not on the roster, are answered directly, not through the inbox', async () => {
    expect(await acceptCommand(t.ctx, command('list'))).toEqual({ state: 'direct' });
    expect(await acceptCommand(t.ctx, command('progress'))).toEqual({ state: 'direct' });
    expect(await acceptCommand(t.ctx, command('log Called Sam #U7:2.1', { actor: PEOPLE.stranger }))).toEqual({ state: 'direct' });
    expect(await acceptCommand(t.ctx, command('contact add "Sam Taylor" kind:candidate'))).toMatchObject({ state: 'accepted' });
  });

  it('done requests are deleted after an hour', async () => {
    const doneBefore = await t.db.prisma.inboxRequest.count({ where: { status: 'done' } });
    expect(doneBefore).toBeGreaterThan(0);
    t.clock.advance(INBOX_KEEP_DONE_MS + 1);
    expect(await sweepInbox(t.ctx)).toMatchObject({ deleted: doneBefore });
    expect(await t.db.prisma.inboxRequest.count({ where: { status: 'done', doneAt: { lt: new Date(t.clock.now().getTime() - INBOX_KEEP_DONE_MS) } } })).toBe(0);
  });
});
