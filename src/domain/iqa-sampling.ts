// Which decisions internal quality assurance looks at each week: a share of every assessor's
// decisions (at least one each), chosen by a hash of the decision and the week, so the choice is
// spread fairly, cannot be predicted by an assessor, and is the same on every rerun. Pure.
import { createHash } from 'node:crypto';
import { addDays, atLocal, isoWeek, localDate, localParts } from '../lib/time.ts';

/** How many of `count` decisions to sample at `rate` (0..1): at least one, never more than there are; none at rate 0. */
export function sampleSize(count: number, rate: number): number {
  if (count <= 0 || !(rate > 0)) return 0;
  return Math.min(count, Math.max(1, Math.ceil(count * Math.min(rate, 1) - 1e-9)));
}

/** The `k` items whose hash with `seed` sorts first: deterministic, and independent of input order. */
export function pickSample<T extends { id: string }>(items: readonly T[], k: number, seed: string): T[] {
  const score = (id: string) => createHash('sha256').update(`${seed}:${id}`).digest('hex');
  return [...items].sort((a, b) => (score(a.id) < score(b.id) ? -1 : score(a.id) > score(b.id) ? 1 : 0)).slice(0, k);
}

/** Groups decisions by who made them and picks each assessor's share for the week. */
export function chooseSample<T extends { id: string; assessorId: string }>(decisions: readonly T[], rateOf: (assessorId: string) => number, week: string): T[] {
  const byAssessor = new Map<string, T[]>();
  for (const d of decisions) byAssessor.set(d.assessorId, [...(byAssessor.get(d.assessorId) ?? []), d]);
  return [...byAssessor.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .flatMap(([assessorId, list]) => pickSample(list, sampleSize(list.length, rateOf(assessorId)), `${week}:${assessorId}`));
}

/** The last complete ISO week before `now` in `tz`: its label and its bounds as UTC instants. */
export function previousIsoWeek(now: Date, tz: string): { week: string; start: Date; end: Date } {
  const today = localDate(now, tz);
  const mondayThisWeek = addDays(today, -((localParts(now, tz).weekday + 6) % 7));
  const mondayBefore = addDays(mondayThisWeek, -7);
  const start = atLocal(mondayBefore, '00:00', tz);
  return { week: isoWeek(start, tz), start, end: atLocal(mondayThisWeek, '00:00', tz) };
}
