// The follow-up sweep: reminders due at or before `now` and not yet sent (FollowUpReminder, indexed
// on remindedAt, dueAt) go to the learner in their morning, each exactly once: the outbox message
// (key followup:<reminder>:<due>) and remindedAt are written in one transaction. Contacts whose
// nextContactAt has come (within the last fortnight) get one reminder per planned date.
import { DEFAULT_NIGHT, deferredUntil, outOfQuietHours, quietHoursOf, morningOf } from '../../domain/schedule.ts';
import { localDate } from '../../lib/time.ts';
import { contactDueMessage, followUpReminderMessage } from '../../messages/follow-up-reminder.ts';
import type { ServiceContext } from '../kernel/context.ts';
import { enqueue, type OutboxItem } from '../outbox/outbox.ts';
import { toEntryView } from '../evidence/entry-view.ts';

export interface FollowUpReport {
  reminded: number;
  /** Learners no longer active (completed, withdrawn, erased): marked without a message. */
  dropped: number;
  contacts: number;
}

type DueReminder = {
  id: string;
  entryId: string;
  kind: string;
  dueAt: Date;
  learnerId: string;
  timezone: string | null;
  quietStart: string | null;
  quietEnd: string | null;
  active: boolean;
};

const CONTACT_LOOKBACK_MS = 14 * 86_400_000;
const LATE_MS = 60 * 60_000;

export async function sendDueFollowUps(ctx: ServiceContext, now: Date, options: { batchSize?: number } = {}): Promise<FollowUpReport> {
  const batchSize = options.batchSize ?? 500;
  const report: FollowUpReport = { reminded: 0, dropped: 0, contacts: 0 };
  for (let guard = 0; guard < 10_000; guard++) {
    const rows = await ctx.db.$queryRawUnsafe<DueReminder[]>(DUE_SQL, now.toISOString(), batchSize);
    if (!rows.length) break;
    const active = rows.filter((r) => r.active);
    const entries = await ctx.db.entry.findMany({
      where: { id: { in: [...new Set(active.map((r) => r.entryId))] } },
      include: { criteria: true, learner: { select: { name: true } }, enrolment: { select: { qualificationId: true } }, contact: { select: { name: true } } },
    });
    const byId = new Map(entries.map((e) => [e.id, toEntryView(e)]));
    const items: OutboxItem[] = active.filter((r) => byId.has(r.entryId)).map((r) => {
      const tz = r.timezone ?? ctx.defaultTimeZone;
      const quiet = quietHoursOf(r) ?? (now.getTime() - r.dueAt.getTime() > LATE_MS ? DEFAULT_NIGHT : null);
      return {
        dedupeKey: `followup:${r.id}:${r.dueAt.toISOString()}`,
        recipientId: r.learnerId,
        kind: 'follow_up_reminder',
        notBefore: deferredUntil(outOfQuietHours(now, tz, quiet), now),
        payload: { purpose: 'follow_up_reminder', entryId: r.entryId, message: followUpReminderMessage(r, byId.get(r.entryId)!, tz) },
      };
    });
    const marked = await ctx.db.$transaction(async (tx) => {
      if (items.length) await enqueue(tx, items);
      const r = await tx.followUpReminder.updateMany({ where: { id: { in: rows.map((x) => x.id) }, remindedAt: null }, data: { remindedAt: now } });
      return r.count;
    });
    report.reminded += items.length;
    report.dropped += rows.length - items.length;
    if (rows.length < batchSize || marked === 0) break;
  }
  report.contacts = await remindDueContacts(ctx, now);
  if (report.reminded || report.contacts) ctx.kickOutbox();
  if (report.reminded || report.contacts || report.dropped) ctx.log.info({ job: 'followups', ...report }, 'follow-up sweep done');
  return report;
}

/** One reminder per contact and planned date (Contact.nextContactAt, kept by the contacts register). */
async function remindDueContacts(ctx: ServiceContext, now: Date): Promise<number> {
  const contacts = await ctx.db.contact.findMany({
    where: { nextContactAt: { lte: now, gt: new Date(now.getTime() - CONTACT_LOOKBACK_MS) }, owner: { erasedAt: null } },
    select: { id: true, name: true, org: true, nextContactAt: true, ownerId: true, owner: { select: { timezone: true, settings: { select: { quietStart: true, quietEnd: true } } } } },
    take: 5000,
  });
  if (!contacts.length) return 0;
  const key = (c: { id: string; nextContactAt: Date | null }) => `contact_due:${c.id}:${c.nextContactAt!.toISOString()}`;
  const sent = new Set((await ctx.db.outboxMessage.findMany({ where: { dedupeKey: { in: contacts.map(key) } }, select: { dedupeKey: true } })).map((o) => o.dedupeKey));
  const items: OutboxItem[] = contacts.filter((c) => !sent.has(key(c))).map((c) => {
    const tz = c.owner.timezone ?? ctx.defaultTimeZone;
    const quiet = c.owner.settings ? quietHoursOf(c.owner.settings) : null;
    const morning = morningOf(localDate(c.nextContactAt!, tz), tz, quiet);
    return {
      dedupeKey: key(c),
      recipientId: c.ownerId,
      kind: 'contact_due',
      notBefore: deferredUntil(outOfQuietHours(morning > now ? morning : now, tz, quiet ?? DEFAULT_NIGHT), now),
      payload: { purpose: 'contact_due', contactId: c.id, message: contactDueMessage({ ...c, nextContactAt: c.nextContactAt! }, tz) },
    };
  });
  return items.length ? enqueue(ctx.db, items) : 0;
}

const DUE_SQL = `
  SELECT r.id, r."entryId", r.kind, r."dueAt", r."learnerId", p.timezone, s."quietStart", s."quietEnd",
         (p."erasedAt" IS NULL AND en.status IN ('active', 'break')) AS active
  FROM "FollowUpReminder" r
  JOIN "Person" p ON p.id = r."learnerId"
  JOIN "Entry" e ON e.id = r."entryId"
  JOIN "Enrolment" en ON en.id = e."enrolmentId"
  LEFT JOIN "LearnerSettings" s ON s."personId" = r."learnerId"
  WHERE r."remindedAt" IS NULL AND r."doneAt" IS NULL AND r."dueAt" <= $1::timestamp(3)
  ORDER BY r."dueAt", r.id
  LIMIT $2`;
