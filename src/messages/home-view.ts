// The App Home (Slack) / personal tab, as a platform-neutral message: a learner sees their progress,
// recent entries and a "Log evidence" button; an assessor sees the entries waiting for them.
import type { Progress } from '../domain/progress.ts';
import { formatDate } from '../lib/time.ts';
import type { ChatMessage, MessageBlock } from '../ports/message.ts';
import { STATUS_LABEL, type EntryView } from './entry-card.ts';
import { progressMessage } from './progress-view.ts';

// The "Log evidence" button is the same action as on check-in nudges.
import { LOG_EVIDENCE_ACTION } from './nudge.ts';

export { LOG_EVIDENCE_ACTION };

const short = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export function learnerHomeBlocks(name: string, progress: Progress, recent: EntryView[], tz: string): MessageBlock[] {
  const blocks: MessageBlock[] = [
    { type: 'header', text: `Your evidence, ${name}` },
    { type: 'actions', actions: [{ id: LOG_EVIDENCE_ACTION, label: 'Log evidence', value: 'home', style: 'primary' }] },
    { type: 'context', text: 'Or type `/evidence log what happened #U7:2.1` anywhere in Slack. `/evidence help` lists everything.' },
    { type: 'divider' },
    ...progressMessage(progress, name).blocks,
    { type: 'divider' },
    { type: 'header', text: 'Recent entries' },
  ];
  if (recent.length === 0) blocks.push({ type: 'text', text: 'Nothing logged yet. Your first entry takes a minute: press Log evidence.' });
  for (const e of recent) {
    blocks.push({ type: 'text', text: `${STATUS_LABEL[e.status] ?? e.status} · ${formatDate(e.occurredAt, tz)}${e.simulated ? ' · simulated' : ''}\n${short(e.summary, 280)}` });
    blocks.push({ type: 'context', text: e.criteria.map((c) => `${c.unitRef}:${c.number}`).join(' ') });
  }
  blocks.push({ type: 'context', text: 'All your entries: `/evidence list`.' });
  return blocks;
}

export function assessorHomeBlocks(r: { entries: EntryView[]; total: number; tz: string }): MessageBlock[] {
  const blocks: MessageBlock[] = [{ type: 'header', text: r.total ? `Waiting for you (${r.total})` : 'Waiting for you' }];
  if (r.entries.length === 0) {
    blocks.push({ type: 'text', text: 'Nothing is waiting for your assessment. New entries arrive in your messages as they are logged.' });
    return blocks;
  }
  for (const e of r.entries) {
    const what = e.status === 'awaiting_countersignature' ? 'Needs a countersignature' : 'Needs a decision';
    blocks.push({ type: 'text', text: `${e.learnerName} · ${formatDate(e.occurredAt, r.tz)} · ${what}${e.simulated ? ' · simulated' : ''}\n${short(e.summary, 280)}` });
    blocks.push({ type: 'context', text: `${e.criteria.map((c) => `${c.unitRef}:${c.number}`).join(' ')} · entry ${e.id.slice(0, 8)}` });
  }
  if (r.total > r.entries.length) blocks.push({ type: 'context', text: `…and ${r.total - r.entries.length} more, oldest first.` });
  blocks.push({ type: 'context', text: 'Decide from the entry\'s message in your DM (or the assessors\' channel).' });
  return blocks;
}

export function otherRolesHomeBlocks(name: string, roles: string[]): MessageBlock[] {
  return [
    { type: 'header', text: `Hello, ${name}` },
    { type: 'text', text: `You are on the evidence bot's roster as ${roles.join(' and ')}. What needs you (digests, requests, samples) arrives in your messages here.` },
  ];
}

export function homeMessage(blocks: MessageBlock[]): ChatMessage {
  return { fallback: 'Evidence bot', blocks };
}

/** For someone the roster does not know: the polite refusal, and nothing else. */
export function notOnRosterHome(text: string): ChatMessage {
  return { fallback: 'Evidence bot', blocks: [{ type: 'header', text: 'Evidence bot' }, { type: 'text', text }] };
}
