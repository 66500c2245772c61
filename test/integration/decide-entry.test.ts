// Assessors' decisions on the real database: who may decide (from the roster, whatever the request
// says), stale and repeated clicks, what the assessor, the thread and the learner receive, and the
// history each step leaves.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideEntry } from '../../src/services/verification/decide-entry.ts';
import { BACKENDS } from '../helpers/db.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { FakeChatPort, messageText } from '../helpers/fake-chat.ts';
import { buttons, deliver, loadVerificationRoster, logEntry, refusedWith, requestId, sentTo, textOf, WHO } from './verification-helpers.ts';

describe.each(BACKENDS)('deciding on an entry (%s)', (backend) => {
  let t: TestContext;
  let chat: FakeChatPort;
  beforeAll(async () => {
    t = await createTestContext(backend);
    await loadVerificationRoster(t);
    chat = new FakeChatPort('slack');
  });
  afterAll(() => t.db.destroy());

  it('the assigned assessor approves from the root buttons; the root closes, the thread and the learner are told', async () => {
    const entry = await logEntry(t);
    const first = await deliver(t, chat);
    const root = sentTo(first.sent, 'U0ASSESS1')[0]!;
    const approve = buttons(root).find((b) => b.id === 'entry.approve')!;
    expect(buttons(root).map((b) => b.label)).toEqual(['Approve', 'Request changes', 'Reject']);
    expect(approve.value).toBe(`${entry.id}:1`);

    const r = await decideEntry(t.ctx, { actor: WHO.assessor, entryId: entry.id, version: 1, outcome: 'approve', requestId: requestId() });
    expect(r.duplicate).toBe(false);
    expect(r.entry.status).toBe('approved');
    expect(messageText(r.reply)).toContain('Lee Learner has been told');

    const out = await deliver(t, chat);
    // The root is updated in place: same message, no decision buttons left.
    expect(out.updates).toHaveLength(1);
    expect(out.updates[0]!.ref).toEqual(root.ref);
    const updated = messageText(out.updates[0]!.message);
    expect(updated).toContain('Approved by Ava Assessor');
    expect(updated).not.toContain('[Approve]');
    // A note in the entry's thread, and a DM to the learner.
    const note = sentTo(out.sent, 'U0ASSESS1');
    expect(note).toHaveLength(1);
    expect(note[0]!.threadOf).toEqual(root.ref);
    expect(textOf(note[0]!)).toContain('Approved by Ava Assessor');
    const toLearner = sentTo(out.sent, 'U0LEARN1');
    expect(toLearner).toHaveLength(1);
    expect(toLearner[0]!.threadOf).toBeUndefined();
    expect(textOf(toLearner[0]!)).toContain('Your evidence was approved');

    const events = await t.db.prisma.entryEvent.findMany({ where: { entryId: entry.id }, orderBy: { createdAt: 'asc' } });
    expect(events.map((e) => [e.action, e.fromStatus, e.toStatus])).toEqual([['created', null, 'pending'], ['approved', 'pending', 'approved']]);
    const assessor = await t.db.prisma.person.findFirstOrThrow({ where: { externalId: 'U0ASSESS1' } });
    expect(events[1]!.actorId).toBe(assessor.id);
  });

  it('requires feedback for changes and reject, and stores nothing without it', async () => {
    const entry = await logEntry(t);
    for (const outcome of ['changes', 'reject'] as const) {
      for (const feedback of [undefined, '', '   \u200b ']) {
        const msg = await refusedWith(t, 'invalid_input', () =>
          decideEntry(t.ctx, { actor: WHO.assessor, entryId: entry.id, version: 1, outcome, feedback, requestId: requestId() }));
        expect(msg).toMatch(/Write the feedback the learner will see/);
      }
    }
  });

  it('asks for changes: the learner gets the feedback and an Edit button for the new version', async () => {
    const entry = await logEntry(t, 'Met a client #U7:1.1');
    await deliver(t, chat);
    await decideEntry(t.ctx, { actor: WHO.assessor, entryId: entry.id, version: 1, outcome: 'changes', feedback: 'Say which roles you discussed.', requestId: requestId() });
    const out = await deliver(t, chat);
    const dm = sentTo(out.sent, 'U0LEARN1')[0]!;
    expect(textOf(dm)).toContain('Your assessor asked for changes');
    expect(textOf(dm)).toContain('Say which roles you discussed.');
    expect(buttons(dm)).toEqual([{ id: 'entry.edit', label: 'Edit', value: `${entry.id}:2`, style: 'primary' }]);
    const row = await t.db.prisma.entry.findUniqueOrThrow({ where: { id: entry.id } });
    expect([row.status, row.version]).toEqual(['changes_requested', 2]);
  });

  it('refuses the learner, their manager (even holding the assessor role), another workspace and an unknown person, storing nothing', async () => {
    const entry = await logEntry(t);
    const lee = await refusedWith(t, 'forbidden', () => decideEntry(t.ctx, { actor: WHO.learner, entryId: entry.id, version: 1, outcome: 'approve', requestId: requestId() }));
    expect(lee).toContain("can't assess your own evidence");
    const outside = await refusedWith(t, 'forbidden', () => decideEntry(t.ctx, { actor: WHO.otherAssessor, entryId: entry.id, version: 1, outcome: 'approve', requestId: requestId() }));
    expect(outside).toContain('another workspace');
    expect(outside).not.toContain('Lee');
    // The same user ID claiming to be in the centre's workspace is still Olga from T0OTHER (or nobody).
    await refusedWith(t, 'not_on_roster', () => decideEntry(t.ctx, { actor: { ...WHO.otherAssessor, workspaceId: 'T0CENTRE' }, entryId: entry.id, version: 1, outcome: 'approve', requestId: requestId() }));
    await refusedWith(t, 'not_on_roster', () => decideEntry(t.ctx, { actor: WHO.stranger, entryId: entry.id, version: 1, outcome: 'approve', requestId: requestId() }));
    const mgr = await refusedWith(t, 'forbidden', () => decideEntry(t.ctx, { actor: WHO.manager, entryId: entry.id, version: 1, outcome: 'approve', requestId: requestId() }));
    expect(mgr).toContain("Lee Learner's manager");
    const iqa = await refusedWith(t, 'forbidden', () => decideEntry(t.ctx, { actor: WHO.iqa, entryId: entry.id, version: 1, outcome: 'approve', requestId: requestId() }));
    expect(iqa).toContain("Only Lee Learner's assessor");

    // Mira manages Sam and is also a qualified assessor: she may stand in for others, never for Sam.
    const sams = await logEntry(t, 'Screened three candidates #U7:1.1', WHO.learner3);
    const mira = await refusedWith(t, 'forbidden', () => decideEntry(t.ctx, { actor: WHO.managerAssessor, entryId: sams.id, version: 1, outcome: 'approve', requestId: requestId() }));
    expect(mira).toContain("Sam Student's manager");
    expect(mira).toContain('even with the assessor role');
  });

  it('refuses an erased assessor', async () => {
    const entry = await logEntry(t);
    await t.db.prisma.person.updateMany({ where: { externalId: 'U0ASSESS3' }, data: { erasedAt: new Date() } });
    try {
      await refusedWith(t, 'not_on_roster', () => decideEntry(t.ctx, { actor: WHO.qualified2, entryId: entry.id, version: 1, outcome: 'approve', requestId: requestId() }));
    } finally {
      await t.db.prisma.person.updateMany({ where: { externalId: 'U0ASSESS3' }, data: { erasedAt: null } });
    }
  });

  it('lets a qualified assessor of the workspace stand in, recorded as such', async () => {
    const entry = await logEntry(t);
    await deliver(t, chat);
    const r = await decideEntry(t.ctx, { actor: WHO.qualified2, entryId: entry.id, version: 1, outcome: 'reject', feedback: 'This is not recruitment work.', requestId: requestId() });
    expect(r.decision.standIn).toBe(true);
    const d = await t.db.prisma.decision.findFirstOrThrow({ where: { entryId: entry.id } });
    expect(d.standIn).toBe(true);
    const ev = await t.db.prisma.entryEvent.findFirstOrThrow({ where: { entryId: entry.id, action: 'rejected' } });
    expect(ev.note).toBe('[standing in for Ava Assessor] This is not recruitment work.');
    const out = await deliver(t, chat);
    expect(textOf(sentTo(out.sent, 'U0LEARN1')[0]!)).toContain('Rejected by Quinn Qualified (standing in for Ava Assessor)');
  });

  it('refuses a stale button: the entry changed since the message was sent', async () => {
    const entry = await logEntry(t);
    await decideEntry(t.ctx, { actor: WHO.assessor, entryId: entry.id, version: 1, outcome: 'changes', feedback: 'More detail please', requestId: requestId() });
    // Quinn clicks Approve on version 1 after Ava's decision moved it on.
    const msg = await refusedWith(t, 'conflict', () => decideEntry(t.ctx, { actor: WHO.qualified2, entryId: entry.id, version: 1, outcome: 'approve', requestId: requestId() }));
    expect(msg).toContain('already decided: Changes requested by Ava Assessor');
    const stale = await refusedWith(t, 'conflict', () => decideEntry(t.ctx, { actor: WHO.assessor, entryId: entry.id, version: 2, outcome: 'approve', requestId: requestId() }));
    expect(stale).toContain('This entry changed since');
  });

  it('a retried request and a double click decide once and send once', async () => {
    const entry = await logEntry(t);
    await deliver(t, chat);
    const id = requestId();
    const input = { actor: WHO.assessor, entryId: entry.id, version: 1, outcome: 'approve' as const, requestId: id };
    const [a, b] = await Promise.all([decideEntry(t.ctx, input), decideEntry(t.ctx, input)]);
    const c = await decideEntry(t.ctx, input);
    const d = await decideEntry(t.ctx, { ...input, requestId: requestId() }); // a second click, new request ID
    expect([a.duplicate, b.duplicate].sort()).toEqual([false, true]);
    expect(c.duplicate && d.duplicate).toBe(true);
    expect(new Set([a, b, c, d].map((x) => x.decision.id)).size).toBe(1);
    expect(await t.db.prisma.decision.count({ where: { entryId: entry.id } })).toBe(1);
    expect(await t.db.prisma.entryEvent.count({ where: { entryId: entry.id, action: 'approved' } })).toBe(1);
    const out = await deliver(t, chat);
    expect(sentTo(out.sent, 'U0LEARN1')).toHaveLength(1);
    expect(out.updates).toHaveLength(1);
  });

  it('two assessors clicking at once: one decision wins, the other is told', async () => {
    const entry = await logEntry(t);
    const results = await Promise.allSettled([
      decideEntry(t.ctx, { actor: WHO.assessor, entryId: entry.id, version: 1, outcome: 'approve', requestId: requestId() }),
      decideEntry(t.ctx, { actor: WHO.qualified2, entryId: entry.id, version: 1, outcome: 'reject', feedback: 'no', requestId: requestId() }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason.code).toBe('conflict');
    expect(await t.db.prisma.decision.count({ where: { entryId: entry.id } })).toBe(1);
  });

  it('an unqualified assessor\'s decision waits for a countersignature and asks the qualified assessors', async () => {
    const entry = await logEntry(t, 'Wrote a job advert #U7:1.1', WHO.learner2);
    await deliver(t, chat);
    const r = await decideEntry(t.ctx, { actor: WHO.unqualifiedAssessor, entryId: entry.id, version: 1, outcome: 'approve', feedback: 'Good advert', requestId: requestId() });
    expect(r.entry.status).toBe('awaiting_countersignature');
    expect(r.decision.needsCountersign).toBe(true);
    expect(messageText(r.reply)).toContain('takes effect when a qualified assessor countersigns');
    const out = await deliver(t, chat);
    // Priya hears nothing yet; Ava, Quinn, Mira and Ivy (qualified assessors) are asked; Umar is not.
    expect(sentTo(out.sent, 'U0LEARN2')).toHaveLength(0);
    const asked = out.sent.filter((s) => buttons(s).some((b) => b.id === 'decision.countersign'));
    expect(asked.map((s) => s.to.userExternalId).sort()).toEqual(['U0ASSESS1', 'U0ASSESS3', 'U0IVY', 'U0MANASS']);
    expect(buttons(asked[0]!).map((b) => [b.id, b.value])).toEqual([['decision.countersign', r.decision.id], ['decision.overturn', r.decision.id]]);
    expect(messageText(out.updates[0]!.message)).toContain('Waiting for a qualified assessor to countersign');
    const ev = await t.db.prisma.entryEvent.findFirstOrThrow({ where: { entryId: entry.id, action: 'decision_pending_countersign' } });
    expect([ev.fromStatus, ev.toStatus, ev.note]).toEqual(['pending', 'awaiting_countersignature', 'Approved: Good advert']);
  });
});
