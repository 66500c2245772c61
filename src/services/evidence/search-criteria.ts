// The logging form's criteria picker: the learner's own criteria (mandatory units and their chosen
// optional ones) that match what they are typing — a unit (`U7`, `K/507/0949`), a number (`1.4`),
// both (`U7:1.4`), or words from the criterion's text or the unit's title.
import { allCriteria, findCriterion, getQualification, type ResolvedCriterion } from '../../catalogue/catalogue.ts';
import { enrolledUnits } from '../../domain/progress.ts';
import type { ActorRef, ServiceContext } from '../kernel/context.ts';
import { identifyLearner } from '../kernel/identify-person.ts';

export interface CriterionOption {
  /** `K/507/0949:1.4`: the unit reference and criterion number, as the form hands them back. */
  value: string;
  /** `U7 1.4 Explain how to …` */
  label: string;
}

/** Slack shows at most 100 options; more would not help anyone choose. */
export const MAX_OPTIONS = 100;

export function criterionOption(c: ResolvedCriterion): CriterionOption {
  return { value: `${c.unitRef}:${c.number}`, label: `U${c.unitNumber} ${c.number} ${c.text}` };
}

export async function searchCriteria(ctx: ServiceContext, input: { actor: ActorRef; query: string; limit?: number }): Promise<CriterionOption[]> {
  const { enrolment } = await identifyLearner(ctx, input.actor);
  const q = getQualification(enrolment.qualificationId);
  const mine = allCriteria(q, enrolledUnits(q, enrolment.optionalUnits).map((u) => u.ref));
  const tokens = input.query.toLowerCase().split(/[\s,]+/).map((t) => t.replace(/^#/, '')).filter(Boolean);
  const limit = Math.min(input.limit ?? MAX_OPTIONS, MAX_OPTIONS);
  return mine.filter((c) => tokens.every((t) => matches(c, t))).slice(0, limit).map(criterionOption);
}

/** Resolves `K/507/0949:1.4` keys to options of the learner's units; unknown keys are skipped. */
export function criterionOptionsFor(q: ReturnType<typeof getQualification>, unitRefs: string[], keys: string[]): CriterionOption[] {
  const out: CriterionOption[] = [];
  for (const key of keys) {
    const m = /^([^:\s]+):(\d+\.\d+)$/.exec(key.trim());
    const c = m ? findCriterion(q, m[1]!, m[2]!) : undefined;
    if (c && unitRefs.includes(c.unitRef) && !out.some((o) => o.value === `${c.unitRef}:${c.number}`)) out.push(criterionOption(c));
  }
  return out;
}

function matches(c: ResolvedCriterion, token: string): boolean {
  const [unitPart, numberPart] = token.includes(':') ? token.split(':', 2) as [string, string] : [undefined, undefined];
  if (unitPart !== undefined) return (!unitPart || matchesUnit(c, unitPart)) && (!numberPart || matchesNumber(c, numberPart));
  if (/^u\d+$/.test(token) || /^[a-z]\/\d/.test(token)) return matchesUnit(c, token);
  if (/^\d+(\.\d*)?$/.test(token)) return matchesNumber(c, token);
  return c.text.toLowerCase().includes(token) || c.unitTitle.toLowerCase().includes(token);
}

function matchesUnit(c: ResolvedCriterion, token: string): boolean {
  const n = /^u?(\d+)$/.exec(token);
  if (n) return c.unitNumber === Number(n[1]);
  return c.unitRef.toLowerCase().startsWith(token);
}

/** `1` is outcome 1; `1.4` is exactly 1.4 (not 1.40); `1.` is outcome 1 too. */
function matchesNumber(c: ResolvedCriterion, token: string): boolean {
  const t = token.replace(/\.$/, '');
  return c.number === t || (!t.includes('.') && c.number.startsWith(`${t}.`));
}
