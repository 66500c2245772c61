// The reminders an entry asks for, written in the same transaction as the entry: its own follow-up
// (`follow-up:7d`, or the form's follow-up date) and, for a placement, check-ins one week, one
// month and three months after it, each in the learner's morning. The followups job sends each once.
import type { Prisma } from '../../db/generated/client.ts';
import { addMonths, morningOf, quietHoursOf, outOfQuietHours } from '../../domain/schedule.ts';
import { addDays, localDate } from '../../lib/time.ts';

type Tx = Pick<Prisma.TransactionClient, 'followUpReminder' | 'learnerSettings'>;

export const REMINDER_KINDS = ['follow_up', 'placement_1w', 'placement_1m', 'placement_3m'] as const;
export type ReminderKind = (typeof REMINDER_KINDS)[number];

export const REMINDER_LABEL: Record<ReminderKind, string> = {
  follow_up: 'Follow-up due',
  placement_1w: 'Post-placement check-in: one week',
  placement_1m: 'Post-placement check-in: one month',
  placement_3m: 'Post-placement check-in: three months',
};

const PLACEMENT_STAGES: { kind: ReminderKind; at: (ymd: string) => string }[] = [
  { kind: 'placement_1w', at: (d) => addDays(d, 7) },
  { kind: 'placement_1m', at: (d) => addMonths(d, 1) },
  { kind: 'placement_3m', at: (d) => addMonths(d, 3) },
];

export interface ReminderSource {
  id: string;
  learnerId: string;
  occurredAt: Date;
  followUpAt: Date | null;
  placement: boolean;
}

/** The reminder rows for an entry; placement check-ins already in the past are left out. */
export function remindersFor(entry: ReminderSource, tz: string, quiet: ReturnType<typeof quietHoursOf>, now: Date): Prisma.FollowUpReminderCreateManyInput[] {
  const rows: Prisma.FollowUpReminderCreateManyInput[] = [];
  if (entry.followUpAt) {
    rows.push({ entryId: entry.id, learnerId: entry.learnerId, kind: 'follow_up', dueAt: outOfQuietHours(entry.followUpAt, tz, quiet) });
  }
  if (entry.placement) {
    const day = localDate(entry.occurredAt, tz);
    for (const stage of PLACEMENT_STAGES) {
      const dueAt = morningOf(stage.at(day), tz, quiet);
      if (dueAt > now) rows.push({ entryId: entry.id, learnerId: entry.learnerId, kind: stage.kind, dueAt });
    }
  }
  return rows;
}

/** Writes the entry's reminders (a second call for the same entry adds nothing). */
export async function scheduleEntryReminders(tx: Tx, entry: ReminderSource, tz: string, now: Date): Promise<number> {
  if (!entry.followUpAt && !entry.placement) return 0;
  const settings = await tx.learnerSettings.findUnique({ where: { personId: entry.learnerId }, select: { quietStart: true, quietEnd: true } });
  const rows = remindersFor(entry, tz, settings ? quietHoursOf(settings) : null, now);
  if (!rows.length) return 0;
  const { count } = await tx.followUpReminder.createMany({ data: rows, skipDuplicates: true });
  return count;
}

/**
 * After an entry is edited (new follow-up date, placement ticked or unticked): the follow-up
 * reminder moves to the new date (and will be sent again if it was already), placement check-ins
 * are added, or dropped while not yet sent. Done reminders stay done.
 */
export async function syncEntryReminders(tx: Tx & Pick<Prisma.TransactionClient, 'entry'>, entryId: string, tz: string, now: Date): Promise<void> {
  const entry = await tx.entry.findUniqueOrThrow({ where: { id: entryId }, select: { id: true, learnerId: true, occurredAt: true, followUpAt: true, placement: true } });
  const settings = await tx.learnerSettings.findUnique({ where: { personId: entry.learnerId }, select: { quietStart: true, quietEnd: true } });
  const wanted = remindersFor(entry, tz, settings ? quietHoursOf(settings) : null, now);
  const existing = await tx.followUpReminder.findMany({ where: { entryId } });
  for (const w of wanted) {
    const row = existing.find((r) => r.kind === w.kind);
    if (!row) await tx.followUpReminder.create({ data: w });
    else if (!row.doneAt && row.kind === 'follow_up' && row.dueAt.getTime() !== new Date(w.dueAt).getTime()) {
      await tx.followUpReminder.update({ where: { id: row.id }, data: { dueAt: w.dueAt, remindedAt: null } });
    }
  }
  if (!entry.placement) {
    await tx.followUpReminder.deleteMany({ where: { entryId, kind: { startsWith: 'placement_' }, remindedAt: null, doneAt: null } });
  }
}
