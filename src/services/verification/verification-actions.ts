// One entry point for the verification buttons, whichever platform they were clicked on: Approve,
// Countersign, Confirm (IQA) and History act at once and return a message for the person who
// clicked; the others return the form to open (feedback, overturn note, IQA action, statement,
// edit, witness choice). Every use case checks, from the database, that this person may act.
import { invalidInput } from '../../lib/errors.ts';
import { ACTION, parseEntryActionValue, parseIdValue } from '../../messages/action-values.ts';
import type { ChatMessage } from '../../ports/message.ts';
import type { ActorRef, ServiceContext } from '../kernel/context.ts';
import { countersignDecision } from './countersign-decision.ts';
import { decideEntry } from './decide-entry.ts';
import { getEntryHistory } from '../evidence/get-entry-history.ts';
import { reviewIqaSample } from './review-iqa-sample.ts';
import { formTargetForAction, openVerificationForm, type VerificationForm } from './verification-forms.ts';

export const VERIFICATION_ACTIONS: readonly string[] = Object.values(ACTION);

export type VerificationActionResult = { kind: 'message'; message: ChatMessage } | { kind: 'form'; form: VerificationForm };

export interface VerificationActionInput {
  actor: ActorRef;
  actionId: string;
  value: string;
  /** Stable per click (Slack trigger ID, Teams activity ID): a retried click acts once. */
  requestId: string;
  /** Where the click was made, when its request ID is only unique there (Teams activity IDs). */
  conversationId?: string;
}

const OUT_OF_DATE = 'That button is out of date. Use the latest message about this entry.';

export async function handleVerificationAction(ctx: ServiceContext, input: VerificationActionInput): Promise<VerificationActionResult> {
  const { actor, actionId, value, requestId, conversationId } = input;
  const message = (m: ChatMessage): VerificationActionResult => ({ kind: 'message', message: m });
  switch (actionId) {
    case ACTION.approve: {
      const v = parseEntryActionValue(value);
      if (!v) throw invalidInput(OUT_OF_DATE);
      return message((await decideEntry(ctx, { actor, entryId: v.entryId, version: v.version, outcome: 'approve', requestId, conversationId })).reply);
    }
    case ACTION.countersign: {
      const id = parseIdValue(value);
      if (!id) throw invalidInput(OUT_OF_DATE);
      return message((await countersignDecision(ctx, { actor, decisionId: id, action: 'countersign', requestId, conversationId })).reply);
    }
    case ACTION.iqaConfirm: {
      const id = parseIdValue(value);
      if (!id) throw invalidInput(OUT_OF_DATE);
      return message((await reviewIqaSample(ctx, { actor, sampleId: id, outcome: 'confirmed', requestId, conversationId })).reply);
    }
    case ACTION.history: {
      const id = parseIdValue(value);
      if (!id) throw invalidInput(OUT_OF_DATE);
      return message((await getEntryHistory(ctx, { actor, entryId: id })).message);
    }
    default: {
      const target = formTargetForAction(actionId, value);
      if (!target) throw invalidInput(OUT_OF_DATE);
      return { kind: 'form', form: await openVerificationForm(ctx, { actor, target }) };
    }
  }
}
