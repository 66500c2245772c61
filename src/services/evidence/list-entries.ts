// A learner's recent entries, optionally by status, newest first, a page at a time.
import type { ListFilter } from '../../domain/command.ts';
import { invalidInput } from '../../lib/errors.ts';
import { formatDate } from '../../lib/time.ts';
import { ACTION, entriesMoreValue, entryActionValue, LIST_MORE_ACTION } from '../../messages/action-values.ts';
import { STATUS_LABEL, type EntryView } from '../../messages/entry-card.ts';
import type { ChatMessage, MessageBlock } from '../../ports/message.ts';
import type { ActorRef, ServiceContext } from '../kernel/context.ts';
import { identifyLearner, timeZoneOf } from '../kernel/identify-person.ts';
import { toEntryView } from './entry-view.ts';

const FILTER_STATUS = {
  pending: ['pending', 'awaiting_countersignature'],
  approved: ['approved'],
  changes: ['changes_requested'],
  rejected: ['rejected'],
} as const;

export const PAGE_SIZE = 10;

export async function listEntries(ctx: ServiceContext, input: { actor: ActorRef; filter?: string; page?: number }) {
  const filter = input.filter?.trim().toLowerCase() || undefined;
  if (filter && !(filter in FILTER_STATUS)) {
    throw invalidInput(`\`${input.filter}\` is not a list I know. Try \`/evidence list\`, or one of: pending, approved, changes, rejected.`);
  }
  const { person, enrolment } = await identifyLearner(ctx, input.actor);
  const page = Math.max(0, input.page ?? 0);
  const where = {
    learnerId: person.id,
    ...(filter ? { status: { in: [...FILTER_STATUS[filter as ListFilter]] } } : {}),
  };
  const [rows, total] = await Promise.all([
    ctx.db.entry.findMany({
      where,
      orderBy: { createdAt: 'desc' },
      skip: page * PAGE_SIZE,
      take: PAGE_SIZE,
      include: { criteria: true, learner: { select: { name: true } }, enrolment: { select: { qualificationId: true } }, contact: { select: { name: true } } },
    }),
    ctx.db.entry.count({ where }),
  ]);
  const entries = rows.map(toEntryView);
  return { learner: person, enrolment, entries, total, page, filter: filter as ListFilter | undefined, tz: timeZoneOf(ctx, person) };
}

/** The list as a message; entries needing changes get an Edit button. */
export function entryListMessage(r: { entries: EntryView[]; total: number; page: number; filter?: string; tz: string }): ChatMessage {
  const title = r.filter ? `Your ${r.filter} entries` : 'Your recent entries';
  if (r.entries.length === 0) {
    return { fallback: title, blocks: [{ type: 'text', text: r.filter ? `You have no ${r.filter} entries.` : 'You have not logged any evidence yet. Try `/evidence log … #U7:1.1`.' }] };
  }
  const blocks: MessageBlock[] = [{ type: 'header', text: `${title} (${r.page * PAGE_SIZE + 1}–${r.page * PAGE_SIZE + r.entries.length} of ${r.total})` }];
  for (const e of r.entries) {
    const tags = e.criteria.map((c) => `${c.unitRef}:${c.number}`).join(' ');
    blocks.push({ type: 'text', text: `${STATUS_LABEL[e.status] ?? e.status} · ${formatDate(e.occurredAt, r.tz)}${e.simulated ? ' · simulated' : ''}\n${e.summary.length > 280 ? `${e.summary.slice(0, 279)}…` : e.summary}` });
    blocks.push({ type: 'context', text: tags });
    if (e.status === 'changes_requested') blocks.push({ type: 'actions', actions: [{ id: ACTION.edit, label: 'Edit', value: entryActionValue(e.id, e.version), style: 'primary' }] });
  }
  if ((r.page + 1) * PAGE_SIZE < r.total) {
    blocks.push({ type: 'actions', actions: [{ id: LIST_MORE_ACTION, label: 'More', value: entriesMoreValue(r.filter, r.page + 1) }] });
  }
  return { fallback: title, blocks };
}
