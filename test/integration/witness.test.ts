// Witness statements on the real database: the learner asks their manager or a colleague; only that
// person can write the statement; it is attached, in the history, and shown in the assessor's thread.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideEntry } from '../../src/services/verification/decide-entry.ts';
import { getEntryHistory } from '../../src/services/evidence/get-entry-history.ts';
import { getWitnessOptions } from '../../src/services/verification/get-witness-options.ts';
import { requestWitness } from '../../src/services/verification/request-witness.ts';
import { submitWitnessStatement } from '../../src/services/verification/submit-witness-statement.ts';
import { BACKENDS } from '../helpers/db.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { FakeChatPort, messageText } from '../helpers/fake-chat.ts';
import { buttons, deliver, loadVerificationRoster, logEntry, refusedWith, requestId, sentTo, textOf, WHO } from './verification-helpers.ts';

describe.each(BACKENDS)('witness statements (%s)', (backend) => {
  let t: TestContext;
  let chat: FakeChatPort;
  beforeAll(async () => {
    t = await createTestContext(backend);
    await loadVerificationRoster(t);
    chat = new FakeChatPort('slack');
  });
  afterAll(() => t.db.destroy());

  it('the manager is asked, writes a statement, and the assessor sees it in the thread; history shows each step', async () => {
    const entry = await logEntry(t, 'Ran a candidate open evening with my manager #U7:1.1');
    const root = sentTo((await deliver(t, chat)).sent, 'U0ASSESS1')[0]!;
    const options = await getWitnessOptions(t.ctx, { actor: WHO.learner, entryId: entry.id });
    expect(options.manager?.name).toBe('Morgan Manager');
    expect(options.colleagues.map((c) => c.name)).not.toContain('Lee Learner');
    expect(options.colleagues.map((c) => c.name)).not.toContain('Ava Assessor');

    const r = await requestWitness(t.ctx, { actor: WHO.learner, entryId: entry.id, witness: { manager: true }, requestId: requestId() });
    expect(messageText(r.reply)).toContain('Asked Morgan Manager');
    const again = await requestWitness(t.ctx, { actor: WHO.learner, entryId: entry.id, witness: { name: 'morgan manager' }, requestId: requestId() });
    expect(again.duplicate).toBe(true);

    const out = await deliver(t, chat);
    const card = sentTo(out.sent, 'U0MANAGE1')[0]!;
    expect(textOf(card)).toContain('Lee Learner asked you to confirm');
    expect(textOf(card)).toContain('Ran a candidate open evening');
    const write = buttons(card)[0]!;
    expect(write.id).toBe('witness.write');
    expect(textOf(sentTo(out.sent, 'U0ASSESS1').find((s) => s.threadOf)!)).toContain('asked Morgan Manager (manager) for a witness statement');

    // Only Morgan can write it.
    for (const actor of [WHO.learner, WHO.assessor, WHO.learner2]) {
      await refusedWith(t, 'forbidden', () => submitWitnessStatement(t.ctx, { actor, witnessRequestId: write.value, statement: 'I saw it', requestId: requestId() }));
    }
    await refusedWith(t, 'invalid_input', () => submitWitnessStatement(t.ctx, { actor: WHO.manager, witnessRequestId: write.value, statement: '  ', requestId: requestId() }));
    const s = await submitWitnessStatement(t.ctx, { actor: WHO.manager, witnessRequestId: write.value, statement: 'Lee ran the evening and signed up six candidates.', requestId: requestId() });
    expect(s.duplicate).toBe(false);
    const dup = await submitWitnessStatement(t.ctx, { actor: WHO.manager, witnessRequestId: write.value, statement: 'Lee ran the evening and signed up six candidates.', requestId: requestId() });
    expect(dup.duplicate).toBe(true);
    await refusedWith(t, 'conflict', () => submitWitnessStatement(t.ctx, { actor: WHO.manager, witnessRequestId: write.value, statement: 'Changed my mind', requestId: requestId() }));

    const after = await deliver(t, chat);
    const inThread = sentTo(after.sent, 'U0ASSESS1').find((x) => x.threadOf?.messageId === root.ref.messageId)!;
    expect(textOf(inThread)).toContain('Witness statement from Morgan Manager (manager)');
    expect(textOf(inThread)).toContain('signed up six candidates');
    expect(textOf(sentTo(after.sent, 'U0LEARN1')[0]!)).toContain('Morgan Manager sent a witness statement');
    expect(after.updates.find((u) => u.ref.messageId === card.ref.messageId)).toBeDefined();
    const stored = await t.db.prisma.witnessRequest.findUniqueOrThrow({ where: { id: write.value } });
    expect(stored.statement).toBe('Lee ran the evening and signed up six candidates.');

    await decideEntry(t.ctx, { actor: WHO.assessor, entryId: entry.id, version: 1, outcome: 'approve', requestId: requestId() });
    const h = await getEntryHistory(t.ctx, { actor: WHO.assessor, entryId: entry.id });
    expect(h.history.map((x) => [x.action, x.actorName])).toEqual([
      ['created', 'Lee Learner'], ['witness_requested', 'Lee Learner'], ['witness_statement', 'Morgan Manager'], ['approved', 'Ava Assessor'],
    ]);
    expect(messageText(h.message)).toContain('Witness statement received by Morgan Manager');
    // Not for someone outside the learner's circle.
    await expect(getEntryHistory(t.ctx, { actor: WHO.manager, entryId: entry.id })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(getEntryHistory(t.ctx, { actor: WHO.otherAssessor, entryId: entry.id })).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('asks a named colleague; refuses themselves, their assessor, another workspace and unknown names', async () => {
    const entry = await logEntry(t, 'Shadowed Priya on a client call #U7:1.1');
    const r = await requestWitness(t.ctx, { actor: WHO.learner, entryId: entry.id, witness: { name: 'Priya Patel' }, requestId: requestId() });
    expect(r.witnessName).toBe('Priya Patel');
    const self = await refusedWith(t, 'invalid_input', () => requestWitness(t.ctx, { actor: WHO.learner, entryId: entry.id, witness: { userId: 'U0LEARN1' }, requestId: requestId() }));
    expect(self).toContain('has to come from someone else');
    const assessor = await refusedWith(t, 'invalid_input', () => requestWitness(t.ctx, { actor: WHO.learner, entryId: entry.id, witness: { name: 'Ava Assessor' }, requestId: requestId() }));
    expect(assessor).toContain('assesses your evidence');
    const outside = await refusedWith(t, 'invalid_input', () => requestWitness(t.ctx, { actor: WHO.learner, entryId: entry.id, witness: { name: 'Olga Other' }, requestId: requestId() }));
    expect(outside).toContain('Nobody called "Olga Other"');
    const olga = await t.db.prisma.person.findFirstOrThrow({ where: { externalId: 'U0OTHER1' } });
    await refusedWith(t, 'invalid_input', () => requestWitness(t.ctx, { actor: WHO.learner, entryId: entry.id, witness: { personId: olga.id }, requestId: requestId() }));
    await refusedWith(t, 'forbidden', () => requestWitness(t.ctx, { actor: WHO.learner2, entryId: entry.id, witness: { manager: true }, requestId: requestId() }));
    await refusedWith(t, 'forbidden', () => requestWitness(t.ctx, { actor: WHO.assessor, entryId: entry.id, witness: { manager: true }, requestId: requestId() }));
  });

  it('no witness for an entry already decided', async () => {
    const entry = await logEntry(t);
    await decideEntry(t.ctx, { actor: WHO.assessor, entryId: entry.id, version: 1, outcome: 'reject', feedback: 'Not relevant', requestId: requestId() });
    await refusedWith(t, 'conflict', () => requestWitness(t.ctx, { actor: WHO.learner, entryId: entry.id, witness: { manager: true }, requestId: requestId() }));
  });
});
