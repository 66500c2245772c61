// Progress for many enrolments at once, for the jobs (nudges, digests): one aggregate query gives
// each enrolment's evidenced criteria (approved, or only pending), and domain/progress folds them
// into units and credits. Per-entry detail (simulation shares) is not needed there and not loaded.
import { getQualification } from '../../catalogue/catalogue.ts';
import { computeProgress, type EvidenceFact, type Progress } from '../../domain/progress.ts';
import type { ServiceContext } from '../kernel/context.ts';

export interface EnrolmentRef {
  id: string;
  qualificationId: string;
  optionalUnits: string[];
}

type Row = { id: string; unitRef: string; number: string; approved: boolean };

export async function progressForEnrolments(ctx: Pick<ServiceContext, 'db'>, enrolments: EnrolmentRef[]): Promise<Map<string, Progress>> {
  const out = new Map<string, Progress>();
  if (!enrolments.length) return out;
  const rows = await ctx.db.$queryRawUnsafe<Row[]>(
    `SELECT e."enrolmentId" AS id, c."unitRef" AS "unitRef", c.number, bool_or(e.status = 'approved') AS approved
     FROM "Entry" e JOIN "EntryCriterion" c ON c."entryId" = e.id
     WHERE e."enrolmentId" = ANY($1::text[]) AND e.status <> 'rejected'
     GROUP BY 1, 2, 3`,
    enrolments.map((e) => e.id),
  );
  const facts = new Map<string, EvidenceFact[]>();
  for (const r of rows) {
    const list = facts.get(r.id) ?? [];
    list.push({ status: r.approved ? 'approved' : 'pending', simulated: false, criteria: [{ unitRef: r.unitRef, number: r.number }] });
    facts.set(r.id, list);
  }
  for (const e of enrolments) out.set(e.id, computeProgress(getQualification(e.qualificationId), e.optionalUnits, facts.get(e.id) ?? []));
  return out;
}
