// Platform-neutral messages for witness statements: the request a manager or colleague receives
// (with a Write statement button while it is open), the statement as the assessor sees it in the
// entry's thread, and the notes to the learner.
import { formatDateTime } from '../lib/time.ts';
import type { ChatMessage, MessageBlock } from '../ports/message.ts';
import { ACTION } from './action-values.ts';
import { excerpt } from './decision-notices.ts';
import { criteriaLines, type EntryView } from './entry-card.ts';

export function witnessRequestMessage(e: EntryView, request: { id: string }, tz: string, closed?: string): ChatMessage {
  const blocks: MessageBlock[] = [
    { type: 'header', text: 'Witness statement requested' },
    { type: 'text', text: `${e.learnerName} asked you to confirm what you saw or heard of this, for their NVQ evidence. A few sentences in your own words are enough.` },
    { type: 'text', text: e.summary },
    { type: 'fields', fields: [{ label: 'When', value: formatDateTime(e.occurredAt, tz) }, ...(e.contactName ? [{ label: 'With', value: e.contactName }] : [])] },
    { type: 'context', text: criteriaLines(e.qualificationId, e.criteria).join('\n') },
    ...(e.simulated ? [{ type: 'context', text: '⚠ The learner marked this as simulated evidence.' } as MessageBlock] : []),
  ];
  if (closed) blocks.push({ type: 'context', text: closed });
  else blocks.push({ type: 'actions', actions: [{ id: ACTION.witnessWrite, label: 'Write statement', value: request.id, style: 'primary' }] });
  return { fallback: `${e.learnerName} asked you for a witness statement`, blocks };
}

/** In the entry's thread: who was asked. */
export function witnessRequestedNote(e: EntryView, witnessName: string, relation: string): ChatMessage {
  const text = `🗣 ${e.learnerName} asked ${witnessName} (${relation}) for a witness statement.`;
  return { fallback: text, blocks: [{ type: 'context', text }] };
}

/** In the entry's thread: the statement itself. */
export function witnessStatementNote(witnessName: string, relation: string, statement: string, at: Date, tz: string): ChatMessage {
  return {
    fallback: `Witness statement from ${witnessName}`,
    blocks: [
      { type: 'text', text: `🗣 Witness statement from ${witnessName} (${relation}), ${formatDateTime(at, tz)}`, bold: true },
      { type: 'text', text: statement },
    ],
  };
}

/** To the learner: the statement arrived and is with the assessor. */
export function witnessStatementForLearner(e: EntryView, witnessName: string): ChatMessage {
  const text = `${witnessName} sent a witness statement for your evidence; your assessor can see it.`;
  return { fallback: text, blocks: [{ type: 'text', text }, { type: 'context', text: excerpt(e.summary, 200) }] };
}
