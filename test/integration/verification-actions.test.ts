// The platform-neutral entry point for verification buttons and their forms: what a click returns
// (a message or a form), refusals before any form opens, and submissions reaching the use cases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleVerificationAction } from '../../src/services/verification/verification-actions.ts';
import { submitVerificationForm } from '../../src/services/verification/verification-forms.ts';
import { BACKENDS } from '../helpers/db.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { FakeChatPort, messageText } from '../helpers/fake-chat.ts';
import { deliver, loadVerificationRoster, logEntry, refusedWith, requestId, WHO } from './verification-helpers.ts';

describe.each(BACKENDS)('verification buttons and forms (%s)', (backend) => {
  let t: TestContext;
  let chat: FakeChatPort;
  beforeAll(async () => {
    t = await createTestContext(backend);
    await loadVerificationRoster(t);
    chat = new FakeChatPort('slack');
  });
  afterAll(() => t.db.destroy());

  it('Request changes opens a feedback form only for someone who may decide; the form submits the decision', async () => {
    const entry = await logEntry(t);
    await deliver(t, chat);
    const value = `${entry.id}:1`;
    await refusedWith(t, 'forbidden', () => handleVerificationAction(t.ctx, { actor: WHO.learner, actionId: 'entry.changes', value, requestId: requestId() }));
    const r = await handleVerificationAction(t.ctx, { actor: WHO.assessor, actionId: 'entry.changes', value, requestId: requestId() });
    expect(r.kind).toBe('form');
    if (r.kind !== 'form') return;
    expect(r.form.target).toEqual({ kind: 'decision', entryId: entry.id, version: 1, outcome: 'changes' });
    expect(r.form.field).toMatchObject({ type: 'text', label: 'Feedback for the learner' });
    expect(messageText(r.form.intro)).toContain('Evidence from Lee Learner');

    const empty = await refusedWith(t, 'invalid_input', () => submitVerificationForm(t.ctx, { actor: WHO.assessor, target: r.form.target, value: ' ', requestId: requestId() }));
    expect(empty).toContain('Write the feedback');
    // A forged submission (the learner posting the assessor's form) is refused by the use case.
    await refusedWith(t, 'forbidden', () => submitVerificationForm(t.ctx, { actor: WHO.learner, target: r.form.target, value: 'self-approved', requestId: requestId() }));
    const done = await submitVerificationForm(t.ctx, { actor: WHO.assessor, target: r.form.target, value: 'Add the outcome', requestId: requestId() });
    expect(messageText(done.reply)).toContain('Changes requested: recorded');

    // The learner's Edit button opens the entry pre-filled.
    const edit = await handleVerificationAction(t.ctx, { actor: WHO.learner, actionId: 'entry.edit', value: `${entry.id}:2`, requestId: requestId() });
    expect(edit.kind === 'form' && edit.form.field.type === 'text' && edit.form.field.initial).toBe('Called Sam a week after placement to check in #U7:2.1 mins:20');
    expect(edit.kind === 'form' && messageText(edit.form.intro)).toContain('Add the outcome');
  });

  it('Approve acts at once; an out-of-date or malformed value is refused clearly', async () => {
    const entry = await logEntry(t);
    const r = await handleVerificationAction(t.ctx, { actor: WHO.assessor, actionId: 'entry.approve', value: `${entry.id}:1`, requestId: requestId() });
    expect(r.kind === 'message' && messageText(r.message)).toContain('Approved: recorded');
    const bad = await refusedWith(t, 'invalid_input', () => handleVerificationAction(t.ctx, { actor: WHO.assessor, actionId: 'entry.approve', value: 'DROP TABLE', requestId: requestId() }));
    expect(bad).toContain('out of date');
    const hist = await handleVerificationAction(t.ctx, { actor: WHO.assessor, actionId: 'entry.history', value: entry.id, requestId: requestId() });
    expect(hist.kind === 'message' && messageText(hist.message)).toMatch(/Logged by Lee Learner[\s\S]*Approved by Ava Assessor/);
  });

  it('the witness button offers the manager first and the roster colleagues', async () => {
    const entry = await logEntry(t);
    const r = await handleVerificationAction(t.ctx, { actor: WHO.learner, actionId: 'entry.witness', value: entry.id, requestId: requestId() });
    if (r.kind !== 'form' || r.form.field.type !== 'choice') throw new Error('expected a choice form');
    expect(r.form.field.choices[0]!.label).toBe('Morgan Manager (your manager)');
    expect(r.form.field.choices.map((c) => c.label)).not.toContain('Ava Assessor');
    const done = await submitVerificationForm(t.ctx, { actor: WHO.learner, target: r.form.target, value: r.form.field.choices[0]!.value, requestId: requestId() });
    expect(messageText(done.reply)).toContain('Asked Morgan Manager');
  });
});
