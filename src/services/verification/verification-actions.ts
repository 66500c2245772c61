// One entry point for the verification buttons, whichever platform they were clicked on: Approve,
// Countersign, Confirm (IQA) and History act at once and return a message for the person who
// clicked; the others return the form to open (feedback, overturn note, IQA action, statement,
// edit, witness choice). Where a platform draws a form's field on the card itself, beside its
// buttons (Teams), the words typed come with the click and the form is submitted at once; a form
// drawn as a card of its own (Teams' edit and witness cards) comes back through here too, with its
// submit button's id. Every use case checks, from the database, that this person may act.
import { invalidInput } from '../../lib/errors.ts';
import { ACTION, FORM_SUBMIT, parseEntryActionValue, parseIdValue } from '../../messages/action-values.ts';
import type { ChatMessage } from '../../ports/message.ts';
import type { ActorRef, ServiceContext } from '../kernel/context.ts';
import { countersignDecision } from './countersign-decision.ts';
import { decideEntry } from './decide-entry.ts';
import { getEntryHistory } from '../evidence/get-entry-history.ts';
import { reviewIqaSample } from './review-iqa-sample.ts';
import { formTargetForAction, isFormSubmit, openVerificationForm, submitVerificationForm, type VerificationForm } from './verification-forms.ts';

/** The buttons the verification messages carry (Slack routes exactly these to the handler). */
export const VERIFICATION_ACTIONS: readonly string[] = Object.values(ACTION);

/** Every id the handler takes: the buttons, and the submit buttons of forms drawn as cards. */
export const VERIFICATION_ACTION_IDS: readonly string[] = [...VERIFICATION_ACTIONS, ...Object.values(FORM_SUBMIT)];

export const isVerificationAction = (actionId: string) => VERIFICATION_ACTION_IDS.includes(actionId);

export type VerificationActionResult = { kind: 'message'; message: ChatMessage } | { kind: 'form'; form: VerificationForm };

export interface VerificationActionInput {
  actor: ActorRef;
  actionId: string;
  value: string;
  /** Stable per click (Slack trigger ID, Teams activity ID): a retried click acts once. */
  requestId: string;
  /** Where the click was made, when its request ID is only unique there (Teams activity IDs). */
  conversationId?: string;
  /**
   * The words typed beside the button, where the card carries a form's field itself (Teams): an
   * optional note on Approve, Countersign and Confirm; the form's value on a button that would
   * otherwise open a form, which is then submitted at once. Absent (Slack), such a button returns
   * its form.
   */
  text?: string;
}

const OUT_OF_DATE = 'That button is out of date. Use the latest message about this entry.';

export async function handleVerificationAction(ctx: ServiceContext, input: VerificationActionInput): Promise<VerificationActionResult> {
  const { actor, actionId, value, text } = input;
  const request = { actor, requestId: input.requestId, conversationId: input.conversationId };
  const message = (m: ChatMessage): VerificationActionResult => ({ kind: 'message', message: m });
  switch (actionId) {
    case ACTION.approve: {
      const v = parseEntryActionValue(value);
      if (!v) throw invalidInput(OUT_OF_DATE);
      return message((await decideEntry(ctx, { ...request, ...v, outcome: 'approve', feedback: text })).reply);
    }
    case ACTION.countersign: {
      const id = parseIdValue(value);
      if (!id) throw invalidInput(OUT_OF_DATE);
      return message((await countersignDecision(ctx, { ...request, decisionId: id, action: 'countersign', note: text })).reply);
    }
    case ACTION.iqaConfirm: {
      const id = parseIdValue(value);
      if (!id) throw invalidInput(OUT_OF_DATE);
      return message((await reviewIqaSample(ctx, { ...request, sampleId: id, outcome: 'confirmed', note: text })).reply);
    }
    case ACTION.history: {
      const id = parseIdValue(value);
      if (!id) throw invalidInput(OUT_OF_DATE);
      return message((await getEntryHistory(ctx, { actor, entryId: id })).message);
    }
    default: {
      const target = formTargetForAction(actionId, value);
      if (!target) throw invalidInput(OUT_OF_DATE);
      if (isFormSubmit(actionId) || text !== undefined) {
        return message((await submitVerificationForm(ctx, { ...request, target, value: text ?? '' })).reply);
      }
      return { kind: 'form', form: await openVerificationForm(ctx, { actor, target }) };
    }
  }
}
