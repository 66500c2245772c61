// The Teams side of verification, with the services faked: every verification button goes to the
// core's one handler (the same as Slack's) with the same action id and value, the conversation it
// came from, and the words typed beside it; a form the core returns is drawn as a card whose submit
// button comes back through the same handler.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { actionHandler, typedInputFor, verificationFormCard } from '../../adapters/teams/actions.ts';
import { ACTION, FORM_SUBMIT } from '../../src/messages/action-values.ts';
import type { ActorRef } from '../../src/services/kernel/context.ts';
import type { Services } from '../../src/services/index.ts';
import { VERIFICATION_ACTION_IDS } from '../../src/services/verification/verification-actions.ts';
import { formTargetForAction, type VerificationForm } from '../../src/services/verification/verification-forms.ts';
import { shownText, submitActions } from '../helpers/teams-harness.ts';

const E = '0b6f5c1e-2f0a-4c55-9d3e-1a2b3c4d5e6f';
const actor: ActorRef = { platform: 'teams', workspaceId: 'tenant-1', userId: '00000000-0000-0000-0000-0000000000b1' };
const ok = { kind: 'message', message: { fallback: 'ok', blocks: [{ type: 'text', text: 'Done.' }] } };

let handleVerificationAction: ReturnType<typeof vi.fn>;
let services: Services;
beforeEach(() => {
  handleVerificationAction = vi.fn(async () => ok);
  services = { handleVerificationAction } as unknown as Services;
});

const click = (id: string, value: string, inputs: Record<string, string | undefined> = {}) =>
  actionHandler(id)!({ services, actor, value, inputs, requestId: 'f:1234', conversationId: 'a:1-ben' });

describe('Teams verification buttons', () => {
  it.each([...VERIFICATION_ACTION_IDS])('%s goes to the core handler with the same id and value, and the conversation', async (id) => {
    const outcome = await click(id, `${E}:2`);
    expect(handleVerificationAction).toHaveBeenCalledWith({ actor, actionId: id, value: `${E}:2`, requestId: 'f:1234', conversationId: 'a:1-ben' });
    expect(outcome).toEqual({ kind: 'reply', message: ok.message });
  });

  it('passes the words typed beside the button as the form\'s value (or an optional note)', async () => {
    const typed: [string, string][] = [
      [ACTION.approve, 'feedback'], [ACTION.changes, 'feedback'], [ACTION.reject, 'feedback'], [ACTION.countersign, 'feedback'], [ACTION.overturn, 'feedback'],
      [ACTION.iqaConfirm, 'note'], [ACTION.iqaAction, 'note'], [ACTION.witnessWrite, 'statement'], [FORM_SUBMIT.editSave, 'text'], [FORM_SUBMIT.witnessAsk, 'witness'],
    ];
    for (const [id, input] of typed) {
      handleVerificationAction.mockClear();
      await click(id, E, { [input]: 'typed words', unrelated: 'x' });
      expect(handleVerificationAction).toHaveBeenCalledWith(expect.objectContaining({ actionId: id, text: 'typed words' }));
    }
    // An empty box is still the words typed (the core says what to write); no box at all opens the form.
    handleVerificationAction.mockClear();
    await click(ACTION.changes, `${E}:2`, { feedback: '' });
    expect(handleVerificationAction.mock.calls[0]![0]).toMatchObject({ text: '' });
    handleVerificationAction.mockClear();
    await click(ACTION.edit, `${E}:2`, { feedback: 'not this button\'s' });
    expect(handleVerificationAction.mock.calls[0]![0]).not.toHaveProperty('text');
  });

  it('draws a form the core returns as a card that submits back to the same target', async () => {
    const forms: VerificationForm[] = [
      {
        target: { kind: 'decision', entryId: E, version: 2, outcome: 'changes' }, title: 'Request changes', submitLabel: 'Request changes',
        intro: { fallback: 'x', blocks: [{ type: 'text', text: 'Evidence from Tess Teams' }] },
        field: { type: 'text', label: 'Feedback for the learner', maxLength: 3000, placeholder: 'What should they change?' },
      },
      {
        target: { kind: 'edit', entryId: E, version: 2 }, title: 'Edit evidence', submitLabel: 'Send to assessor',
        intro: { fallback: 'x', blocks: [{ type: 'text', text: 'Your assessor asked: which client?' }] },
        field: { type: 'text', label: 'Your evidence', maxLength: 3000, initial: 'Ran a client call #U14:1.2' },
      },
      {
        target: { kind: 'witness_request', entryId: E }, title: 'Ask for a witness', submitLabel: 'Ask them',
        intro: { fallback: 'x', blocks: [{ type: 'text', text: 'A witness statement backs up your evidence' }] },
        field: { type: 'choice', label: 'Who saw or heard it?', choices: [{ value: 'p1', label: 'Morgan Manager (your manager)' }], initial: 'p1' },
      },
    ];
    for (const form of forms) {
      handleVerificationAction.mockResolvedValueOnce({ kind: 'form', form });
      const outcome = await click(ACTION.changes, `${E}:2`);
      if (outcome.kind !== 'card') throw new Error('expected a card');
      const activity = { attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: outcome.card }] };
      expect(shownText(activity)).toContain(form.field.label);
      const [submit] = submitActions(activity);
      expect(submit!.title).toBe(form.submitLabel);
      const { action, value } = submit!.data as { action: string; value: string };
      expect(formTargetForAction(action, value)).toEqual(form.target);
      // The card's field is the input the submission is read from.
      const inputIds = JSON.stringify(verificationFormCard(form).body);
      expect(inputIds).toContain(`"id":"${typedInputFor(action)}"`);
    }
  });
});
