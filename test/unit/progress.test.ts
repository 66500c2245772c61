import { describe, expect, it } from 'vitest';
import { allCriteria, getQualification } from '../../src/catalogue/catalogue.ts';
import { computeProgress, enrolledUnits, type EvidenceFact } from '../../src/domain/progress.ts';

const q = getQualification();
const mandatory = q.units.filter((u) => u.group === 'mandatory');
const approveUnits = (refs: string[], status: EvidenceFact['status'] = 'approved'): EvidenceFact[] =>
  allCriteria(q, refs).map((c) => ({ status, simulated: false, criteria: [{ unitRef: c.unitRef, number: c.number }] }));

describe('progress and the rules of combination', () => {
  it('a learner is assessed on every mandatory unit plus the optional units they chose', () => {
    const units = enrolledUnits(q, ['L/506/1807', 'K/506/2155']);
    expect(units).toHaveLength(11);
    expect(units.filter((u) => u.group === 'mandatory').reduce((n, u) => n + u.credits, 0)).toBe(22);
  });

  it('starts at nothing: 0 of 28 credits, no rule met', () => {
    const p = computeProgress(q, ['L/506/1807', 'K/506/2155'], []);
    expect(p.creditsAchieved).toBe(0);
    expect(p.creditsRequired).toBe(28);
    expect(p.rulesMet).toBe(false);
    expect(p.units.every((u) => u.approved === 0 && u.pending === 0)).toBe(true);
  });

  it('counts pending evidence apart from approved, and ignores rejected evidence', () => {
    const facts: EvidenceFact[] = [
      { status: 'pending', simulated: false, criteria: [{ unitRef: 'K/507/0949', number: '1.1' }] },
      { status: 'approved', simulated: false, criteria: [{ unitRef: 'K/507/0949', number: '1.2' }] },
      { status: 'rejected', simulated: false, criteria: [{ unitRef: 'K/507/0949', number: '1.3' }] },
      { status: 'changes_requested', simulated: false, criteria: [{ unitRef: 'K/507/0949', number: '1.4' }] },
    ];
    const u7 = computeProgress(q, [], facts).units.find((u) => u.unit.number === 7)!;
    expect(u7.approved).toBe(1);
    expect(u7.pending).toBe(2);
    expect(u7.criteria.find((c) => c.number === '1.3')!.state).toBe('none');
  });

  it('mandatory units alone (22 credits) do not meet the rules; 6 optional credits more do', () => {
    const mandatoryOnly = computeProgress(q, ['L/506/1807', 'K/506/2155', 'A/506/2130'], approveUnits(mandatory.map((u) => u.ref)));
    expect(mandatoryOnly.creditsAchieved).toBe(22);
    expect(mandatoryOnly.mandatoryComplete).toBe(true);
    expect(mandatoryOnly.rulesMet).toBe(false);

    const withFive = computeProgress(q, ['A/506/2130'], approveUnits([...mandatory.map((u) => u.ref), 'A/506/2130']));
    expect(withFive.optionalCreditsAchieved).toBe(5);
    expect(withFive.rulesMet).toBe(false); // 27 credits, 5 optional: one short

    const done = computeProgress(q, ['L/506/1807', 'K/506/2155'], approveUnits([...mandatory.map((u) => u.ref), 'L/506/1807', 'K/506/2155']));
    expect(done.creditsAchieved).toBe(27);
    expect(done.rulesMet).toBe(false); // 5 optional credits < 6
    const full = computeProgress(q, ['L/506/1807', 'K/506/2155', 'H/502/8599'], approveUnits([...mandatory.map((u) => u.ref), 'L/506/1807', 'K/506/2155', 'H/502/8599']));
    expect(full.creditsAchieved).toBe(29);
    expect(full.optionalCreditsAchieved).toBe(7);
    expect(full.rulesMet).toBe(true);
  });

  it('points at the unit closest to complete', () => {
    const facts = approveUnits(['K/507/0949']).slice(0, 8);
    expect(computeProgress(q, [], facts).closestUnit!.unit.ref).toBe('K/507/0949');
  });

  it('warns when simulation is more than a small share of a unit\'s evidence', () => {
    const facts: EvidenceFact[] = [
      { status: 'approved', simulated: true, criteria: [{ unitRef: 'K/507/0949', number: '1.1' }] },
      { status: 'approved', simulated: false, criteria: [{ unitRef: 'K/507/0949', number: '1.2' }] },
    ];
    const u7 = computeProgress(q, [], facts).units.find((u) => u.unit.number === 7)!;
    expect(u7.simulatedEntries).toBe(1);
    expect(u7.simulationWarning).toBe(true);
    const fine = computeProgress(q, [], [...facts, ...approveUnits(['K/507/0949'])]).units.find((u) => u.unit.number === 7)!;
    expect(fine.simulationWarning).toBe(false);
  });
});
