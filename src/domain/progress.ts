// A learner's progress through their qualification: per unit, which criteria have approved
// evidence, which only pending evidence, which none; credits achieved; the rules of combination.
// Pure: the service loads the entries, this decides.
import { type Qualification, type Unit } from '../catalogue/catalogue.ts';

export type EvidenceStatus = 'pending' | 'changes_requested' | 'approved' | 'rejected' | 'awaiting_countersignature';

export interface EvidenceFact {
  status: EvidenceStatus;
  simulated: boolean;
  criteria: { unitRef: string; number: string }[];
}

export type CriterionState = 'approved' | 'pending' | 'none';

export interface UnitProgress {
  unit: Unit;
  criteria: { number: string; text: string; state: CriterionState }[];
  approved: number;
  pending: number;
  total: number;
  complete: boolean;
  /** Entries tagged to this unit, and how many of them are simulation. */
  entries: number;
  simulatedEntries: number;
  /** Simulation is more than the allowed small share of this unit's evidence. */
  simulationWarning: boolean;
}

export interface Progress {
  qualification: Qualification;
  units: UnitProgress[];
  creditsAchieved: number;
  creditsRequired: number;
  mandatoryComplete: boolean;
  optionalCreditsAchieved: number;
  optionalCreditsRequired: number;
  rulesMet: boolean;
  /** The unfinished unit with the highest share of approved criteria, to say what to do next. */
  closestUnit?: UnitProgress;
}

/** Simulation "should only form a small part of the evidence" (specification): warn above this share. */
export const SIMULATION_WARNING_SHARE = 0.2;

/** Entries still in play count as pending; rejected ones count for nothing. */
const IN_PROGRESS: ReadonlySet<EvidenceStatus> = new Set(['pending', 'changes_requested', 'awaiting_countersignature']);

/** The units a learner is assessed on: every unit of an "all" group plus their chosen optional ones. */
export function enrolledUnits(q: Qualification, optionalUnitRefs: readonly string[]): Unit[] {
  const allGroups = new Set(q.rules.groups.filter((g) => g.rule === 'all').map((g) => g.id));
  const chosen = new Set(optionalUnitRefs.map((r) => r.toUpperCase()));
  return q.units.filter((u) => allGroups.has(u.group) || chosen.has(u.ref));
}

export function computeProgress(q: Qualification, optionalUnitRefs: readonly string[], facts: readonly EvidenceFact[]): Progress {
  const state = new Map<string, CriterionState>();
  const perUnit = new Map<string, { entries: number; simulated: number }>();
  for (const fact of facts) {
    const units = new Set<string>();
    for (const c of fact.criteria) {
      const key = `${c.unitRef}:${c.number}`;
      units.add(c.unitRef);
      if (fact.status === 'approved') state.set(key, 'approved');
      else if (IN_PROGRESS.has(fact.status) && state.get(key) !== 'approved') state.set(key, 'pending');
    }
    if (fact.status === 'rejected') continue;
    for (const u of units) {
      const s = perUnit.get(u) ?? { entries: 0, simulated: 0 };
      s.entries++;
      if (fact.simulated) s.simulated++;
      perUnit.set(u, s);
    }
  }

  const units: UnitProgress[] = enrolledUnits(q, optionalUnitRefs).map((unit) => {
    const criteria = unit.outcomes.flatMap((o) =>
      o.criteria.map((c) => ({ number: c.number, text: c.text, state: state.get(`${unit.ref}:${c.number}`) ?? 'none' as CriterionState })),
    );
    const approved = criteria.filter((c) => c.state === 'approved').length;
    const pending = criteria.filter((c) => c.state === 'pending').length;
    const counts = perUnit.get(unit.ref) ?? { entries: 0, simulated: 0 };
    return {
      unit, criteria, approved, pending, total: criteria.length, complete: approved === criteria.length,
      entries: counts.entries, simulatedEntries: counts.simulated,
      simulationWarning: counts.entries > 0 && counts.simulated / counts.entries > SIMULATION_WARNING_SHARE,
    };
  });

  let mandatoryComplete = true;
  let optionalCreditsAchieved = 0;
  let optionalCreditsRequired = 0;
  for (const group of q.rules.groups) {
    const inGroup = units.filter((u) => u.unit.group === group.id);
    if (group.rule === 'all') {
      const groupUnits = q.units.filter((u) => u.group === group.id);
      mandatoryComplete &&= groupUnits.every((gu) => inGroup.find((u) => u.unit.ref === gu.ref)?.complete);
    } else {
      optionalCreditsRequired += group.minimumCredits;
      optionalCreditsAchieved += inGroup.filter((u) => u.complete).reduce((n, u) => n + u.unit.credits, 0);
    }
  }
  const creditsAchieved = units.filter((u) => u.complete).reduce((n, u) => n + u.unit.credits, 0);
  const optionalMet = q.rules.groups.every((g) => {
    if (g.rule === 'all') return true;
    const got = units.filter((u) => u.unit.group === g.id && u.complete).reduce((n, u) => n + u.unit.credits, 0);
    return got >= g.minimumCredits;
  });
  const closestUnit = units
    .filter((u) => !u.complete)
    .sort((a, b) => b.approved / b.total - a.approved / a.total || a.unit.number - b.unit.number)[0];

  return {
    qualification: q, units, creditsAchieved, creditsRequired: q.rules.minimumCredits,
    mandatoryComplete, optionalCreditsAchieved, optionalCreditsRequired,
    rulesMet: mandatoryComplete && optionalMet && creditsAchieved >= q.rules.minimumCredits,
    closestUnit,
  };
}
