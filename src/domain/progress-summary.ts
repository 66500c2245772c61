// Short readings of a learner's progress for the scheduled messages: the unit where evidence would
// help most now, and criteria covered overall. Pure.
import type { Progress, UnitProgress } from './progress.ts';

/** The unfinished unit closest to covered that still has criteria with no evidence at all. */
export function unitToWorkOn(p: Progress): UnitProgress | undefined {
  return p.units
    .filter((u) => u.criteria.some((c) => c.state === 'none'))
    .sort((a, b) => (b.approved + b.pending) / b.total - (a.approved + a.pending) / a.total || a.unit.number - b.unit.number)[0];
}

/** Criteria with approved evidence, of all the criteria of the learner's units. */
export function criteriaCovered(p: Progress): { approved: number; total: number } {
  return p.units.reduce((acc, u) => ({ approved: acc.approved + u.approved, total: acc.total + u.total }), { approved: 0, total: 0 });
}
