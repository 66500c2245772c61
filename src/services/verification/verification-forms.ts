// The small forms of verification, platform-neutral: feedback for Request changes / Reject, the
// note to overturn a decision, the IQA's action, a witness statement, the learner's edit, and
// choosing a witness. Opening one checks, from the database, that this person may do it now (so a
// refused click is told at once and no form opens for nothing); submitting hands the value to the
// use case, which checks again. A Slack modal or a Teams card renders the form and sends back the
// `target` it carries, untouched: it only says which thing, never who may act on it.
import { z } from 'zod';
import { conflict, forbidden, invalidInput, notFound } from '../../lib/errors.ts';
import { ACTION, entryActionValue, FORM_SUBMIT, parseEntryActionValue, parseIdValue } from '../../messages/action-values.ts';
import { criteriaLines, STATUS_LABEL } from '../../messages/entry-card.ts';
import { excerpt, OUTCOME_LABEL } from '../../messages/decision-notices.ts';
import type { ChatMessage, MessageBlock } from '../../ports/message.ts';
import {
  authoriseAssessor, authoriseCountersigner, loadDecisionView, loadEntryForAssessment, staleEntry,
} from './assessment-access.ts';
import type { ActorRef, ServiceContext } from '../kernel/context.ts';
import { countersignDecision } from './countersign-decision.ts';
import { decideEntry, MAX_FEEDBACK } from './decide-entry.ts';
import { editEntry } from '../evidence/edit-entry.ts';
import { getEntryForEdit } from '../evidence/get-entry-for-edit.ts';
import { getWitnessOptions } from './get-witness-options.ts';
import { identifyPerson } from '../kernel/identify-person.ts';
import { requestWitness, type WitnessChoice } from './request-witness.ts';
import { reviewIqaSample } from './review-iqa-sample.ts';
import { MAX_STATEMENT, submitWitnessStatement } from './submit-witness-statement.ts';
import { loadEntryView } from '../evidence/entry-view.ts';

/** What a submission carries back: which thing, and the version the person saw. */
export const ZFormTarget = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('decision'), entryId: z.string().uuid(), version: z.number().int().positive(), outcome: z.enum(['changes', 'reject']) }),
  z.object({ kind: z.literal('overturn'), decisionId: z.string().uuid() }),
  z.object({ kind: z.literal('iqa_action'), sampleId: z.string().uuid() }),
  z.object({ kind: z.literal('witness_statement'), witnessRequestId: z.string().uuid() }),
  z.object({ kind: z.literal('edit'), entryId: z.string().uuid(), version: z.number().int().positive() }),
  z.object({ kind: z.literal('witness_request'), entryId: z.string().uuid() }),
]);
export type FormTarget = z.infer<typeof ZFormTarget>;

export type FormField =
  | { type: 'text'; label: string; placeholder?: string; initial?: string; maxLength: number; hint?: string }
  | { type: 'choice'; label: string; choices: { value: string; label: string }[]; initial?: string; hint?: string };

export interface VerificationForm {
  target: FormTarget;
  /** At most 24 characters (Slack's modal title). */
  title: string;
  submitLabel: string;
  /** What the form shows above its field: the entry, the decision, the feedback to act on. */
  intro: ChatMessage;
  field: FormField;
}

const WITNESS_LABEL = 'Who saw or heard it?';

/** The action (button) ids that open a form, and what the button's value means for each. */
export const FORM_ACTIONS = [ACTION.changes, ACTION.reject, ACTION.overturn, ACTION.iqaAction, ACTION.witnessWrite, ACTION.edit, ACTION.witness] as const;

export async function openVerificationForm(ctx: ServiceContext, input: { actor: ActorRef; target: FormTarget }): Promise<VerificationForm> {
  const target = parseTarget(input.target);
  const person = await identifyPerson(ctx, input.actor);
  switch (target.kind) {
    case 'decision': {
      const entry = await loadEntryForAssessment(ctx.db, target.entryId);
      authoriseAssessor(person, entry);
      if (entry.version !== target.version || entry.status !== 'pending') throw staleEntry(entry.status, STATUS_LABEL[entry.status] ?? '');
      const view = await loadEntryView(ctx, entry.id);
      return {
        target,
        title: target.outcome === 'changes' ? 'Request changes' : 'Reject evidence',
        submitLabel: target.outcome === 'changes' ? 'Request changes' : 'Reject',
        intro: entryIntro(`Evidence from ${view.learnerName}`, view.summary, criteriaLines(view.qualificationId, view.criteria), view.simulated),
        field: {
          type: 'text', label: 'Feedback for the learner', maxLength: MAX_FEEDBACK,
          placeholder: target.outcome === 'changes' ? 'What should they add or change?' : 'Why is this evidence not accepted?',
          hint: `${view.learnerName} sees this with the decision.`,
        },
      };
    }
    case 'overturn': {
      const decision = await ctx.db.decision.findUnique({ where: { id: target.decisionId } });
      if (!decision) throw notFound('That decision no longer exists.');
      const entry = await loadEntryForAssessment(ctx.db, decision.entryId);
      authoriseCountersigner(person, entry, decision);
      const dv = await loadDecisionView(ctx.db, decision.id);
      if (dv.countersignOutcome) throw conflict(`${dv.countersignedByName ?? 'Another assessor'} already ${dv.countersignOutcome} this decision.`);
      const view = await loadEntryView(ctx, entry.id);
      return {
        target, title: 'Overturn decision', submitLabel: 'Overturn',
        intro: entryIntro(`${OUTCOME_LABEL[dv.outcome]} by ${dv.assessorName} on ${view.learnerName}'s evidence`, view.summary, [
          ...criteriaLines(view.qualificationId, view.criteria), ...(dv.feedback ? [`Their feedback: ${dv.feedback}`] : []),
        ], view.simulated),
        field: {
          type: 'text', label: `Note for ${dv.assessorName}`, maxLength: MAX_FEEDBACK, placeholder: 'Why it does not stand, and what to look at again',
          hint: 'The entry goes back to them for reassessment; the learner is not told.',
        },
      };
    }
    case 'iqa_action': {
      const sample = await ctx.db.iqaSample.findUnique({ where: { id: target.sampleId }, include: { decision: { select: { id: true, entryId: true } } } });
      if (!sample) throw notFound('That IQA sample no longer exists.');
      if (sample.iqaId !== person.id) throw forbidden('Only the IQA this sample was sent to can review it.');
      if (sample.outcome) throw conflict('You already reviewed this sample.');
      const dv = await loadDecisionView(ctx.db, sample.decision.id);
      const view = await loadEntryView(ctx, sample.decision.entryId);
      return {
        target, title: 'Raise an IQA action', submitLabel: 'Raise action',
        intro: entryIntro(`${OUTCOME_LABEL[dv.outcome]} by ${dv.assessorName} on ${view.learnerName}'s evidence`, view.summary, criteriaLines(view.qualificationId, view.criteria), view.simulated),
        field: { type: 'text', label: `Action for ${dv.assessorName}`, maxLength: MAX_FEEDBACK, placeholder: 'What should they do differently?' },
      };
    }
    case 'witness_statement': {
      const request = await ctx.db.witnessRequest.findUnique({ where: { id: target.witnessRequestId } });
      if (!request) throw notFound('That request no longer exists.');
      if (request.witnessId !== person.id) throw forbidden('Only the person who was asked can write this statement.');
      if (request.submittedAt) throw conflict('You already sent your statement.');
      const view = await loadEntryView(ctx, request.entryId);
      return {
        target, title: 'Witness statement', submitLabel: 'Send statement',
        intro: entryIntro(`${view.learnerName} asked you to confirm this`, view.summary, [], view.simulated),
        field: { type: 'text', label: 'What you saw or heard', maxLength: MAX_STATEMENT, placeholder: 'A few sentences in your own words', hint: 'Attached to the evidence; the assessor reads it.' },
      };
    }
    case 'edit': {
      const form = await getEntryForEdit(ctx, { actor: input.actor, entryId: target.entryId });
      if (form.version !== target.version) throw staleEntry('changed', 'edited since');
      return {
        target, title: 'Edit evidence', submitLabel: 'Send to assessor',
        intro: {
          fallback: 'Edit evidence',
          blocks: [
            ...(form.feedback ? [{ type: 'text', text: `Your assessor asked: ${form.feedback}` } as MessageBlock] : []),
            { type: 'context', text: 'Change the text below; keep the criteria tags (#U7:2.1), `mins:` and `simulated` as needed.' },
          ],
        },
        field: { type: 'text', label: 'Your evidence', initial: form.text, maxLength: 3000 },
      };
    }
    case 'witness_request': {
      const options = await getWitnessOptions(ctx, { actor: input.actor, entryId: target.entryId });
      const choices = [
        ...(options.manager ? [{ value: options.manager.personId, label: `${options.manager.name} (your manager)` }] : []),
        ...options.colleagues.map((c) => ({ value: c.personId, label: c.name })),
      ];
      return {
        target, title: 'Ask for a witness', submitLabel: 'Ask them',
        intro: entryIntro('A witness statement backs up your evidence', options.summary, [], false),
        // Nobody on the roster to pick yet: a box for their name, as the roster will have it.
        field: choices.length > 0
          ? { type: 'choice', label: WITNESS_LABEL, choices, initial: options.manager?.personId, hint: 'They get the entry and a button to write a statement.' }
          : { type: 'text', label: WITNESS_LABEL, maxLength: 200, placeholder: 'Their full name, as on the roster', hint: 'Nobody else from your workspace is on the roster yet: ask your training provider to add your manager.' },
      };
    }
  }
}

export interface SubmitVerificationFormInput {
  actor: ActorRef;
  target: FormTarget;
  /** The text typed, or the choice made. */
  value: string;
  requestId: string;
  /** Where it was sent, when the request ID is only unique there (Teams activity IDs). */
  conversationId?: string;
}

/** Hands a submitted form to its use case. */
export async function submitVerificationForm(ctx: ServiceContext, input: SubmitVerificationFormInput): Promise<{ reply: ChatMessage }> {
  const target = parseTarget(input.target);
  const { value } = input;
  const request = { actor: input.actor, requestId: input.requestId, conversationId: input.conversationId };
  switch (target.kind) {
    case 'decision':
      return decideEntry(ctx, { ...request, entryId: target.entryId, version: target.version, outcome: target.outcome, feedback: value });
    case 'overturn':
      return countersignDecision(ctx, { ...request, decisionId: target.decisionId, action: 'overturn', note: value });
    case 'iqa_action':
      return reviewIqaSample(ctx, { ...request, sampleId: target.sampleId, outcome: 'action', note: value });
    case 'witness_statement':
      return submitWitnessStatement(ctx, { ...request, witnessRequestId: target.witnessRequestId, statement: value });
    case 'edit': {
      const r = await editEntry(ctx, { ...request, entryId: target.entryId, version: target.version, text: value });
      return { reply: r.confirmation };
    }
    case 'witness_request':
      return requestWitness(ctx, { ...request, entryId: target.entryId, witness: witnessChoice(value) });
  }
}

/** The witness form's value: a person picked (their ID), the manager, or a name typed. */
function witnessChoice(value: string): WitnessChoice {
  const v = value.trim();
  if (!v) throw invalidInput('Choose who should write the statement. Nothing was sent.', { field: 'value' });
  const personId = parseIdValue(v);
  if (personId) return { personId };
  return v.toLowerCase() === 'manager' ? { manager: true } : { name: v };
}

/**
 * A button's id and value as the form target it opens or submits: the buttons that open a form
 * (`entry.changes` with `<entryId>:<version>` …), and the submit buttons of the forms drawn as
 * cards (formSubmitAction).
 */
export function formTargetForAction(actionId: string, value: string): FormTarget | undefined {
  const entry = parseEntryActionValue(value);
  const id = parseIdValue(value);
  const t = ((): FormTarget | undefined => {
    switch (actionId) {
      case ACTION.changes: return entry && { kind: 'decision', ...entry, outcome: 'changes' };
      case ACTION.reject: return entry && { kind: 'decision', ...entry, outcome: 'reject' };
      case ACTION.overturn: return id ? { kind: 'overturn', decisionId: id } : undefined;
      case ACTION.iqaAction: return id ? { kind: 'iqa_action', sampleId: id } : undefined;
      case ACTION.witnessWrite: return id ? { kind: 'witness_statement', witnessRequestId: id } : undefined;
      case ACTION.edit:
      case FORM_SUBMIT.editSave: return entry && { kind: 'edit', ...entry };
      case ACTION.witness:
      case FORM_SUBMIT.witnessAsk: return id ? { kind: 'witness_request', entryId: id } : undefined;
      default: return undefined;
    }
  })();
  const parsed = ZFormTarget.safeParse(t);
  return parsed.success ? parsed.data : undefined;
}

/** Whether a button submits a form (rather than opening one) whatever is typed beside it. */
export const isFormSubmit = (actionId: string) => (Object.values(FORM_SUBMIT) as string[]).includes(actionId);

/**
 * What a form's submit button sends back where the form is drawn as a card (Teams): the id and
 * value of the button that opened it (the field then travels beside it), or for the edit and the
 * witness forms, their own submit id with the same value. formTargetForAction reads it back.
 */
export function formSubmitAction(target: FormTarget): { id: string; value: string } {
  switch (target.kind) {
    case 'decision': return { id: target.outcome === 'changes' ? ACTION.changes : ACTION.reject, value: entryActionValue(target.entryId, target.version) };
    case 'overturn': return { id: ACTION.overturn, value: target.decisionId };
    case 'iqa_action': return { id: ACTION.iqaAction, value: target.sampleId };
    case 'witness_statement': return { id: ACTION.witnessWrite, value: target.witnessRequestId };
    case 'edit': return { id: FORM_SUBMIT.editSave, value: entryActionValue(target.entryId, target.version) };
    case 'witness_request': return { id: FORM_SUBMIT.witnessAsk, value: target.entryId };
  }
}

function parseTarget(t: unknown): FormTarget {
  const parsed = ZFormTarget.safeParse(t);
  if (!parsed.success) throw invalidInput('That form is out of date. Open it again from the latest message.');
  return parsed.data;
}

function entryIntro(title: string, summary: string, lines: string[], simulated: boolean): ChatMessage {
  const blocks: MessageBlock[] = [{ type: 'text', text: title, bold: true }, { type: 'text', text: excerpt(summary, 1200) }];
  if (lines.length) blocks.push({ type: 'context', text: lines.join('\n') });
  if (simulated) blocks.push({ type: 'context', text: '⚠ Simulated evidence.' });
  return { fallback: title, blocks };
}
