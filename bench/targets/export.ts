// One learner with a 500-entry portfolio (each entry on two criteria, statuses mixed), seeded in
// bulk; then the export the learner and the CLI get, as HTML and CSV, timed and measured.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allCriteria, getQualification } from '../../src/catalogue/catalogue.ts';
import { openDatabase } from '../../src/db/database.ts';
import { applyMigrations } from '../../src/db/migrate.ts';
import { createLogger } from '../../src/lib/logger.ts';
import type { ServiceContext } from '../../src/services/kernel/context.ts';
import { exportPortfolio } from '../../src/services/evidence/export-portfolio.ts';
import { importRoster } from '../../src/services/roster/import-roster.ts';
import { maxRssMb } from '../lib/child.ts';
import { benchRoster } from '../lib/roster.ts';

const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 500);
const dir = process.env.DATABASE_URL ? undefined : mkdtempSync(join(tmpdir(), 'evidence-bench-export-'));
const db = await openDatabase(process.env.DATABASE_URL ? { url: process.env.DATABASE_URL } : { dataDir: dir! });
try {
  await applyMigrations(db);
  const ctx: ServiceContext = { db: db.prisma, clock: { now: () => new Date() }, log: createLogger('error'), defaultTimeZone: 'Europe/London', kickOutbox: () => {} };
  const roster = benchRoster({ learners: 1 });
  await importRoster(ctx, { csv: roster.csv });
  const learner = await db.prisma.person.findFirstOrThrow({ where: { externalId: roster.learners[0]!.userId }, include: { enrolments: true } });
  const enrolment = learner.enrolments[0]!;
  const q = getQualification(enrolment.qualificationId);
  const units = new Set(q.units.filter((u) => u.group === 'mandatory' || enrolment.optionalUnits.includes(u.ref)).map((u) => u.ref));
  const criteria = allCriteria(q).filter((c) => units.has(c.unitRef));
  await db.prisma.$executeRawUnsafe(
    `INSERT INTO "Entry"(id, "learnerId", "enrolmentId", "occurredAt", summary, status, "idempotencyKey", source, "createdAt", "updatedAt")
     SELECT 'x' || g, $1, $2, now() - (g || ' hours')::interval,
            'Called a candidate back about the warehouse role, agreed next steps and logged the outcome (' || g || ')',
            (ARRAY['approved','approved','pending','changes_requested']::"EntryStatus"[])[1 + g % 4], 'bench-export-' || g, 'cli', now(), now()
     FROM generate_series(1, $3::int) g`,
    learner.id, enrolment.id, ENTRIES,
  );
  await db.prisma.$executeRawUnsafe(
    `INSERT INTO "EntryCriterion"("entryId", "unitRef", number)
     SELECT 'x' || g, ($1::text[])[1 + (g * 7 + i * 13) % $3::int], ($2::text[])[1 + (g * 7 + i * 13) % $3::int]
     FROM generate_series(1, $4::int) g, generate_series(0, 1) i ON CONFLICT DO NOTHING`,
    criteria.map((c) => c.unitRef), criteria.map((c) => c.number), criteria.length, ENTRIES,
  );
  const rssBefore = maxRssMb();
  const runs: Record<string, { ms: number; bytes: number; criteria: number }[]> = { html: [], csv: [] };
  for (let i = 0; i < 3; i++) {
    for (const format of ['html', 'csv'] as const) {
      const t = process.hrtime.bigint();
      const r = await exportPortfolio(ctx, { learner: roster.learners[0]!.userId, format });
      runs[format]!.push({ ms: Number(process.hrtime.bigint() - t) / 1e6, bytes: Buffer.byteLength(r.content), criteria: r.criteria });
    }
  }
  const best = (f: string) => ({ firstMs: Math.round(runs[f]![0]!.ms), warmMs: Math.round(Math.min(...runs[f]!.slice(1).map((r) => r.ms))), kb: Math.round(runs[f]![0]!.bytes / 1024), criteria: runs[f]![0]!.criteria });
  process.send?.({ type: 'ready', entries: ENTRIES, html: best('html'), csv: best('csv'), rssBeforeMb: rssBefore, peakRssMb: maxRssMb() });
} finally {
  await db.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
