// The weekly manager digest sweep. For each manager, the digest due is the latest Monday 09:00 in
// the manager's time zone at or before `now`; if its outbox key (digest:<manager>:<ISO week>:1)
// is not there yet, the digest is built and written — all its pages in one transaction. So a second
// run sends nothing, a bot that was down at 09:00 sends Monday's digest when it is back (within
// CATCH_UP_MS; a fresh install on Sunday evening does not send last Monday's), and a week already
// sent is never sent again. The figures come from aggregate queries over all due
// managers' learners at once (no query per learner).
import { DEFAULT_NIGHT, deferredUntil, latestWeeklySlot, outOfQuietHours } from '../../domain/schedule.ts';
import type { Progress } from '../../domain/progress.ts';
import { criteriaCovered } from '../../domain/progress-summary.ts';
import { isoWeek, localDate } from '../../lib/time.ts';
import { digestMessages, QUIET_AFTER_DAYS, type DigestLearner } from '../../messages/digest.ts';
import type { ServiceContext } from '../kernel/context.ts';
import { enqueue, type OutboxItem } from '../outbox/outbox.ts';
import { progressForEnrolments } from '../evidence/progress-batch.ts';

export interface DigestReport {
  managers: number;
  sent: number;
  /** Digests already written for their week. */
  alreadySent: number;
  messages: number;
  learners: number;
  /** Missed by more than the catch-up window (the bot was down for days): the next Monday's comes instead. */
  tooLate: number;
}

type Manager = { id: string; name: string; timezone: string | null };
type Due = Manager & { tz: string; slot: Date; week: string };
type Figures = { id: string; thisWeek: number; approved: number; pending: number; changes: number; lastLogAt: Date | null; overdue: number };

const DAY = 86_400_000;
const LATE_MS = 60 * 60_000;
/** A digest missed while the bot was down is still sent this long after its Monday 09:00. */
export const CATCH_UP_MS = 4 * DAY;

export const digestKey = (managerId: string, week: string, page: number) => `digest:${managerId}:${week}:${page}`;

export async function sendDueDigests(ctx: ServiceContext, now: Date, options: { managersPerBatch?: number } = {}): Promise<DigestReport> {
  const managers = await ctx.db.$queryRawUnsafe<Manager[]>(
    `SELECT m.id, m.name, m.timezone FROM "Person" m
     WHERE m."erasedAt" IS NULL AND EXISTS (
       SELECT 1 FROM "Enrolment" e JOIN "Person" l ON l.id = e."learnerId"
       WHERE e."managerId" = m.id AND e.status IN ('active', 'break') AND l."erasedAt" IS NULL)
     ORDER BY m.id`,
  );
  const report: DigestReport = { managers: managers.length, sent: 0, alreadySent: 0, messages: 0, learners: 0, tooLate: 0 };
  const candidates: Due[] = managers.map((m) => {
    const tz = m.timezone ?? ctx.defaultTimeZone;
    const slot = latestWeeklySlot(now, tz);
    return { ...m, tz, slot, week: isoWeek(slot, tz) };
  });
  const done = new Set<string>();
  for (let i = 0; i < candidates.length; i += 5000) {
    const keys = candidates.slice(i, i + 5000).map((m) => digestKey(m.id, m.week, 1));
    for (const o of await ctx.db.outboxMessage.findMany({ where: { dedupeKey: { in: keys } }, select: { dedupeKey: true } })) done.add(o.dedupeKey);
  }
  const open = candidates.filter((m) => now.getTime() - m.slot.getTime() <= CATCH_UP_MS);
  const due = open.filter((m) => !done.has(digestKey(m.id, m.week, 1)));
  report.alreadySent = open.length - due.length;
  report.tooLate = candidates.filter((m) => !open.includes(m) && !done.has(digestKey(m.id, m.week, 1))).length;

  const perBatch = options.managersPerBatch ?? 200;
  for (let i = 0; i < due.length; i += perBatch) {
    const batch = due.slice(i, i + perBatch);
    const items = await digestItems(ctx, batch, now);
    const written = await ctx.db.$transaction(async (tx) => enqueue(tx, items.flatMap((x) => x.items)), { timeout: 60_000 });
    report.sent += items.filter((x) => x.items.length).length;
    report.messages += written;
    report.learners += items.reduce((n, x) => n + x.learners, 0);
  }
  if (report.messages) ctx.kickOutbox();
  if (report.sent) ctx.log.info({ job: 'digests', ...report }, 'weekly digests written');
  return report;
}

async function digestItems(ctx: ServiceContext, managers: Due[], now: Date): Promise<{ items: OutboxItem[]; learners: number }[]> {
  const enrolments = await ctx.db.enrolment.findMany({
    where: { managerId: { in: managers.map((m) => m.id) }, status: { in: ['active', 'break'] }, learner: { erasedAt: null } },
    select: { id: true, managerId: true, learnerId: true, status: true, startedAt: true, qualificationId: true, optionalUnits: true, learner: { select: { name: true } } },
  });
  const slotOf = new Map(managers.map((m) => [m.id, m.slot]));
  const figures = new Map<string, Figures>();
  const progress = new Map<string, Progress>();
  for (let i = 0; i < enrolments.length; i += 1000) {
    const chunk = enrolments.slice(i, i + 1000);
    const rows = await ctx.db.$queryRawUnsafe<Figures[]>(
      FIGURES_SQL,
      chunk.map((e) => e.id),
      chunk.map((e) => e.learnerId),
      chunk.map((e) => new Date(slotOf.get(e.managerId!)!.getTime() - 7 * DAY).toISOString()),
      chunk.map((e) => slotOf.get(e.managerId!)!.toISOString()),
      now.toISOString(),
    );
    for (const r of rows) figures.set(r.id, r);
    for (const [id, p] of await progressForEnrolments(ctx, chunk)) progress.set(id, p);
  }
  return managers.map((m) => {
    const learners: DigestLearner[] = enrolments.filter((e) => e.managerId === m.id).map((e) => {
      const f = figures.get(e.id)!;
      const p = progress.get(e.id)!;
      const covered = criteriaCovered(p);
      const since = f.lastLogAt ?? e.startedAt;
      // Calendar days in the manager's time zone: logged on the 27th, read on the 30th = 3 days.
      const days = Math.max(0, calendarDays(since, now, m.tz));
      return {
        name: e.learner.name,
        entriesThisWeek: f.thisWeek, approved: f.approved, pending: f.pending, changes: f.changes,
        criteriaApproved: covered.approved, criteriaTotal: covered.total,
        credits: p.creditsAchieved, creditsRequired: p.creditsRequired,
        unitsCompleted: p.units.filter((u) => u.complete).length, unitsTotal: p.units.length,
        overdueFollowUps: f.overdue,
        daysSinceLastLog: f.lastLogAt ? days : null,
        quiet: e.status === 'active' && days >= QUIET_AFTER_DAYS,
        onBreak: e.status === 'break',
      };
    });
    const late = now.getTime() - m.slot.getTime() > LATE_MS;
    const notBefore = deferredUntil(outOfQuietHours(now, m.tz, late ? DEFAULT_NIGHT : null), now);
    const items = digestMessages({ managerName: m.name, slot: m.slot, tz: m.tz, learners }).map((message, page) => ({
      dedupeKey: digestKey(m.id, m.week, page + 1),
      recipientId: m.id,
      kind: 'digest',
      notBefore,
      payload: { purpose: 'digest', message },
    }));
    return { items, learners: learners.length };
  });
}

// Per enrolment: entries in its manager's week, entries by status, the last log, overdue follow-ups.
const FIGURES_SQL = `
  WITH w AS (
    SELECT unnest($1::text[]) AS id, unnest($2::text[]) AS learner,
           unnest($3::text[])::timestamp(3) AS "from", unnest($4::text[])::timestamp(3) AS "to"
  )
  SELECT w.id,
         COALESCE(x."thisWeek", 0) AS "thisWeek", COALESCE(x.approved, 0) AS approved,
         COALESCE(x.pending, 0) AS pending, COALESCE(x.changes, 0) AS changes, x."lastLogAt",
         COALESCE(f.overdue, 0) AS overdue
  FROM w
  LEFT JOIN LATERAL (
    SELECT count(*) FILTER (WHERE e."createdAt" >= w."from" AND e."createdAt" < w."to")::int AS "thisWeek",
           count(*) FILTER (WHERE e.status = 'approved')::int AS approved,
           count(*) FILTER (WHERE e.status IN ('pending', 'awaiting_countersignature'))::int AS pending,
           count(*) FILTER (WHERE e.status = 'changes_requested')::int AS changes,
           max(e."createdAt") AS "lastLogAt"
    FROM "Entry" e WHERE e."enrolmentId" = w.id
  ) x ON true
  LEFT JOIN LATERAL (
    SELECT count(*)::int AS overdue FROM "FollowUpReminder" r
    WHERE r."learnerId" = w.learner AND r."doneAt" IS NULL AND r."dueAt" < $5::timestamp(3)
  ) f ON true`;

function calendarDays(from: Date, to: Date, tz: string): number {
  const day = (d: Date) => Date.parse(`${localDate(d, tz)}T00:00:00Z`) / DAY;
  return Math.round(day(to) - day(from));
}
