// Reminders in the learner's morning: a follow-up they asked for, a post-placement check-in (one
// week, one month, three months), a contact they planned to get back to. Each shows what it is about
// and buttons: Done (opens the logging form pre-filled) and Snooze (a day, three days).
import { formatDate } from '../lib/time.ts';
import type { ChatMessage, MessageBlock } from '../ports/message.ts';
import { criteriaLines, type EntryView } from './entry-card.ts';
import { LOG_EVIDENCE_ACTION } from './nudge.ts';

export const FOLLOW_UP_DONE_ACTION = 'followup.done';
export const FOLLOW_UP_SNOOZE_ACTION = 'followup.snooze';

const HEADLINE: Record<string, string> = {
  follow_up: 'Follow-up due today',
  placement_1w: 'Post-placement check-in: one week',
  placement_1m: 'Post-placement check-in: one month',
  placement_3m: 'Post-placement check-in: three months',
};

const ASK: Record<string, string> = {
  follow_up: 'You asked to be reminded to follow this up today:',
  placement_1w: 'It is a week since this placement. Check in with the candidate and the client: how is it going?',
  placement_1m: 'A month since this placement: check in with the candidate and the client, and log what you learn.',
  placement_3m: 'Three months since this placement: a last check-in with the candidate and the client.',
};

export function followUpReminderMessage(reminder: { id: string; kind: string }, entry: EntryView, tz: string): ChatMessage {
  const blocks: MessageBlock[] = [
    { type: 'header', text: HEADLINE[reminder.kind] ?? 'Reminder' },
    { type: 'text', text: ASK[reminder.kind] ?? 'A reminder about this entry:' },
    { type: 'text', text: entry.summary },
  ];
  const fields = [{ label: 'Logged', value: formatDate(entry.occurredAt, tz) }];
  if (entry.contactName) fields.push({ label: 'With', value: entry.contactName });
  blocks.push({ type: 'fields', fields });
  const criteria = criteriaLines(entry.qualificationId, entry.criteria);
  if (criteria.length) blocks.push({ type: 'context', text: criteria.slice(0, 5).join('\n') });
  blocks.push({
    type: 'actions',
    actions: [
      { id: FOLLOW_UP_DONE_ACTION, label: 'Done: log it', value: reminder.id, style: 'primary' },
      { id: FOLLOW_UP_SNOOZE_ACTION, label: 'Snooze 1 day', value: `${reminder.id}:1d` },
      { id: FOLLOW_UP_SNOOZE_ACTION, label: 'Snooze 3 days', value: `${reminder.id}:3d` },
    ],
  });
  blocks.push({ type: 'context', text: 'Done opens the logging form with this follow-up filled in.' });
  return { fallback: `${HEADLINE[reminder.kind] ?? 'Reminder'}: ${entry.summary.slice(0, 80)}`, blocks };
}

export function contactDueMessage(contact: { id: string; name: string; org: string | null; nextContactAt: Date }, tz: string): ChatMessage {
  const who = contact.org ? `${contact.name} (${contact.org})` : contact.name;
  return {
    fallback: `Time to get back in touch with ${contact.name}`,
    blocks: [
      { type: 'text', text: `Time to get back in touch with ${who}.`, bold: true },
      { type: 'context', text: `You planned to contact them by ${formatDate(contact.nextContactAt, tz)}.` },
      { type: 'actions', actions: [{ id: LOG_EVIDENCE_ACTION, label: 'Log evidence', value: `contact:${contact.id}`, style: 'primary' }] },
    ],
  };
}

/** What replaces a reminder's buttons once it is handled. */
export function reminderHandledMessage(text: string): ChatMessage {
  return { fallback: text, blocks: [{ type: 'text', text }] };
}
