// A learner edits an entry after changes were requested, and it goes back to the assessor in the
// same thread with fresh buttons. Only the learner, only in changes_requested, only the current version.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideEntry } from '../../src/services/verification/decide-entry.ts';
import { editEntry } from '../../src/services/evidence/edit-entry.ts';
import { getEntryForEdit } from '../../src/services/evidence/get-entry-for-edit.ts';
import { BACKENDS } from '../helpers/db.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { FakeChatPort, messageText } from '../helpers/fake-chat.ts';
import { buttons, deliver, loadVerificationRoster, logEntry, refusedWith, requestId, sentTo, textOf, WHO } from './verification-helpers.ts';

describe.each(BACKENDS)('editing after changes were requested (%s)', (backend) => {
  let t: TestContext;
  let chat: FakeChatPort;
  beforeAll(async () => {
    t = await createTestContext(backend);
    await loadVerificationRoster(t);
    chat = new FakeChatPort('slack');
  });
  afterAll(() => t.db.destroy());

  async function changesRequested(text = 'Met a client about two roles #U7:1.1 mins:30') {
    const entry = await logEntry(t, text);
    const root = sentTo((await deliver(t, chat)).sent, 'U0ASSESS1')[0]!;
    await decideEntry(t.ctx, { actor: WHO.assessor, entryId: entry.id, version: 1, outcome: 'changes', feedback: 'Which roles? Add criterion 1.2 too.', requestId: requestId() });
    await deliver(t, chat);
    return { entry, root };
  }

  it('pre-fills the edit form with the entry in the log grammar and the feedback', async () => {
    const { entry } = await changesRequested('Met a client about two roles #U7:1.1 mins:30 simulated');
    const form = await getEntryForEdit(t.ctx, { actor: WHO.learner, entryId: entry.id });
    expect(form).toMatchObject({ version: 2, feedback: 'Which roles? Add criterion 1.2 too.' });
    expect(form.text).toBe('Met a client about two roles #U7:1.1 mins:30 simulated');
  });

  it('edited, the entry is pending again at a new version; the root gets fresh buttons and the thread a note', async () => {
    const { entry, root } = await changesRequested();
    const r = await editEntry(t.ctx, { actor: WHO.learner, entryId: entry.id, version: 2, text: 'Met a client about a recruiter and a resourcer role #U7:1.1 #U7:1.2 mins:30', requestId: requestId() });
    expect(r.entry.status).toBe('pending');
    expect(r.entry.version).toBe(3);
    expect(r.changed).toEqual(['summary', 'criteria']);
    expect(messageText(r.confirmation)).toContain('sent back to your assessor');

    const out = await deliver(t, chat);
    const update = out.updates.find((u) => u.ref.messageId === root.ref.messageId)!;
    expect(messageText(update.message)).toContain('Edited by Lee Learner after changes were requested (summary, criteria)');
    expect(messageText(update.message)).toContain('a recruiter and a resourcer role');
    expect(buttons(update).map((b) => b.value)).toEqual([`${entry.id}:3`, `${entry.id}:3`, `${entry.id}:3`]);
    const note = sentTo(out.sent, 'U0ASSESS1').find((s) => s.threadOf?.messageId === root.ref.messageId)!;
    expect(textOf(note)).toContain('Edited by the learner (summary, criteria)');

    const crit = await t.db.prisma.entryCriterion.findMany({ where: { entryId: entry.id }, orderBy: { number: 'asc' } });
    expect(crit.map((c) => c.number)).toEqual(['1.1', '1.2']);
    const ev = await t.db.prisma.entryEvent.findMany({ where: { entryId: entry.id }, orderBy: { createdAt: 'asc' } });
    expect(ev.map((e) => [e.action, e.fromStatus, e.toStatus])).toEqual([
      ['created', null, 'pending'], ['changes_requested', 'pending', 'changes_requested'], ['edited', 'changes_requested', 'pending'],
    ]);

    // The assessor's fresh buttons work; the old ones do not.
    await refusedWith(t, 'conflict', () => decideEntry(t.ctx, { actor: WHO.assessor, entryId: entry.id, version: 1, outcome: 'approve', requestId: requestId() }));
    const ok = await decideEntry(t.ctx, { actor: WHO.assessor, entryId: entry.id, version: 3, outcome: 'approve', requestId: requestId() });
    expect(ok.entry.status).toBe('approved');
  });

  it('refuses someone else, a second edit from the old button, and bad criteria, changing nothing', async () => {
    const { entry } = await changesRequested();
    const other = await refusedWith(t, 'forbidden', () => editEntry(t.ctx, { actor: WHO.learner2, entryId: entry.id, version: 2, text: 'Mine now #U7:1.1', requestId: requestId() }));
    expect(other).toContain('only edit your own evidence');
    await refusedWith(t, 'forbidden', () => editEntry(t.ctx, { actor: WHO.assessor, entryId: entry.id, version: 2, text: 'x #U7:1.1', requestId: requestId() }));
    const bad = await refusedWith(t, 'invalid_input', () => editEntry(t.ctx, { actor: WHO.learner, entryId: entry.id, version: 2, text: 'Better now #U7:9.9', requestId: requestId() }));
    expect(bad).toContain('Did you mean');
    await refusedWith(t, 'invalid_input', () => editEntry(t.ctx, { actor: WHO.learner, entryId: entry.id, version: 2, text: '   ', requestId: requestId() }));

    const id = requestId();
    await editEntry(t.ctx, { actor: WHO.learner, entryId: entry.id, version: 2, text: 'Better now #U7:1.1', requestId: id });
    const replay = await editEntry(t.ctx, { actor: WHO.learner, entryId: entry.id, version: 2, text: 'Better now #U7:1.1', requestId: id });
    expect(replay.duplicate).toBe(true);
    const stale = await refusedWith(t, 'conflict', () => editEntry(t.ctx, { actor: WHO.learner, entryId: entry.id, version: 2, text: 'Again #U7:1.1', requestId: requestId() }));
    expect(stale).toContain('changed since');
  });

  it('cannot edit an entry that is waiting for assessment or approved', async () => {
    const entry = await logEntry(t);
    await refusedWith(t, 'conflict', () => editEntry(t.ctx, { actor: WHO.learner, entryId: entry.id, version: 1, text: 'Sneaky #U7:1.1', requestId: requestId() }));
  });
});
