// Who is told what when something happens to an entry, as outbox items. The assessor's thread
// root is posted once per entry (key entry:<id>:root); later activity replies in that thread.
import type { Prisma } from '../db/generated/client.ts';
import { assessorEntryMessage } from '../messages/entry-card.ts';
import type { OutboxItem } from './outbox.ts';
import { toEntryView } from './record-evidence.ts';

type Tx = Prisma.TransactionClient;

export async function entryNoticeItems(tx: Tx, entryId: string, event: 'created', defaultTimeZone: string): Promise<OutboxItem[]> {
  const e = await tx.entry.findUniqueOrThrow({
    where: { id: entryId },
    include: {
      criteria: true,
      learner: { select: { name: true } },
      contact: { select: { name: true } },
      enrolment: { include: { assessor: { include: { workspace: true } } } },
    },
  });
  const assessor = e.enrolment.assessor;
  if (!assessor || assessor.erasedAt) return [];
  const view = toEntryView(e);
  const tz = assessor.timezone ?? defaultTimeZone;
  switch (event) {
    case 'created':
      return [{
        dedupeKey: `entry:${e.id}:root`,
        recipientId: assessor.id,
        kind: 'entry_for_assessor',
        payload: {
          message: assessorEntryMessage(view, tz, { open: true }),
          purpose: 'entry_root',
          entryId: e.id,
          ...(assessor.workspace.assessorChannelId ? { conversationId: assessor.workspace.assessorChannelId } : {}),
        },
      }];
  }
}
