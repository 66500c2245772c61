// Reads an assessor's reply in an entry's thread as a decision: `approve` (or `approved`, with an
// optional `: comment`), `changes: what to change`, `reject: why`. Case does not matter. Anything
// else is ordinary conversation and is left alone. Pure: deciding is the service's.
import { invalidInput } from '../lib/errors.ts';
import { cleanText } from './text.ts';

export type ThreadDecisionOutcome = 'approve' | 'changes' | 'reject';

export interface ThreadDecision {
  outcome: ThreadDecisionOutcome;
  /** What the assessor wrote after the colon; required for changes and reject. */
  feedback?: string;
}

const WORDS: Record<string, ThreadDecisionOutcome> = {
  approve: 'approve',
  approved: 'approve',
  changes: 'changes',
  change: 'changes',
  'changes requested': 'changes',
  'request changes': 'changes',
  reject: 'reject',
  rejected: 'reject',
};

// A decision word at the very start, then the end, or punctuation and a comment. "approve this"
// (no punctuation) does not match: that is someone talking about a decision, not making one.
const PATTERN = /^\s*(approved?|changes requested|request changes|changes?|rejected|reject)\b\s*(?:([:\-–—.!])\s*([\s\S]*))?$/i;

/**
 * The decision in `text`, or null when the reply is not one (so a chat in the thread is not taken
 * for a decision). Throws AppError('invalid_input') when it is one but feedback is missing.
 */
export function parseThreadDecision(text: string): ThreadDecision | null {
  const m = PATTERN.exec(unbold(text));
  if (!m) return null;
  const outcome = WORDS[m[1]!.toLowerCase().replace(/\s+/g, ' ')]!;
  const feedback = cleanText(m[3] ?? '').trim();
  if (outcome !== 'approve' && !feedback) {
    const word = outcome === 'changes' ? 'changes' : 'reject';
    throw invalidInput(
      outcome === 'changes'
        ? `Say what needs changing after the colon, e.g. \`${word}: add who you spoke to and the outcome\`. Nothing was recorded.`
        : `Say why after the colon, e.g. \`${word}: this does not show criterion 2.1\`. Nothing was recorded.`,
    );
  }
  return feedback ? { outcome, feedback } : { outcome };
}

/** Without the asterisks of Slack bold around it. Not /\*+$/: tried at every asterisk of a long run, that takes quadratic time. */
function unbold(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && text[start] === '*') start++;
  while (end > start && text[end - 1] === '*') end--;
  return text.slice(start, end);
}
