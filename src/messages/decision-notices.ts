// Platform-neutral messages about assessing an entry: the assessor's thread root once decided (no
// buttons left to press), the notes in the entry's thread, the learner's outcome with the
// feedback, the qualified assessors' countersign requests, and an entry's history.
import { formatDateTime } from '../lib/time.ts';
import type { ChatMessage, MessageBlock } from '../ports/message.ts';
import { ACTION, entryActionValue } from './action-values.ts';
import { assessorEntryMessage, criteriaLines, STATUS_LABEL, type EntryView } from './entry-card.ts';

export type Outcome = 'approve' | 'changes' | 'reject';

export const OUTCOME_STATUS = { approve: 'approved', changes: 'changes_requested', reject: 'rejected' } as const;
export const OUTCOME_LABEL: Record<Outcome, string> = { approve: 'Approved', changes: 'Changes requested', reject: 'Rejected' };
const OUTCOME_ICON: Record<Outcome, string> = { approve: '✅', changes: '✏️', reject: '⛔' };

export interface DecisionView {
  id: string;
  outcome: Outcome;
  feedback: string | null;
  assessorName: string;
  /** A qualified assessor standing in for the learner's own. */
  standIn: boolean;
  assignedAssessorName?: string | null;
  needsCountersign: boolean;
  createdAt: Date;
  countersignedByName?: string | null;
  countersignOutcome?: 'countersigned' | 'overturned' | null;
  countersignNote?: string | null;
  countersignedAt?: Date | null;
}

const standInText = (d: DecisionView) => (d.standIn ? ` (standing in${d.assignedAssessorName ? ` for ${d.assignedAssessorName}` : ''})` : '');

/** One line per step of the decision: who decided what, and the countersignature if any. */
export function decisionLines(d: DecisionView, tz: string): string[] {
  const lines = [`${OUTCOME_ICON[d.outcome]} ${OUTCOME_LABEL[d.outcome]} by ${d.assessorName}${standInText(d)}, ${formatDateTime(d.createdAt, tz)}`];
  if (d.needsCountersign && !d.countersignOutcome) lines.push('⏳ Waiting for a qualified assessor to countersign before it takes effect.');
  if (d.countersignOutcome === 'countersigned') lines.push(`🖋 Countersigned by ${d.countersignedByName ?? 'a qualified assessor'}, ${formatDateTime(d.countersignedAt!, tz)}`);
  if (d.countersignOutcome === 'overturned') lines.push(`↩️ Overturned by ${d.countersignedByName ?? 'a qualified assessor'}, ${formatDateTime(d.countersignedAt!, tz)}: back for reassessment`);
  return lines;
}

function feedbackBlock(label: string, text: string | null | undefined): MessageBlock[] {
  return text ? [{ type: 'text', text: `${label}:\n${text}` }] : [];
}

/** Inserts blocks just before the root's last line (the "Logged … · entry …" small print). */
function withBefore(m: ChatMessage, blocks: MessageBlock[]): ChatMessage {
  const at = Math.max(0, m.blocks.length - 1);
  return { ...m, blocks: [...m.blocks.slice(0, at), ...blocks, ...m.blocks.slice(at)] };
}

const historyButton = (entryId: string): MessageBlock => ({
  type: 'actions', actions: [{ id: ACTION.history, label: 'History', value: entryId }],
});

/** The assessor's thread root after a decision: the entry, the decision, and no decision buttons. */
export function decidedRootMessage(e: EntryView, d: DecisionView, tz: string): ChatMessage {
  const m = assessorEntryMessage(e, tz, { open: false });
  return withBefore(m, [
    { type: 'divider' },
    ...decisionLines(d, tz).map((text): MessageBlock => ({ type: 'context', text })),
    ...feedbackBlock('Feedback', d.feedback),
    ...(d.countersignOutcome === 'overturned' ? feedbackBlock('Countersigner\'s note', d.countersignNote) : []),
    historyButton(e.id),
  ]);
}

/** The root re-opened with fresh buttons (after an edit or an overturned decision), saying why. */
export function reopenedRootMessage(e: EntryView, tz: string, why: string): ChatMessage {
  const m = assessorEntryMessage(e, tz, { open: true });
  // The reason goes just above the fresh buttons, where the assessor looks.
  const at = m.blocks.findIndex((b) => b.type === 'actions');
  const note: MessageBlock = { type: 'context', text: `🔁 ${why}` };
  return at < 0 ? withBefore(m, [note]) : { ...m, blocks: [...m.blocks.slice(0, at), note, ...m.blocks.slice(at)] };
}

/** The note in the entry's thread recording a decision (or a countersignature, an overturn). */
export function decisionThreadNote(d: DecisionView, tz: string): ChatMessage {
  const lines = decisionLines(d, tz);
  const blocks: MessageBlock[] = [{ type: 'text', text: lines.join('\n') }, ...feedbackBlock('Feedback', d.feedback)];
  if (d.countersignOutcome === 'overturned') {
    blocks.push(...feedbackBlock('Countersigner\'s note', d.countersignNote));
    blocks.push({ type: 'context', text: 'The learner was not told about the overturned decision. The entry is open for assessment again above.' });
  } else if (d.countersignOutcome === 'countersigned' || !d.needsCountersign) {
    blocks.push({ type: 'context', text: d.feedback ? 'The learner has been told, with the feedback.' : 'The learner has been told.' });
  }
  return { fallback: lines[0]!, blocks };
}

/** The learner's DM once a decision takes effect. Changes requested come with an Edit button. */
export function learnerDecisionMessage(e: EntryView, d: DecisionView, tz: string): ChatMessage {
  const title = {
    approve: 'Your evidence was approved',
    changes: 'Your assessor asked for changes to your evidence',
    reject: 'Your evidence was not accepted',
  }[d.outcome];
  const blocks: MessageBlock[] = [
    { type: 'header', text: title },
    { type: 'text', text: excerpt(e.summary) },
    { type: 'context', text: criteriaLines(e.qualificationId, e.criteria).join('\n') },
    ...feedbackBlock(`Feedback from ${d.assessorName}`, d.feedback),
  ];
  const who = [`${OUTCOME_LABEL[d.outcome]} by ${d.assessorName}${standInText(d)}`];
  if (d.countersignOutcome === 'countersigned' && d.countersignedByName) who.push(`countersigned by ${d.countersignedByName}`);
  blocks.push({ type: 'context', text: `${who.join(', ')} · logged ${formatDateTime(e.createdAt, tz)}${e.simulated ? ' · simulated' : ''}` });
  if (d.outcome === 'changes') {
    blocks.push({ type: 'text', text: 'Edit the entry and it goes back to your assessor (or find it later with `/evidence list changes`).' });
    blocks.push({ type: 'actions', actions: [{ id: ACTION.edit, label: 'Edit', value: entryActionValue(e.id, e.version), style: 'primary' }] });
  }
  if (d.outcome === 'reject') blocks.push({ type: 'context', text: 'It does not count towards your criteria. You can log new evidence at any time.' });
  return { fallback: `${title}${d.feedback ? `: ${excerpt(d.feedback, 120)}` : ''}`, blocks };
}

/** What a qualified assessor is asked: countersign an unqualified colleague's decision, or overturn it. */
export function countersignRequestMessage(e: EntryView, d: DecisionView, tz: string, closedBy?: string): ChatMessage {
  const blocks: MessageBlock[] = [
    { type: 'header', text: 'Countersignature needed' },
    { type: 'text', text: `${d.assessorName} (not yet qualified) decided on evidence from ${e.learnerName}. It takes effect once a qualified assessor countersigns it.` },
    { type: 'text', text: e.summary },
    { type: 'context', text: criteriaLines(e.qualificationId, e.criteria).join('\n') },
    ...(e.simulated ? [{ type: 'context', text: '⚠ Simulated evidence.' } as MessageBlock] : []),
    { type: 'fields', fields: [{ label: 'Decision', value: OUTCOME_LABEL[d.outcome] }, { label: 'Decided', value: formatDateTime(d.createdAt, tz) }] },
    ...feedbackBlock('Feedback to the learner', d.feedback),
  ];
  if (closedBy) blocks.push({ type: 'context', text: closedBy });
  else {
    blocks.push({
      type: 'actions',
      actions: [
        { id: ACTION.countersign, label: 'Countersign', value: d.id, style: 'primary' },
        { id: ACTION.overturn, label: 'Overturn', value: d.id, style: 'danger' },
      ],
    });
    blocks.push({ type: 'context', text: 'Other qualified assessors were asked too: the first to act decides.' });
  }
  return { fallback: `Countersignature needed: ${OUTCOME_LABEL[d.outcome]} by ${d.assessorName} on ${e.learnerName}'s evidence`, blocks };
}

/** A thread note: the learner edited the entry after changes were requested. */
export function editedThreadNote(e: EntryView, tz: string, at: Date, changed: string[]): ChatMessage {
  const what = changed.length ? ` (${changed.join(', ')})` : '';
  return {
    fallback: `Edited by ${e.learnerName}`,
    blocks: [
      { type: 'text', text: `✏️ Edited by the learner${what}, ${formatDateTime(at, tz)}. It is waiting for assessment again: the buttons above are fresh.`, bold: true },
      { type: 'text', text: e.summary },
      { type: 'context', text: criteriaLines(e.qualificationId, e.criteria).join('\n') },
    ],
  };
}

export interface HistoryEventView {
  at: Date;
  actorName: string | null;
  action: string;
  fromStatus: string | null;
  toStatus: string | null;
  note: string | null;
}

const ACTION_LABEL: Record<string, string> = {
  created: 'Logged',
  edited: 'Edited',
  approved: 'Approved',
  changes_requested: 'Changes requested',
  rejected: 'Rejected',
  decision_pending_countersign: 'Decided, awaiting countersignature',
  countersigned: 'Countersigned',
  overturned: 'Overturned',
  iqa_sampled: 'Sampled for IQA',
  iqa_confirmed: 'IQA confirmed',
  iqa_action: 'IQA raised an action',
  witness_requested: 'Witness statement requested',
  witness_statement: 'Witness statement received',
  erasure: 'Personal data erased',
};

/** Every step of an entry, oldest first. */
export function entryHistoryMessage(e: EntryView, events: HistoryEventView[], tz: string): ChatMessage {
  const lines = events.map((ev) => {
    const move = ev.fromStatus && ev.toStatus && ev.fromStatus !== ev.toStatus
      ? ` (${STATUS_LABEL[ev.fromStatus] ?? ev.fromStatus} → ${STATUS_LABEL[ev.toStatus] ?? ev.toStatus})`
      : '';
    const note = ev.note ? `\n    “${excerpt(ev.note, 300)}”` : '';
    return `• ${formatDateTime(ev.at, tz)} · ${ACTION_LABEL[ev.action] ?? ev.action} by ${ev.actorName ?? 'the bot'}${move}${note}`;
  });
  return {
    fallback: `History of ${e.learnerName}'s entry`,
    blocks: [
      { type: 'header', text: `History: ${e.learnerName}'s evidence` },
      { type: 'text', text: excerpt(e.summary, 300) },
      { type: 'text', text: lines.join('\n') || 'No history recorded.' },
      { type: 'context', text: `Now: ${STATUS_LABEL[e.status] ?? e.status}${e.simulated ? ' · simulated' : ''} · entry ${e.id.slice(0, 8)}` },
    ],
  };
}

export function excerpt(text: string, max = 500): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
