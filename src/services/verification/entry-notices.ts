// Who is told what when something happens to an entry, as outbox items. The assessor's thread
// root is posted once per entry (key entry:<id>:root); later activity replies in that thread.
import type { Prisma } from '../../db/generated/client.ts';
import { assessorEntryMessage } from '../../messages/entry-card.ts';
import type { ChatMessage } from '../../ports/message.ts';
import type { EntryView } from '../../messages/entry-card.ts';
import type { OutboxItem } from '../outbox/outbox.ts';
import { toEntryView } from '../evidence/entry-view.ts';

type Tx = Prisma.TransactionClient;

/**
 * `known`: the entry as just written and its assessor's ID, when the caller has them (recording
 * evidence, the busiest path): then only the assessor is read, not the whole entry again.
 */
export async function entryNoticeItems(
  tx: Tx, entryId: string, event: 'created', defaultTimeZone: string, known?: { view: EntryView; assessorId: string | null },
): Promise<OutboxItem[]> {
  let view: EntryView;
  let assessor: Prisma.PersonGetPayload<{ include: { workspace: true } }> | null;
  if (known) {
    view = known.view;
    assessor = known.assessorId ? await tx.person.findUnique({ where: { id: known.assessorId }, include: { workspace: true } }) : null;
  } else {
    const e = await tx.entry.findUniqueOrThrow({
      where: { id: entryId },
      include: {
        criteria: true,
        learner: { select: { name: true } },
        contact: { select: { name: true } },
        enrolment: { include: { assessor: { include: { workspace: true } } } },
      },
    });
    assessor = e.enrolment.assessor;
    view = toEntryView(e);
  }
  if (!assessor || assessor.erasedAt) return [];
  const tz = assessor.timezone ?? defaultTimeZone;
  switch (event) {
    case 'created':
      return [{
        dedupeKey: `entry:${entryId}:root`,
        recipientId: assessor.id,
        kind: 'entry_for_assessor',
        payload: {
          message: assessorEntryMessage(view, tz, { open: true }),
          purpose: 'entry_root',
          entryId,
          ...(assessor.workspace.assessorChannelId ? { conversationId: assessor.workspace.assessorChannelId } : {}),
        },
      }];
  }
}

/** Whoever holds the entry's thread root (posted, or still waiting in the outbox), if anyone. */
export async function rootHolder(tx: Tx, entryId: string): Promise<{ id: string; timezone: string | null } | undefined> {
  const posted = await tx.postedMessage.findFirst({ where: { entryId, purpose: 'entry_root' }, orderBy: { createdAt: 'asc' }, select: { recipientId: true } });
  const queued = posted?.recipientId
    ? undefined
    : await tx.outboxMessage.findFirst({ where: { dedupeKey: `entry:${entryId}:root`, status: { not: 'dead' } }, select: { recipientId: true } });
  const id = posted?.recipientId ?? queued?.recipientId;
  if (!id) return undefined;
  const p = await tx.person.findUnique({ where: { id }, select: { id: true, timezone: true, erasedAt: true } });
  return p && !p.erasedAt ? { id: p.id, timezone: p.timezone } : undefined;
}

/**
 * One step in an entry's life as outbox items: the assessor's root re-rendered in place (so old
 * buttons cannot be pressed again), a note in the entry's thread, and a DM to the learner. `step`
 * names the version and event (`v2:decided`), so each item is sent once whatever retries happen.
 */
export function entryStepItems(input: {
  entryId: string;
  step: string;
  holderId?: string;
  root?: ChatMessage;
  note?: ChatMessage;
  learner?: { id: string; kind: string; message: ChatMessage };
}): OutboxItem[] {
  const { entryId, step, holderId } = input;
  const items: OutboxItem[] = [];
  if (holderId && input.root) {
    items.push({
      dedupeKey: `entry:${entryId}:${step}:root:${holderId}`, recipientId: holderId, kind: 'entry_root_update',
      payload: { message: input.root, purpose: 'entry_root', entryId, updateOf: { entryId, purpose: 'entry_root' } },
    });
  }
  if (holderId && input.note) {
    items.push({
      dedupeKey: `entry:${entryId}:${step}:thread:${holderId}`, recipientId: holderId, kind: 'entry_thread_note',
      payload: { message: input.note, purpose: 'thread_note', entryId, threadEntryId: entryId },
    });
  }
  if (input.learner) {
    items.push({
      dedupeKey: `entry:${entryId}:${step}:dm:${input.learner.id}`, recipientId: input.learner.id, kind: input.learner.kind,
      payload: { message: input.learner.message, purpose: 'notice', entryId },
    });
  }
  return items;
}
