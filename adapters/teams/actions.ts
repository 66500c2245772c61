// What happens when someone presses a button on one of the bot's cards (an Action.Submit comes
// back as a message whose `value` holds the action id, its value and the card's inputs). One row
// per action id: parse, call one service, say what to show. Who may do it is the service's check,
// from the database; nothing in the payload is trusted beyond naming what was clicked.
import { invalidInput } from '../../src/lib/errors.ts';
import { parseEntryActionValue, parseIdValue } from '../../src/messages/action-values.ts';
import type { ChatMessage } from '../../src/ports/message.ts';
import type { ActorRef } from '../../src/services/kernel/context.ts';
import type { CommandResult } from '../../src/services/commands/handle-command.ts';
import type { Services } from '../../src/services/index.ts';
import { entryListMessage } from '../../src/services/evidence/list-entries.ts';
import { card, paragraph, type AdaptiveCard } from './cards.ts';
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

function entryRef(value: string) {
  const ref = parseEntryActionValue(value);
  if (!ref) throw invalidInput('That button is out of date. Nothing was changed.');
  return ref;
}

function recordId(value: string) {
  const id = parseIdValue(value);
  if (!id) throw invalidInput('That button is out of date. Nothing was changed.');
  return id;
}

const reply = (r: { reply: ChatMessage }): ActionOutcome => ({ kind: 'reply', message: r.reply });

function decide(outcome: 'approve' | 'changes' | 'reject'): ActionHandler {
  return async ({ services, actor, value, inputs, requestId, conversationId }) =>
    reply(await services.decideEntry({ actor, ...entryRef(value), outcome, feedback: inputs.feedback, requestId, conversationId }));
}

function countersign(action: 'countersign' | 'overturn'): ActionHandler {
  return async ({ services, actor, value, inputs, requestId, conversationId }) =>
    reply(await services.countersignDecision({ actor, decisionId: recordId(value), action, note: inputs.feedback, requestId, conversationId }));
}

function iqa(outcome: 'confirmed' | 'action'): ActionHandler {
  return async ({ services, actor, value, inputs, requestId, conversationId }) =>
    reply(await services.reviewIqaSample({ actor, sampleId: recordId(value), outcome, note: inputs.note, requestId, conversationId }));
}

export const ACTIONS: Record<string, ActionHandler> = {
  'entry.approve': decide('approve'),
  'entry.changes': decide('changes'),
  'entry.reject': decide('reject'),
  'decision.countersign': countersign('countersign'),
  'decision.overturn': countersign('overturn'),
  'iqa.confirm': iqa('confirmed'),
  'iqa.action': iqa('action'),
  'witness.write': async ({ services, actor, value, inputs, requestId, conversationId }) =>
    reply(await services.submitWitnessStatement({ actor, witnessRequestId: recordId(value), statement: inputs.statement ?? '', requestId, conversationId })),
  'entry.history': async ({ services, actor, value }) => ({ kind: 'reply', message: (await services.getEntryHistory({ actor, entryId: recordId(value) })).message }),
  /** A learner's Edit button on an entry sent back for changes: the entry as `log` text, to correct. */
  'entry.edit': async ({ services, actor, value }) => {
    const { entryId } = entryRef(value);
    const e = await services.getEntryForEdit({ actor, entryId });
    return { kind: 'card', card: editEntryCard(e), summary: 'Edit your evidence' };
  },
  'entry.edit.save': async ({ services, actor, value, inputs, requestId, conversationId }) => {
    const { entryId, version } = entryRef(value);
    const r = await services.editEntry({ actor, entryId, version, text: inputs.text ?? '', requestId, conversationId });
    return { kind: 'reply', message: r.confirmation };
  },
  /** The learner's "Ask for a witness statement": pick their manager or a colleague on the roster. */
  'entry.witness': async ({ services, actor, value }) => {
    const o = await services.getWitnessOptions({ actor, entryId: recordId(value) });
    return { kind: 'card', card: witnessChoiceCard(o), summary: 'Ask for a witness statement' };
  },
  'entry.witness.ask': async ({ services, actor, value, inputs, requestId, conversationId }) => {
    const choice = inputs.witness ?? '';
    const witness = choice === 'manager' ? { manager: true as const } : parseIdValue(choice) ? { personId: parseIdValue(choice)! } : undefined;
    if (!witness) throw invalidInput('Choose who should write the statement. Nothing was sent.');
    return reply(await services.requestWitness({ actor, entryId: recordId(value), witness, requestId, conversationId }));
  },
  /** "Log evidence" on a nudge or a contact review: the logging form (prefilled where it can be). */
  'evidence.open_form': async ({ services, actor, value }) => ({ kind: 'result', result: await services.openLogForm({ actor, value }) }),
  /** A follow-up reminder's Done: marks it done and opens the form prefilled from the entry. */
  'followup.done': async ({ services, actor, value }) => ({ kind: 'result', result: await services.completeFollowUp({ actor, reminderId: recordId(value) }) }),
  'followup.snooze': async ({ services, actor, value }) => ({ kind: 'reply', message: (await services.snoozeFollowUp({ actor, value })).message }),
  /** A criterion's Log button (criteria U7): the form, with that criterion filled in. */
  'criterion.log': async ({ value }) => {
    const m = /^([A-Za-z]\/\d{3}\/\d{4}):(\d+\.\d+)$/.exec(value.trim());
    return { kind: 'form', values: m ? { criteria: `#${m[1]}:${m[2]}` } : undefined };
  },
  /** The More button under a list. */
  'entries.more': async ({ services, actor, value }) => {
    const m = /^(all|pending|approved|changes|rejected):(\d{1,4})$/.exec(value.trim());
    if (!m) throw invalidInput('That button is out of date. Type `list` to see your entries again.');
    const r = await services.listEntries({ actor, filter: m[1] === 'all' ? undefined : m[1], page: Number(m[2]) });
    return { kind: 'reply', message: entryListMessage(r) };
  },
};

/** The edit card: the assessor's feedback, and the entry in the `log` grammar to correct and save. */
export function editEntryCard(e: { entryId: string; version: number; text: string; feedback: string | null }): AdaptiveCard {
  return card(
    [
      ...paragraph('Edit your evidence', { weight: 'Bolder', size: 'Large' }),
      ...(e.feedback ? paragraph(`Your assessor asked: ${e.feedback}`) : []),
      { type: 'Input.Text', id: 'text', label: 'The entry, as you would type it after "log"', isMultiline: true, maxLength: 3000, isRequired: true, errorMessage: 'Say what happened, with its criteria.', value: e.text },
      ...paragraph('Tags like `#U7:2.1`, `mins:45` and `simulated` work here as in `log`.', { size: 'Small', isSubtle: true }),
    ],
    [{ type: 'Action.Submit', title: 'Save changes', style: 'positive', data: { action: 'entry.edit.save', value: `${e.entryId}:${e.version}` } }],
  );
}

/** Who to ask for a witness statement: the manager first, then colleagues on the roster. */
export function witnessChoiceCard(o: { entryId: string; summary: string; manager: { name: string } | null; colleagues: { personId: string; name: string }[] }): AdaptiveCard {
  const choices = [
    ...(o.manager ? [{ title: `${o.manager.name} (your manager)`, value: 'manager' }] : []),
    ...o.colleagues.map((c) => ({ title: c.name, value: c.personId })),
  ];
  return card(
    [
      ...paragraph('Ask for a witness statement', { weight: 'Bolder', size: 'Large' }),
      ...paragraph(o.summary.length > 300 ? `${o.summary.slice(0, 299)}…` : o.summary, { isSubtle: true }),
      { type: 'Input.ChoiceSet', id: 'witness', label: 'Who saw or heard it?', style: 'filtered', isRequired: true, errorMessage: 'Choose who should write the statement.', choices, value: o.manager ? 'manager' : '' },
    ],
    [{ type: 'Action.Submit', title: 'Ask them', style: 'positive', data: { action: 'entry.witness.ask', value: o.entryId } }],
  );
}

export function actionHandler(id: string): ActionHandler | undefined {
  return Object.hasOwn(ACTIONS, id) ? ACTIONS[id] : undefined;
}
