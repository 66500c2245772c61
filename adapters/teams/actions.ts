// What happens when someone presses a button on one of the bot's cards (an Action.Submit comes
// back as a message whose `value` holds the action id, its value and the card's inputs). The
// verification buttons all go to the core's handleVerificationAction, with the same ids and values
// as Slack's (src/messages/action-values.ts); a form it returns is drawn here as a card whose
// submit button comes back the same way. The other buttons have one row each: parse, call one
// service, say what to show. Who may do it is the service's check, from the database; nothing in
// the payload is trusted beyond naming what was clicked.
import { invalidInput } from '../../src/lib/errors.ts';
import {
  ACTION, CRITERION_LOG_ACTION, FORM_SUBMIT, LIST_MORE_ACTION, parseCriterionLogValue, parseEntriesMoreValue, parseIdValue,
} from '../../src/messages/action-values.ts';
import type { ChatMessage } from '../../src/ports/message.ts';
import type { ActorRef } from '../../src/services/kernel/context.ts';
import type { CommandResult } from '../../src/services/commands/handle-command.ts';
import type { Services } from '../../src/services/index.ts';
import { entryListMessage } from '../../src/services/evidence/list-entries.ts';
import { isVerificationAction } from '../../src/services/verification/verification-actions.ts';
import { formSubmitAction, type VerificationForm } from '../../src/services/verification/verification-forms.ts';
import { card, messageCard, paragraph, textInputFor, type AdaptiveCard, type CardElement } from './cards.ts';
import type { LogFormValues } from './forms.ts';

/** What the bot does after an action: reply with a message, and/or show the logging form. */
export type ActionOutcome =
  | { kind: 'reply'; message: ChatMessage }
  | { kind: 'form'; values?: LogFormValues }
  | { kind: 'card'; card: AdaptiveCard; summary: string }
  /** What a typed command would return (a message, a form, a file): rendered the same way. */
  | { kind: 'result'; result: CommandResult }
  | { kind: 'none' };

export interface ActionInput {
  services: Services;
  actor: ActorRef;
  value: string;
  /** The card's inputs (feedback, note, statement …), as Teams sent them. */
  inputs: Record<string, string | undefined>;
  /** Stable per click: the activity ID (a double click is two activities, the services dedupe on the entry version). */
  requestId: string;
  /** The conversation the click came from: Teams activity IDs are only unique within one. */
  conversationId: string;
}

export type ActionHandler = (input: ActionInput) => Promise<ActionOutcome>;

/**
 * The card input carrying the words typed with a click: the field cards.ts draws beside a form's
 * button (shared by the buttons next to it: an optional note on Approve, Countersign, Confirm), or
 * the field of a form drawn as a card of its own (verificationFormCard).
 */
const TYPED_BESIDE: Record<string, string> = {
  [ACTION.approve]: 'feedback',
  [ACTION.countersign]: 'feedback',
  [ACTION.iqaConfirm]: 'note',
  [FORM_SUBMIT.editSave]: 'text',
  [FORM_SUBMIT.witnessAsk]: 'witness',
};

export function typedInputFor(actionId: string): string | undefined {
  return textInputFor(actionId)?.id ?? TYPED_BESIDE[actionId];
}

/** Every verification button, and the submit button of a verification form's card: the core's one handler, as for Slack. */
async function verificationAction(actionId: string, { services, actor, value, inputs, requestId, conversationId }: ActionInput): Promise<ActionOutcome> {
  const typed = typedInputFor(actionId);
  const text = typed ? inputs[typed] : undefined;
  const r = await services.handleVerificationAction({ actor, actionId, value, requestId, conversationId, ...(text !== undefined ? { text } : {}) });
  if (r.kind === 'message') return { kind: 'reply', message: r.message };
  return { kind: 'card', card: verificationFormCard(r.form), summary: r.form.title };
}

export const ACTIONS: Record<string, ActionHandler> = {
  /** "Log evidence" on a nudge or a contact review: the logging form (prefilled where it can be). */
  'evidence.open_form': async ({ services, actor, value }) => ({ kind: 'result', result: await services.openLogForm({ actor, value }) }),
  /** A follow-up reminder's Done: marks it done and opens the form prefilled from the entry. */
  'followup.done': async ({ services, actor, value }) => ({ kind: 'result', result: await services.completeFollowUp({ actor, reminderId: recordId(value) }) }),
  'followup.snooze': async ({ services, actor, value }) => ({ kind: 'reply', message: (await services.snoozeFollowUp({ actor, value })).message }),
  /** A criterion's Log button (criteria U7): the form, with that criterion filled in. */
  [CRITERION_LOG_ACTION]: async ({ value }) => {
    const c = parseCriterionLogValue(value);
    return { kind: 'form', values: c ? { criteria: `#${c.unitRef}:${c.number}` } : undefined };
  },
  /** The More button under a list. */
  [LIST_MORE_ACTION]: async ({ services, actor, value }) => {
    const more = parseEntriesMoreValue(value);
    if (!more) throw invalidInput('That button is out of date. Type `list` to see your entries again.');
    const r = await services.listEntries({ actor, filter: more.filter, page: more.page });
    return { kind: 'reply', message: entryListMessage(r) };
  },
};

function recordId(value: string) {
  const id = parseIdValue(value);
  if (!id) throw invalidInput('That button is out of date. Nothing was changed.');
  return id;
}

/**
 * A verification form (feedback, overturn note, IQA action, statement, edit, witness choice) as a
 * card: what the core says about it, its one field, and a submit button carrying the id and value
 * the core gave for it (formSubmitAction), so the submission reaches the same handler.
 */
export function verificationFormCard(form: VerificationForm): AdaptiveCard {
  const submit = formSubmitAction(form.target);
  const id = typedInputFor(submit.id) ?? 'text';
  const f = form.field;
  const input: CardElement = f.type === 'text'
    ? {
      type: 'Input.Text', id, label: f.label, isMultiline: true, maxLength: f.maxLength, isRequired: true, errorMessage: `${f.label}: write something first.`,
      ...(f.placeholder ? { placeholder: f.placeholder } : {}), ...(f.initial ? { value: f.initial } : {}),
    }
    : {
      type: 'Input.ChoiceSet', id, label: f.label, style: 'filtered', isRequired: true, errorMessage: 'Choose one.',
      choices: f.choices.map((c) => ({ title: c.label, value: c.value })), value: f.initial ?? '',
    };
  return card(
    [
      ...paragraph(form.title, { weight: 'Bolder', size: 'Large' }),
      ...messageCard(form.intro).body,
      input,
      ...(f.hint ? paragraph(f.hint, { size: 'Small', isSubtle: true }) : []),
    ],
    [{ type: 'Action.Submit', title: form.submitLabel, style: 'positive', data: { action: submit.id, value: submit.value } }],
  );
}

export function actionHandler(id: string): ActionHandler | undefined {
  if (isVerificationAction(id)) return (input) => verificationAction(id, input);
  return Object.hasOwn(ACTIONS, id) ? ACTIONS[id] : undefined;
}
