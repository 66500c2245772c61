// How long the scheduled sweeps take at scale, on a fresh embedded database (or PostgreSQL with
// BENCH_DATABASE_URL): the nudge sweep over 1,000 … 100,000 learners (a quarter-hour tick with
// check-ins spread over the week, a tick with nothing due, and everyone due at once), and the
// weekly digest for 5,000 learners with 50 entries each. Not part of `npm test`:
//   npx tsx bench/jobs.ts                 (all sizes)
//   npx tsx bench/jobs.ts 1000 5000       (nudge sizes only; the digest run is skipped with --no-digest)
//   npx tsx bench/jobs.ts --no-nudges     (the digest run only)
import { allCriteria, DEFAULT_QUALIFICATION_ID, getQualification } from '../src/catalogue/catalogue.ts';
import { openDatabase, type Database } from '../src/db/database.ts';
import { applyMigrations } from '../src/db/migrate.ts';
import { createLogger } from '../src/lib/logger.ts';
import type { ServiceContext } from '../src/services/kernel/context.ts';
import { sendDueDigests } from '../src/services/schedules/send-digests.ts';
import { sendDueNudges } from '../src/services/schedules/send-nudges.ts';
import { openInNewSchema } from '../test/helpers/pg-schema.ts';

const TICK = new Date('2026-11-23T09:00:00Z'); // a Monday, 09:00 in London
const QUARTERS_A_WEEK = 7 * 24 * 4;

async function freshDatabase(): Promise<Database & { drop(): Promise<void> }> {
  const url = process.env.BENCH_DATABASE_URL;
  if (!url) {
    const db = await openDatabase({ dataDir: 'memory://' });
    await applyMigrations(db);
    return Object.assign(db, { drop: () => db.close() });
  }
  const db = await openInNewSchema(url, 'bench');
  return Object.assign(db, { drop: () => db.dropSchema() });
}

function context(db: Database): ServiceContext {
  return { db: db.prisma, clock: { now: () => TICK }, log: createLogger('warn'), defaultTimeZone: 'Europe/London', kickOutbox: () => {} };
}

/**
 * Learners on the default roster shape, with `entries` each (criteria of the mandatory units,
 * statuses mixed), managers of 50, and check-in times from `nextCheckIn(g)` (g = 1…n).
 * About half of them (by a hash of the ID) have logged since their last check-in.
 */
async function seed(db: Database, n: number, entries: number, nextCheckInSql: string) {
  const q = getQualification(DEFAULT_QUALIFICATION_ID);
  const mandatory = allCriteria(q).filter((c) => q.units.find((u) => u.ref === c.unitRef)?.group === 'mandatory');
  const optional = q.units.filter((u) => u.group !== 'mandatory').slice(0, 6).map((u) => u.ref);
  const sql = (s: string, ...params: unknown[]) => db.prisma.$executeRawUnsafe(s, ...params);
  const managers = Math.ceil(n / 50);
  await sql(`INSERT INTO "Workspace"(id, platform, "externalId", "updatedAt") VALUES ('ws', 'slack', 'TBENCH', now())`);
  await sql(`INSERT INTO "Person"(id, "workspaceId", platform, "externalId", name, roles, timezone, "updatedAt")
             SELECT 'm' || g, 'ws', 'slack', 'UM' || g, 'Manager ' || g, ARRAY['manager']::"Role"[], 'Europe/London', now()
             FROM generate_series(1, $1::int) g`, managers);
  await sql(`INSERT INTO "Person"(id, "workspaceId", platform, "externalId", name, roles, timezone, "updatedAt")
             SELECT 'l' || g, 'ws', 'slack', 'UL' || g, 'Learner ' || g, ARRAY['learner']::"Role"[], 'Europe/London', now()
             FROM generate_series(1, $1::int) g`, n);
  await sql(`INSERT INTO "Enrolment"(id, "learnerId", "qualificationId", "optionalUnits", "managerId", status, "startedAt", "updatedAt")
             SELECT 'e' || g, 'l' || g, $2, $3::text[], 'm' || ((g - 1) / 50 + 1), 'active', '2026-09-01', now()
             FROM generate_series(1, $1::int) g`, n, q.id, optional);
  await sql(`INSERT INTO "LearnerSettings"("personId", "nextCheckInAt", "lastCheckInAt", "updatedAt")
             SELECT 'l' || g, ${nextCheckInSql}, '2026-11-16T09:00:00'::timestamp, now()
             FROM generate_series(1, $1::int) g`, n);
  if (entries > 0) {
    // Entries over the ten weeks before the last check-in; for about half the learners the newest is after it.
    await sql(`INSERT INTO "Entry"(id, "learnerId", "enrolmentId", "occurredAt", summary, status, "idempotencyKey", source, "createdAt", "updatedAt")
               SELECT 'x' || g || '-' || k, 'l' || g, 'e' || g, t, 'Bench evidence', (ARRAY['approved','approved','pending','changes_requested']::"EntryStatus"[])[1 + (g + k) % 4],
                      'bench-' || g || '-' || k, 'cli', t, now()
               FROM generate_series(1, $1::int) g, generate_series(1, $2::int) k,
                    LATERAL (SELECT CASE WHEN k = $2::int AND abs(hashtext('l' || g)) % 2 = 0 THEN '2026-11-20T10:00:00'::timestamp
                                         ELSE '2026-09-01T10:00:00'::timestamp + ((k * 70 / $2::int) || ' days')::interval END AS t) tt`, n, entries);
    await sql(`INSERT INTO "EntryCriterion"("entryId", "unitRef", number)
               SELECT e.id, c.u, c.n FROM "Entry" e
               CROSS JOIN LATERAL (SELECT ($1::text[])[1 + (abs(hashtext(e.id)) + i * 7) % $2::int] AS u, ($3::text[])[1 + (abs(hashtext(e.id)) + i * 7) % $2::int] AS n
                                   FROM generate_series(0, 1) i) c
               ON CONFLICT DO NOTHING`,
      mandatory.map((c) => c.unitRef), mandatory.length, mandatory.map((c) => c.number));
  }
  await sql('ANALYZE');
}

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

async function timed<T>(f: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const start = process.hrtime.bigint();
  const result = await f();
  return { ms: ms(start), result };
}

async function nudgeBench(n: number, allDue: boolean) {
  const db = await freshDatabase();
  try {
    const seedStart = process.hrtime.bigint();
    // Spread: learner g's check-in is (g mod 672) quarter-hours after the tick, so about n/672 are
    // due at it; all due: everyone at the tick (every learner weekly on Monday at 09:00).
    await seed(db, n, 4, allDue ? `'${TICK.toISOString()}'::timestamp` : `'${TICK.toISOString()}'::timestamp + ((g % ${QUARTERS_A_WEEK}) * 15 || ' minutes')::interval`);
    const seeded = ms(seedStart);
    const ctx = context(db);
    // The first sweep of a process is cold (query plans, the catalogue, Intl formatters); the bot's
    // are warm, so the next quarter-hour's sweep is the figure that matters. Then a minute with nothing due.
    const first = await timed(() => sendDueNudges(ctx, TICK));
    const sweep = allDue ? first : await timed(() => sendDueNudges(ctx, new Date(TICK.getTime() + 15 * 60_000)));
    const idle = await timed(() => sendDueNudges(ctx, new Date(TICK.getTime() + 16 * 60_000)));
    const messages = await db.prisma.outboxMessage.count();
    return {
      learners: n, scenario: allDue ? 'all due at once' : 'quarter-hour tick', seedMs: Math.round(seeded),
      firstSweepMs: Math.round(first.ms), sweepMs: Math.round(sweep.ms), due: sweep.result.due, nudged: sweep.result.nudged, logged: sweep.result.logged,
      idleSweepMs: Math.round(idle.ms), idleDue: idle.result.due, messages,
    };
  } finally {
    await db.drop();
  }
}

async function digestBench(learners: number, entries: number) {
  const db = await freshDatabase();
  try {
    const seedStart = process.hrtime.bigint();
    await seed(db, learners, entries, `'2026-11-30T09:00:00'::timestamp`);
    const seeded = ms(seedStart);
    const ctx = context(db);
    const run = await timed(() => sendDueDigests(ctx, TICK));
    const again = await timed(() => sendDueDigests(ctx, new Date(TICK.getTime() + 15 * 60_000)));
    const entryRows = await db.prisma.entry.count();
    return { learners, entriesPerLearner: entries, entryRows, seedMs: Math.round(seeded), digestMs: Math.round(run.ms), managers: run.result.managers, sent: run.result.sent, messages: run.result.messages, secondRunMs: Math.round(again.ms), secondRunSent: again.result.sent };
  } finally {
    await db.drop();
  }
}

async function main() {
  const args = process.argv.slice(2);
  const sizes = args.filter((a) => /^\d+$/.test(a)).map(Number);
  // --no-nudges: the digest run alone (npm run bench runs each part in a process of its own).
  const nudgeSizes = args.includes('--no-nudges') ? [] : sizes.length ? sizes : [1_000, 5_000, 20_000, 100_000];
  const backend = process.env.BENCH_DATABASE_URL ? 'postgresql' : 'pglite';
  process.stdout.write(`backend: ${backend}\n`);
  for (const n of nudgeSizes) process.stdout.write(`${JSON.stringify(await nudgeBench(n, false))}\n`);
  if (!args.includes('--no-all-due')) {
    for (const n of nudgeSizes.filter((x) => x <= 20_000)) process.stdout.write(`${JSON.stringify(await nudgeBench(n, true))}\n`);
  }
  if (!args.includes('--no-digest')) process.stdout.write(`${JSON.stringify(await digestBench(5_000, 50))}\n`);
}

await main();
