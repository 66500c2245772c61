// The check-in sweep. At each learner's check-in time (LearnerSettings.nextCheckInAt, indexed), a
// learner who has logged nothing since their last check-in gets a nudge saying what would help
// most; everyone due moves on to their next check-in. Paused, snoozed, on-break, completed and
// erased learners are skipped. The work is batched: one query finds a batch of due rows (with
// whether each has logged), one aggregate query their progress, one transaction writes the nudges
// to the outbox (key nudge:<person>:<check-in time>) together with the new schedule.
import { DEFAULT_NIGHT, deferredUntil, nextCheckIn, outOfQuietHours, quietHoursOf, type CheckInSchedule } from '../../domain/schedule.ts';
import { nudgeMessage } from '../../messages/nudge.ts';
import type { ServiceContext } from '../kernel/context.ts';
import { enqueue, type OutboxItem } from '../outbox/outbox.ts';
import { progressForEnrolments } from '../evidence/progress-batch.ts';

export interface NudgeReport {
  /** Learners given their first check-in time. */
  scheduled: number;
  due: number;
  nudged: number;
  /** Due, but logged something since the last check-in. */
  logged: number;
  snoozed: number;
  paused: number;
  /** On a break in learning, completed, withdrawn or erased. */
  inactive: number;
}

type ScheduleCols = { cadence: string; dayOfWeek: number; timeOfDay: string; quietStart: string | null; quietEnd: string | null };

type UnscheduledRow = ScheduleCols & { id: string; timezone: string | null; after: Date };

type DueRow = ScheduleCols & {
  id: string;
  slot: Date;
  snoozedUntil: Date | null;
  paused: boolean;
  name: string;
  timezone: string | null;
  erased: boolean;
  enrolmentId: string | null;
  status: string | null;
  qualificationId: string | null;
  optionalUnits: string[] | null;
  logged: boolean;
  /** Has never logged anything. */
  first: boolean;
};

/** A nudge sent this long after its check-in time is a catch-up: it waits for the morning, not the night. */
const CATCH_UP_AFTER_MS = 60 * 60_000;

const scheduleOf = (r: ScheduleCols): CheckInSchedule => ({ cadence: r.cadence, dayOfWeek: r.dayOfWeek, timeOfDay: r.timeOfDay, quiet: quietHoursOf(r) });

export async function sendDueNudges(ctx: ServiceContext, now: Date, options: { batchSize?: number } = {}): Promise<NudgeReport> {
  const batchSize = options.batchSize ?? 1000;
  const report: NudgeReport = { scheduled: 0, due: 0, nudged: 0, logged: 0, snoozed: 0, paused: 0, inactive: 0 };
  report.scheduled = await scheduleNewLearners(ctx, batchSize);

  for (let guard = 0; guard < 10_000; guard++) {
    const rows = await ctx.db.$queryRawUnsafe<DueRow[]>(DUE_SQL, now.toISOString(), batchSize);
    if (!rows.length) break;
    report.due += rows.length;
    const updates: { id: string; slot: Date; next: Date | null; last: Date | null }[] = [];
    const next = memoNextCheckIn();
    const toNudge: DueRow[] = [];
    for (const r of rows) {
      const tz = r.timezone ?? ctx.defaultTimeZone;
      if (r.erased || !r.enrolmentId || r.status !== 'active') {
        report.inactive++;
        updates.push({ id: r.id, slot: r.slot, next: null, last: null }); // re-scheduled when active again
      } else if (r.paused) {
        report.paused++;
        updates.push({ id: r.id, slot: r.slot, next: null, last: null });
      } else if (r.snoozedUntil && r.snoozedUntil > now) {
        report.snoozed++;
        updates.push({ id: r.id, slot: r.slot, next: next(r, tz, r.snoozedUntil), last: null });
      } else {
        if (r.logged) report.logged++;
        else toNudge.push(r);
        updates.push({ id: r.id, slot: r.slot, next: next(r, tz, now), last: r.slot });
      }
    }
    const items = await nudgeItems(ctx, toNudge, now);
    const moved = await ctx.db.$transaction(async (tx) => {
      if (items.length) await enqueue(tx, items);
      // Only rows still at the check-in we processed: a settings change meanwhile wins.
      return tx.$executeRawUnsafe(
        `UPDATE "LearnerSettings" AS s
         SET "nextCheckInAt" = v.next, "lastCheckInAt" = COALESCE(v.last, s."lastCheckInAt"), "updatedAt" = now()
         FROM (SELECT unnest($1::text[]) AS id, unnest($2::text[])::timestamp(3) AS slot,
                      unnest($3::text[])::timestamp(3) AS next, unnest($4::text[])::timestamp(3) AS last) AS v
         WHERE s."personId" = v.id AND s."nextCheckInAt" = v.slot`,
        updates.map((u) => u.id), updates.map((u) => u.slot.toISOString()),
        updates.map((u) => u.next?.toISOString() ?? null), updates.map((u) => u.last?.toISOString() ?? null),
      );
    });
    report.nudged += items.length;
    // Nothing moved on means another sweep or a settings change got there first: stop, never spin.
    if (rows.length < batchSize || moved === 0) break;
  }
  if (report.nudged) ctx.kickOutbox();
  if (report.due || report.scheduled) ctx.log.info({ job: 'nudges', ...report }, 'check-in sweep done');
  return report;
}

/** nextCheckIn for many learners: most share a schedule, a time zone and the instant to count from. */
function memoNextCheckIn() {
  const cache = new Map<string, Date>();
  return (r: ScheduleCols, tz: string, after: Date): Date => {
    const key = `${tz}|${r.cadence}|${r.dayOfWeek}|${r.timeOfDay}|${r.quietStart}|${r.quietEnd}|${after.getTime()}`;
    let at = cache.get(key);
    if (!at) cache.set(key, (at = nextCheckIn(scheduleOf(r), tz, after)));
    return at;
  };
}

/** Learners with no check-in time yet (new on the roster, back from a pause or a break): their first one. */
async function scheduleNewLearners(ctx: ServiceContext, batchSize: number): Promise<number> {
  let total = 0;
  for (let guard = 0; guard < 10_000; guard++) {
    const rows = await ctx.db.$queryRawUnsafe<UnscheduledRow[]>(UNSCHEDULED_SQL, batchSize);
    if (!rows.length) break;
    // From their last check-in, or their start: one missed while away is caught up once.
    const nextOf = memoNextCheckIn();
    const next = rows.map((r) => nextOf(r, r.timezone ?? ctx.defaultTimeZone, r.after).toISOString());
    await ctx.db.$executeRawUnsafe(
      `UPDATE "LearnerSettings" AS s SET "nextCheckInAt" = v.next
       FROM (SELECT unnest($1::text[]) AS id, unnest($2::text[])::timestamp(3) AS next) AS v
       WHERE s."personId" = v.id AND s."nextCheckInAt" IS NULL`,
      rows.map((r) => r.id), next,
    );
    total += rows.length;
    if (rows.length < batchSize) break;
  }
  return total;
}

async function nudgeItems(ctx: ServiceContext, rows: DueRow[], now: Date): Promise<OutboxItem[]> {
  if (!rows.length) return [];
  const progress = await progressForEnrolments(ctx, rows.map((r) => ({ id: r.enrolmentId!, qualificationId: r.qualificationId!, optionalUnits: r.optionalUnits ?? [] })));
  const followUps = await ctx.db.$queryRawUnsafe<{ id: string; due: number; oldest: Date }[]>(
    `SELECT "learnerId" AS id, count(*)::int AS due, min("dueAt") AS oldest FROM "FollowUpReminder"
     WHERE "learnerId" = ANY($1::text[]) AND "doneAt" IS NULL AND "dueAt" <= $2::timestamp(3)
     GROUP BY 1`,
    rows.map((r) => r.id), now.toISOString(),
  );
  const due = new Map(followUps.map((f) => [f.id, f]));
  return rows.map((r) => {
    const tz = r.timezone ?? ctx.defaultTimeZone;
    const schedule = scheduleOf(r);
    const late = now.getTime() - r.slot.getTime() > CATCH_UP_AFTER_MS;
    const notBefore = deferredUntil(outOfQuietHours(now, tz, schedule.quiet ?? (late ? DEFAULT_NIGHT : null)), now);
    return {
      dedupeKey: `nudge:${r.id}:${r.slot.toISOString()}`,
      recipientId: r.id,
      kind: 'nudge',
      notBefore,
      payload: {
        purpose: 'nudge',
        message: nudgeMessage({
          learnerName: r.name, progress: progress.get(r.enrolmentId!)!, schedule, tz, first: r.first,
          followUpsDue: due.get(r.id)?.due ?? 0, oldestFollowUpDue: due.get(r.id)?.oldest,
        }),
      },
    };
  });
}

const UNSCHEDULED_SQL = `
  SELECT s."personId" AS id, s.cadence, s."dayOfWeek", s."timeOfDay", s."quietStart", s."quietEnd", p.timezone,
         COALESCE(s."lastCheckInAt", e."startedAt") AS after
  FROM "LearnerSettings" s
  JOIN "Person" p ON p.id = s."personId" AND p."erasedAt" IS NULL
  JOIN LATERAL (
    SELECT en."startedAt" FROM "Enrolment" en
    WHERE en."learnerId" = s."personId" AND en.status = 'active'
    ORDER BY en."startedAt" DESC LIMIT 1
  ) e ON true
  WHERE s."nextCheckInAt" IS NULL AND NOT s.paused
  LIMIT $1`;

const DUE_SQL = `
  SELECT s."personId" AS id, s.cadence, s."dayOfWeek", s."timeOfDay", s."quietStart", s."quietEnd",
         s."snoozedUntil", s.paused, s."nextCheckInAt" AS slot,
         NOT EXISTS (SELECT 1 FROM "Entry" y WHERE y."learnerId" = s."personId") AS first,
         p.name, p.timezone, (p."erasedAt" IS NOT NULL) AS erased,
         e.id AS "enrolmentId", e.status, e."qualificationId", e."optionalUnits",
         EXISTS (
           SELECT 1 FROM "Entry" x
           WHERE x."learnerId" = s."personId" AND x."createdAt" > COALESCE(s."lastCheckInAt", e."startedAt")
         ) AS logged
  FROM "LearnerSettings" s
  JOIN "Person" p ON p.id = s."personId"
  LEFT JOIN LATERAL (
    SELECT en.id, en.status, en."qualificationId", en."optionalUnits", en."startedAt" FROM "Enrolment" en
    WHERE en."learnerId" = s."personId"
    ORDER BY (en.status IN ('active', 'break')) DESC, en."startedAt" DESC LIMIT 1
  ) e ON true
  WHERE s."nextCheckInAt" <= $1::timestamp(3)
  ORDER BY s."nextCheckInAt", s."personId"
  LIMIT $2`;
