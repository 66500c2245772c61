// Countersigning an unqualified assessor's decision on the real database: it takes effect only when a
// qualified assessor countersigns; an overturn sends it back for reassessment; the first to act wins.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countersignDecision } from '../../src/services/verification/countersign-decision.ts';
import { decideEntry } from '../../src/services/verification/decide-entry.ts';
import { BACKENDS } from '../helpers/db.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { FakeChatPort, messageText } from '../helpers/fake-chat.ts';
import { buttons, deliver, loadVerificationRoster, logEntry, refusedWith, requestId, sentTo, textOf, WHO } from './verification-helpers.ts';

describe.each(BACKENDS)('countersigning (%s)', (backend) => {
  let t: TestContext;
  let chat: FakeChatPort;
  beforeAll(async () => {
    t = await createTestContext(backend);
    await loadVerificationRoster(t);
    chat = new FakeChatPort('slack');
  });
  afterAll(() => t.db.destroy());

  /** Priya's entry, decided by Umar (unqualified); returns the entry, the decision and the requests sent. */
  async function awaiting(outcome: 'approve' | 'changes' = 'approve') {
    const entry = await logEntry(t, 'Wrote a job advert #U7:1.1', WHO.learner2);
    const root = sentTo((await deliver(t, chat)).sent, 'U0ASSESS2')[0]!;
    const r = await decideEntry(t.ctx, {
      actor: WHO.unqualifiedAssessor, entryId: entry.id, version: 1, outcome, feedback: outcome === 'approve' ? 'Clear advert' : 'Add the salary', requestId: requestId(),
    });
    const out = await deliver(t, chat);
    const requests = out.sent.filter((s) => buttons(s).some((b) => b.id === 'decision.countersign'));
    return { entry, decision: r.decision, requests, root };
  }

  it('countersigned, the decision takes effect: the learner is told and the other requests close', async () => {
    const { entry, decision, requests } = await awaiting();
    const r = await countersignDecision(t.ctx, { actor: WHO.qualified2, decisionId: decision.id, action: 'countersign', requestId: requestId() });
    expect(r.entry.status).toBe('approved');
    expect(messageText(r.reply)).toContain('Priya Patel has been told');

    const out = await deliver(t, chat);
    const dm = sentTo(out.sent, 'U0LEARN2');
    expect(dm).toHaveLength(1);
    expect(textOf(dm[0]!)).toContain('Your evidence was approved');
    expect(textOf(dm[0]!)).toContain('Approved by Umar Unqualified, countersigned by Quinn Qualified');
    expect(textOf(dm[0]!)).toContain('Clear advert');
    // Every request (Quinn's own included) is updated in place, without buttons.
    const closed = out.updates.filter((u) => requests.some((q) => q.ref.messageId === u.ref.messageId));
    expect(closed).toHaveLength(requests.length);
    for (const c of closed) {
      expect(messageText(c.message)).toMatch(/Countersigned by (You|Quinn Qualified)/);
      expect(buttons(c)).toEqual([]);
    }
    // The thread (Umar's DM) records it.
    const note = sentTo(out.sent, 'U0ASSESS2').find((s) => s.threadOf);
    expect(textOf(note!)).toContain('Countersigned by Quinn Qualified');

    const events = await t.db.prisma.entryEvent.findMany({ where: { entryId: entry.id }, orderBy: { createdAt: 'asc' } });
    expect(events.map((e) => [e.action, e.fromStatus, e.toStatus])).toEqual([
      ['created', null, 'pending'],
      ['decision_pending_countersign', 'pending', 'awaiting_countersignature'],
      ['countersigned', 'awaiting_countersignature', 'approved'],
    ]);
  });

  it('the first to act wins; a second countersigner is refused; the same click again is harmless', async () => {
    const { decision } = await awaiting();
    const id = requestId();
    await countersignDecision(t.ctx, { actor: WHO.assessor, decisionId: decision.id, action: 'countersign', requestId: id });
    const again = await countersignDecision(t.ctx, { actor: WHO.assessor, decisionId: decision.id, action: 'countersign', requestId: id });
    expect(again.duplicate).toBe(true);
    const twice = await countersignDecision(t.ctx, { actor: WHO.assessor, decisionId: decision.id, action: 'countersign', requestId: requestId() });
    expect(twice.duplicate).toBe(true);
    const msg = await refusedWith(t, 'conflict', () => countersignDecision(t.ctx, { actor: WHO.qualified2, decisionId: decision.id, action: 'overturn', note: 'no', requestId: requestId() }));
    expect(msg).toContain('Ava Assessor already countersigned this decision');
  });

  it('two countersigners at once: exactly one wins', async () => {
    const { decision } = await awaiting();
    const results = await Promise.allSettled([
      countersignDecision(t.ctx, { actor: WHO.assessor, decisionId: decision.id, action: 'countersign', requestId: requestId() }),
      countersignDecision(t.ctx, { actor: WHO.qualified2, decisionId: decision.id, action: 'overturn', note: 'Not enough', requestId: requestId() }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await t.db.prisma.entryEvent.count({ where: { entry: { decisions: { some: { id: decision.id } } }, action: { in: ['countersigned', 'overturned'] } } })).toBe(1);
  });

  it('refuses the decider, an unqualified or outside assessor, the learner and their manager', async () => {
    const { decision } = await awaiting();
    const self = await refusedWith(t, 'forbidden', () => countersignDecision(t.ctx, { actor: WHO.unqualifiedAssessor, decisionId: decision.id, action: 'countersign', requestId: requestId() }));
    expect(self).toContain('You made this decision');
    await refusedWith(t, 'forbidden', () => countersignDecision(t.ctx, { actor: WHO.otherAssessor, decisionId: decision.id, action: 'countersign', requestId: requestId() }));
    await refusedWith(t, 'forbidden', () => countersignDecision(t.ctx, { actor: WHO.learner2, decisionId: decision.id, action: 'countersign', requestId: requestId() }));
    await refusedWith(t, 'forbidden', () => countersignDecision(t.ctx, { actor: WHO.manager, decisionId: decision.id, action: 'countersign', requestId: requestId() }));
    await refusedWith(t, 'forbidden', () => countersignDecision(t.ctx, { actor: WHO.iqa, decisionId: decision.id, action: 'countersign', requestId: requestId() }));
    const noNote = await refusedWith(t, 'invalid_input', () => countersignDecision(t.ctx, { actor: WHO.qualified2, decisionId: decision.id, action: 'overturn', note: ' ', requestId: requestId() }));
    expect(noNote).toContain('why is the decision overturned');
  });

  it('overturned, the entry goes back to the assessor with fresh buttons; the learner hears nothing; reassessment needs countersigning again', async () => {
    const { entry, decision, root } = await awaiting();
    const r = await countersignDecision(t.ctx, { actor: WHO.qualified2, decisionId: decision.id, action: 'overturn', note: 'The advert has no salary: ask for changes.', requestId: requestId() });
    expect(r.entry.status).toBe('pending');
    expect(r.entry.version).toBe(3);
    const out = await deliver(t, chat);
    expect(sentTo(out.sent, 'U0LEARN2')).toHaveLength(0);
    const reopened = out.updates.find((u) => u.ref.messageId === root.ref.messageId)!;
    expect(messageText(reopened.message)).toContain('Quinn Qualified overturned Umar Unqualified\'s decision (Approved): The advert has no salary');
    expect(buttons(reopened).map((b) => [b.id, b.value])).toEqual([
      ['entry.approve', `${entry.id}:3`], ['entry.changes', `${entry.id}:3`], ['entry.reject', `${entry.id}:3`],
    ]);
    // The old buttons are dead; the fresh ones work, and Umar's new decision waits for a countersignature again.
    await refusedWith(t, 'conflict', () => decideEntry(t.ctx, { actor: WHO.unqualifiedAssessor, entryId: entry.id, version: 1, outcome: 'approve', requestId: requestId() }));
    const again = await decideEntry(t.ctx, { actor: WHO.unqualifiedAssessor, entryId: entry.id, version: 3, outcome: 'changes', feedback: 'Add the salary', requestId: requestId() });
    expect(again.entry.status).toBe('awaiting_countersignature');
    await countersignDecision(t.ctx, { actor: WHO.qualified2, decisionId: again.decision.id, action: 'countersign', requestId: requestId() });
    const last = await deliver(t, chat);
    expect(textOf(sentTo(last.sent, 'U0LEARN2')[0]!)).toContain('Add the salary');
    const events = await t.db.prisma.entryEvent.findMany({ where: { entryId: entry.id }, orderBy: { createdAt: 'asc' } });
    expect(events.map((e) => e.action)).toEqual(['created', 'decision_pending_countersign', 'overturned', 'decision_pending_countersign', 'countersigned']);
    expect(events[2]!.note).toBe('The advert has no salary: ask for changes.');
  });
});
