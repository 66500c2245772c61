// The learner's portfolio as an evidence matrix: one row per criterion of their units (mandatory
// and chosen optional) with the entries mapped to it, as CSV or as a printable HTML page an
// end-point assessor can read.
import { getQualification } from '../../catalogue/catalogue.ts';
import { enrolledUnits } from '../../domain/progress.ts';
import { notFound } from '../../lib/errors.ts';
import { formatDate } from '../../lib/time.ts';
import { STATUS_LABEL } from '../../messages/entry-card.ts';
import type { ServiceContext } from '../kernel/context.ts';
import { progressForEnrolment } from './get-progress.ts';

export type ExportFormat = 'csv' | 'html';

export interface MatrixRow {
  unitRef: string;
  unitNumber: number;
  unitTitle: string;
  outcome: number;
  criterion: string;
  criterionText: string;
  entries: { id: string; occurredAt: Date; status: string; summary: string; simulated: boolean }[];
}

/** Finds a learner by roster user ID, email or exact name (the CLI's LEARNER argument). */
export async function findLearner(ctx: Pick<ServiceContext, 'db'>, who: string) {
  const people = await ctx.db.person.findMany({
    where: {
      roles: { has: 'learner' }, erasedAt: null,
      OR: [{ externalId: who }, { id: who }, { email: { equals: who, mode: 'insensitive' } }, { name: { equals: who, mode: 'insensitive' } }],
    },
    include: { enrolments: { orderBy: { startedAt: 'desc' }, take: 1 } },
  });
  if (people.length === 0 || !people[0]!.enrolments[0]) throw notFound(`No learner "${who}" on the roster (use their user ID, email or full name).`);
  if (people.length > 1) throw notFound(`"${who}" matches ${people.length} learners; use their user ID or email instead.`);
  return { person: people[0]!, enrolment: people[0]!.enrolments[0]! };
}

export async function buildMatrix(ctx: Pick<ServiceContext, 'db'>, enrolment: { id: string; qualificationId: string; optionalUnits: string[] }): Promise<MatrixRow[]> {
  const q = getQualification(enrolment.qualificationId);
  const entries = await ctx.db.entry.findMany({
    where: { enrolmentId: enrolment.id },
    orderBy: { occurredAt: 'asc' },
    select: { id: true, occurredAt: true, status: true, summary: true, simulated: true, criteria: { select: { unitRef: true, number: true } } },
  });
  const byCriterion = new Map<string, MatrixRow['entries']>();
  for (const e of entries) {
    for (const c of e.criteria) {
      const k = `${c.unitRef}:${c.number}`;
      const list = byCriterion.get(k) ?? [];
      list.push({ id: e.id, occurredAt: e.occurredAt, status: e.status, summary: e.summary, simulated: e.simulated });
      byCriterion.set(k, list);
    }
  }
  return enrolledUnits(q, enrolment.optionalUnits).flatMap((u) =>
    u.outcomes.flatMap((o) =>
      o.criteria.map((c) => ({
        unitRef: u.ref, unitNumber: u.number, unitTitle: u.title, outcome: o.number, criterion: c.number, criterionText: c.text,
        entries: byCriterion.get(`${u.ref}:${c.number}`) ?? [],
      })),
    ),
  );
}

export async function exportPortfolio(ctx: ServiceContext, input: { learner: string; format: ExportFormat }) {
  const { person, enrolment } = await findLearner(ctx, input.learner);
  return renderPortfolio(ctx, person, enrolment, input.format);
}

export async function renderPortfolio(
  ctx: ServiceContext,
  person: { name: string; timezone: string | null },
  enrolment: { id: string; qualificationId: string; optionalUnits: string[] },
  format: ExportFormat,
) {
  const rows = await buildMatrix(ctx, enrolment);
  const tz = person.timezone ?? ctx.defaultTimeZone;
  const content = format === 'csv' ? toCsv(rows, tz) : toHtml(rows, tz, person.name, await progressForEnrolment(ctx, enrolment), ctx.clock.now());
  const fileName = `portfolio-${person.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.${format}`;
  return { content, fileName, criteria: rows.length };
}

const csvCell = (v: string | number) => {
  let s = String(v);
  // A cell starting with = + - @ would run as a formula in Excel: quote it as text.
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function toCsv(rows: MatrixRow[], tz: string): string {
  const head = ['unit_ref', 'unit_number', 'unit_title', 'outcome', 'criterion', 'criterion_text', 'evidence_count', 'status', 'entries'];
  const lines = [head.join(',')];
  for (const r of rows) {
    const best = r.entries.some((e) => e.status === 'approved') ? 'approved' : r.entries.some((e) => e.status !== 'rejected') ? 'pending' : 'none';
    const entries = r.entries.map((e) => `${formatDate(e.occurredAt, tz)} [${STATUS_LABEL[e.status] ?? e.status}${e.simulated ? ', simulated' : ''}] ${e.summary}`).join(' | ');
    lines.push([r.unitRef, `U${r.unitNumber}`, r.unitTitle, r.outcome, r.criterion, r.criterionText, r.entries.length, best, entries].map(csvCell).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

export function toHtml(rows: MatrixRow[], tz: string, learnerName: string, progress: Awaited<ReturnType<typeof progressForEnrolment>>, now: Date): string {
  const q = progress.qualification;
  const units = new Map<string, MatrixRow[]>();
  for (const r of rows) units.set(r.unitRef, [...(units.get(r.unitRef) ?? []), r]);
  const sections = [...units.values()].map((list) => {
    const u = list[0]!;
    const up = progress.units.find((x) => x.unit.ref === u.unitRef)!;
    const body = list.map((r) => {
      const ev = r.entries.length
        ? `<ul>${r.entries.map((e) => `<li><span class="s ${e.status}">${esc(STATUS_LABEL[e.status] ?? e.status)}</span> ${esc(formatDate(e.occurredAt, tz))}${e.simulated ? ' <em>(simulated)</em>' : ''}: ${esc(e.summary)}</li>`).join('')}</ul>`
        : '<span class="none">No evidence yet</span>';
      return `<tr><td class="n">${esc(r.criterion)}</td><td>${esc(r.criterionText)}</td><td>${ev}</td></tr>`;
    }).join('\n');
    return `<section><h2>U${u.unitNumber} ${esc(u.unitRef)} ${esc(u.unitTitle)}</h2>
<p class="meta">${up.unit.credits} credits · ${up.unit.group === 'mandatory' ? 'Mandatory' : 'Optional group A'} · ${up.approved}/${up.total} criteria approved${up.complete ? ' · complete' : ''}</p>
<table><thead><tr><th>AC</th><th>Assessment criterion</th><th>Evidence</th></tr></thead><tbody>
${body}
</tbody></table></section>`;
  }).join('\n');
  return `<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><title>Portfolio: ${esc(learnerName)}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:60rem;color:#111;padding:0 1rem}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.1rem;margin:2rem 0 .2rem;break-after:avoid}
.meta{color:#555;margin:.2rem 0 .6rem}table{border-collapse:collapse;width:100%}
th,td{border:1px solid #ccc;padding:.35rem .5rem;vertical-align:top;text-align:left}th{background:#f3f3f3}
td.n{white-space:nowrap;width:3rem}ul{margin:0;padding-left:1.1rem}.none{color:#a00}
.s{font-size:.8em;padding:0 .3em;border-radius:3px;background:#eee}.s.approved{background:#d8f0d8}.s.rejected{background:#f6d6d6}
section{break-inside:auto}tr{break-inside:avoid}@media print{body{margin:0;max-width:none}}
</style></head><body>
<h1>${esc(q.title)}</h1>
<p class="meta">Learner: <strong>${esc(learnerName)}</strong> · Qualification ${esc(q.id)} · Exported ${esc(formatDate(now, tz))}</p>
<p class="meta">Credits achieved ${progress.creditsAchieved} of ${progress.creditsRequired} · mandatory units ${progress.mandatoryComplete ? 'complete' : 'in progress'} · optional credits ${progress.optionalCreditsAchieved} of ${progress.optionalCreditsRequired} · rules of combination ${progress.rulesMet ? 'met' : 'not yet met'}</p>
${sections}
</body></html>
`;
}
