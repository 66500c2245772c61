// Platform-neutral messages for internal quality assurance: the sampled decision as the IQA sees
// it (with Confirm / Raise action while it is open), and the outcome as the assessor hears it.
import type { ChatMessage, MessageBlock } from '../ports/message.ts';
import { ACTION } from './action-values.ts';
import { decisionLines, excerpt, OUTCOME_LABEL, type DecisionView } from './decision-notices.ts';
import { criteriaLines, type EntryView } from './entry-card.ts';

export type IqaOutcome = 'confirmed' | 'action';

export function iqaSampleMessage(e: EntryView, d: DecisionView, sample: { id: string; week: string }, tz: string, closed?: string): ChatMessage {
  const blocks: MessageBlock[] = [
    { type: 'header', text: `IQA sample · ${sample.week}` },
    { type: 'text', text: `${d.assessorName}'s decision on ${e.learnerName}'s evidence was sampled for quality assurance.` },
    { type: 'text', text: e.summary },
    { type: 'context', text: criteriaLines(e.qualificationId, e.criteria).join('\n') },
    ...(e.simulated ? [{ type: 'context', text: '⚠ Simulated evidence.' } as MessageBlock] : []),
    { type: 'text', text: decisionLines(d, tz).join('\n') },
    ...(d.feedback ? [{ type: 'text', text: `Feedback to the learner:\n${d.feedback}` } as MessageBlock] : []),
  ];
  if (closed) blocks.push({ type: 'context', text: closed });
  else {
    blocks.push({
      type: 'actions',
      actions: [
        { id: ACTION.iqaConfirm, label: 'Confirm', value: sample.id, style: 'primary' },
        { id: ACTION.iqaAction, label: 'Raise action', value: sample.id, style: 'danger' },
        { id: ACTION.history, label: 'History', value: e.id },
      ],
    });
  }
  return { fallback: `IQA sample: ${OUTCOME_LABEL[d.outcome]} by ${d.assessorName} on ${e.learnerName}'s evidence`, blocks };
}

/** What the assessor who decided is told about the IQA's review. */
export function iqaOutcomeMessage(e: EntryView, d: DecisionView, outcome: IqaOutcome, note: string | null, iqaName: string): ChatMessage {
  const text = outcome === 'confirmed'
    ? `${iqaName} (IQA) confirmed your decision (${OUTCOME_LABEL[d.outcome]}) on ${e.learnerName}'s evidence.`
    : `${iqaName} (IQA) raised an action on your decision (${OUTCOME_LABEL[d.outcome]}) on ${e.learnerName}'s evidence.`;
  return {
    fallback: text,
    blocks: [
      { type: 'text', text, bold: true },
      ...(note ? [{ type: 'text', text: `${outcome === 'action' ? 'Action' : 'Note'}:\n${note}` } as MessageBlock] : []),
      { type: 'context', text: `Evidence: ${excerpt(e.summary, 200)}` },
    ],
  };
}
