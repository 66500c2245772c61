// What happens when someone presses a button on one of the bot's cards (an Action.Submit comes
// back as a message whose `value` holds the action id, its value and the card's inputs). One row
// per action id: parse, call one service, say what to show. Who may do it is the service's check,
// from the database; nothing in the payload is trusted beyond naming what was clicked.
import { z } from 'zod';
import { invalidInput } from '../../src/lib/errors.ts';
import { parseEntryActionValue } from '../../src/messages/action-values.ts';
import type { ChatMessage } from '../../src/ports/message.ts';
import type { ActorRef } from '../../src/services/context.ts';
import type { Services } from '../../src/services/index.ts';
import { entryListMessage } from '../../src/services/list-entries.ts';
import type { LogFormValues } from './forms.ts';

/** What the bot does after an action: reply with a message, and/or show the logging form. */
export type ActionOutcome =
  | { kind: 'reply'; message: ChatMessage }
  | { kind: 'form'; values?: LogFormValues }
  | { kind: 'none' };

export interface ActionInput {
  services: Services;
  actor: ActorRef;
  value: string;
  /** The card's inputs (feedback, note, statement …), as Teams sent them. */
  inputs: Record<string, string | undefined>;
  /** Stable per click: the activity ID (a double click is two activities, the services dedupe on the entry version). */
  requestId: string;
}

export type ActionHandler = (input: ActionInput) => Promise<ActionOutcome>;

const text = (t: string): ActionOutcome => ({ kind: 'reply', message: { fallback: t, blocks: [{ type: 'text', text: t }] } });

/**
 * A use case another part of the bot provides (decisions, countersigning, IQA, witnesses). Looked
 * up by name so the Teams buttons start working the moment the service is wired into Services;
 * until then the person is told plainly that it is not available yet.
 */
function optionalService(services: Services, name: string): ((input: Record<string, unknown>) => Promise<unknown>) | undefined {
  const f = (services as unknown as Record<string, unknown>)[name];
  return typeof f === 'function' ? (f as (input: Record<string, unknown>) => Promise<unknown>) : undefined;
}

function notYet(what: string): ActionOutcome {
  return text(`${what} from Teams is not available yet. Nothing was changed.`);
}

function entryRef(value: string) {
  const ref = parseEntryActionValue(value);
  if (!ref) throw invalidInput('That button is out of date. Type `list` to see your entries again.');
  return ref;
}

const replyOf = (r: unknown): ActionOutcome => {
  const reply = (r as { reply?: ChatMessage } | undefined)?.reply;
  return reply ? { kind: 'reply', message: reply } : { kind: 'none' };
};

function decide(outcome: 'approve' | 'changes' | 'reject'): ActionHandler {
  return async ({ services, actor, value, inputs, requestId }) => {
    const decideEntry = optionalService(services, 'decideEntry');
    if (!decideEntry) return notYet('Deciding on evidence');
    const { entryId, version } = entryRef(value);
    return replyOf(await decideEntry({ actor, entryId, version, outcome, feedback: inputs.feedback, requestId }));
  };
}

/** A record-id button (countersign, IQA, witness) handed to the named service with its text input. */
function byId(serviceName: string, what: string, build: (id: string, inputs: ActionInput['inputs']) => Record<string, unknown>): ActionHandler {
  return async ({ services, actor, value, inputs, requestId }) => {
    const service = optionalService(services, serviceName);
    if (!service) return notYet(what);
    const id = z.uuid().safeParse(value.trim());
    if (!id.success) throw invalidInput('That button is out of date. Nothing was changed.');
    return replyOf(await service({ actor, requestId, ...build(id.data.toLowerCase(), inputs) }));
  };
}

export const ACTIONS: Record<string, ActionHandler> = {
  'entry.approve': decide('approve'),
  'entry.changes': decide('changes'),
  'entry.reject': decide('reject'),
  'decision.countersign': byId('countersignDecision', 'Countersigning', (decisionId) => ({ decisionId, outcome: 'countersign' })),
  'decision.overturn': byId('countersignDecision', 'Overturning a decision', (decisionId, i) => ({ decisionId, outcome: 'overturn', feedback: i.feedback })),
  'iqa.confirm': byId('reviewIqaSample', 'IQA review', (sampleId, i) => ({ sampleId, outcome: 'confirmed', note: i.note })),
  'iqa.action': byId('reviewIqaSample', 'IQA review', (sampleId, i) => ({ sampleId, outcome: 'action', note: i.note })),
  'witness.write': byId('writeWitnessStatement', 'Writing a witness statement', (requestId, i) => ({ witnessRequestId: requestId, statement: i.statement })),
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

export function actionHandler(id: string): ActionHandler | undefined {
  return Object.hasOwn(ACTIONS, id) ? ACTIONS[id] : undefined;
}
