// Checks the reviewed qualification data against figures read off the specification by hand, and the
// catalogue's look-ups (units, criteria, suggestions for mistyped tags) and validation.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect } from 'vitest';
import {
  DEFAULT_QUALIFICATION_ID,
  allCriteria,
  criterionKey,
  findCriterion,
  findUnit,
  getQualification,
  listQualifications,
  loadQualifications,
  nearestCriteria,
  parseCriterionKey,
  unitLabel,
  validateQualification,
} from '../../src/catalogue/catalogue.ts';

const DATA_FILE = new URL('../../src/catalogue/data/highfield-l2-nvq-recruitment-resourcing.json', import.meta.url);
const rawData = (): Record<string, any> => JSON.parse(readFileSync(DATA_FILE, 'utf8'));

// Read off the specification (Appendix 1 table and Appendix 2 unit headers and grids), not computed
// from the JSON. `criteria` lists the number of assessment criteria under each learning outcome in turn.
const SPEC: { n: number; ref: string; group: 'mandatory' | 'A'; credits: number; glh: number; criteria: number[] }[] = [
  { n: 1, ref: 'J/507/0943', group: 'mandatory', credits: 2, glh: 5, criteria: [6, 2] },
  { n: 2, ref: 'L/507/0944', group: 'mandatory', credits: 2, glh: 12, criteria: [3, 3, 2] },
  { n: 3, ref: 'R/507/0945', group: 'mandatory', credits: 2, glh: 8, criteria: [5, 3] },
  { n: 4, ref: 'Y/507/0946', group: 'mandatory', credits: 3, glh: 17, criteria: [4, 3, 5, 4] },
  { n: 5, ref: 'D/507/0947', group: 'mandatory', credits: 3, glh: 11, criteria: [7, 5, 4] },
  { n: 6, ref: 'H/507/0948', group: 'mandatory', credits: 3, glh: 14, criteria: [3, 3, 5, 6] },
  { n: 7, ref: 'K/507/0949', group: 'mandatory', credits: 2, glh: 5, criteria: [5, 5] },
  { n: 8, ref: 'R/506/1789', group: 'mandatory', credits: 3, glh: 19, criteria: [5, 4, 4] },
  { n: 9, ref: 'D/507/0950', group: 'mandatory', credits: 2, glh: 11, criteria: [5, 4] },
  { n: 10, ref: 'L/506/1807', group: 'A', credits: 2, glh: 12, criteria: [4, 6] },
  { n: 11, ref: 'A/506/2130', group: 'A', credits: 5, glh: 27, criteria: [6, 4, 2, 6, 2] },
  { n: 12, ref: 'A/506/2158', group: 'A', credits: 5, glh: 22, criteria: [6, 8, 2] },
  { n: 13, ref: 'F/506/2159', group: 'A', credits: 3, glh: 16, criteria: [7, 7] },
  { n: 14, ref: 'K/506/2155', group: 'A', credits: 3, glh: 16, criteria: [8, 4, 9] },
  { n: 15, ref: 'Y/506/2135', group: 'A', credits: 3, glh: 15, criteria: [4, 6] },
  { n: 16, ref: 'L/506/1788', group: 'A', credits: 4, glh: 18, criteria: [5, 3, 7, 5] },
  { n: 17, ref: 'H/502/8599', group: 'A', credits: 2, glh: 15, criteria: [4, 6, 4] },
  { n: 18, ref: 'T/502/8588', group: 'A', credits: 3, glh: 20, criteria: [5, 6, 5, 2] },
  { n: 19, ref: 'D/507/1368', group: 'A', credits: 4, glh: 25, criteria: [7, 2, 10, 6, 3] },
];

const q = getQualification();
const keys = (list: { unitRef: string; number: string }[]) => list.map(criterionKey);

describe('qualification data', () => {
  it('is the Highfield L2 NVQ Certificate in Recruitment Resourcing', () => {
    expect(DEFAULT_QUALIFICATION_ID).toBe('601/7920/X');
    expect(q).toMatchObject({
      id: '601/7920/X',
      slug: 'highfield-l2-nvq-recruitment-resourcing',
      title: 'Highfield Level 2 NVQ Certificate in Recruitment Resourcing (RQF)',
      learningAimReference: '6017920X',
      level: 2,
      glh: 132,
      tqt: 280,
      assessmentMethod: 'Portfolio of Evidence',
      rules: { minimumCredits: 28 },
    });
    expect(q.rules.groups).toMatchObject([
      { id: 'mandatory', rule: 'all', credits: 22 },
      { id: 'A', rule: 'minimumCredits', minimumCredits: 6 },
    ]);
  });

  it.each(SPEC)('unit $n ($ref) matches the specification', (spec) => {
    const unit = q.units[spec.n - 1]!;
    expect(unit).toMatchObject({ number: spec.n, ref: spec.ref, group: spec.group, credits: spec.credits, glh: spec.glh, level: 2 });
    expect(unit.outcomes.map((o) => o.number)).toEqual(spec.criteria.map((_, i) => i + 1));
    expect(unit.outcomes.map((o) => o.criteria.length)).toEqual(spec.criteria);
    for (const o of unit.outcomes) {
      expect(o.criteria.map((c) => c.number)).toEqual(o.criteria.map((_, i) => `${o.number}.${i + 1}`));
    }
  });

  it('has 19 units, 9 mandatory worth 22 credits and 10 in Optional Group A, 276 criteria in all', () => {
    expect(q.units.map((u) => u.ref)).toEqual(SPEC.map((s) => s.ref));
    const mandatory = q.units.filter((u) => u.group === 'mandatory');
    expect(mandatory).toHaveLength(9);
    expect(mandatory.reduce((sum, u) => sum + u.credits, 0)).toBe(22);
    expect(q.units.filter((u) => u.group === 'A')).toHaveLength(10);
    expect(allCriteria(q)).toHaveLength(276);
    expect(SPEC.flatMap((s) => s.criteria).reduce((a, b) => a + b, 0)).toBe(276);
  });

  it('keeps the full wording, joined across line and page breaks', () => {
    const text = (unit: string, number: string) => findCriterion(q, unit, number)?.text;
    // Split across a "Learning Outcomes / Assessment Criteria" page header in the source.
    expect(text('U19', '3.8')).toBe('Provide the customer with opportunities to discuss and assess features and benefits of products and/or services');
    expect(text('U19', '3.10')).toBe('Provide the customer with materials to support the promotion of products and/or services');
    // Hyphens at a line end are real hyphens.
    expect(text('U5', '1.1')).toBe(
      'Take action to ensure that current and up-to-date job descriptions and person specifications are available for the roles being recruited',
    );
    expect(text('U6', '3.4')).toBe('Keep archived candidate information up-to-date and indexed');
    expect(text('U19', '1.2')).toBe(
      'Explain how techniques such as cross-selling, up-selling and the sale of add-ons can be applied when selling in face to face situations',
    );
    expect(q.units[6]!.outcomes[1]!.text).toBe('Be able to maintain on-going and post-placement relationships');
    // Curly quotes as in the source; the spec's own wording kept (1.1 says "candidate research").
    expect(text('U6', '4.4')).toBe('Follow organisational procedures to confirm that candidates have a ‘right to work’ in the UK');
    expect(text('U16', '2.3')).toBe('Explain the benefits of achieving an acceptable “work-life balance”');
    expect(text('U4', '1.1')).toBe('Describe the use of social media networking to conduct a candidate research');
    expect(text('K/507/0949', '2.1')).toBe('Identify new ways of helping candidates based on their feedback');
    expect(q.units[16]!.outcomes[0]!.text).toBe(
      'Understand the practices, legislation, regulation and codes of practice that relate to generating and qualifying sales leads',
    );
  });

  it('has no layout debris in any text', () => {
    for (const u of q.units) {
      for (const t of [u.title, ...u.outcomes.flatMap((o) => [o.text, ...o.criteria.map((c) => c.text)])]) {
        expect(t).toBe(t.trim());
        expect(t).not.toMatch(/\s{2}|\n|Learning Outcomes|learner will|learner can|Highfield|\b\d+\.\d*\.?\s/);
      }
    }
  });

  it('is deep-frozen', () => {
    expect(Object.isFrozen(q)).toBe(true);
    expect(Object.isFrozen(q.units[0]!.outcomes[0]!.criteria[0])).toBe(true);
  });
});

describe('catalogue look-ups', () => {
  it('lists and gets qualifications', () => {
    expect(listQualifications().map((x) => x.id)).toContain('601/7920/X');
    expect(getQualification('601/7920/x')).toBe(q);
    expect(getQualification('highfield-l2-nvq-recruitment-resourcing')).toBe(q);
    expect(() => getQualification('999/9999/9')).toThrow(/unknown qualification/);
  });

  it('turns criterion refs into keys and back', () => {
    expect(criterionKey({ unitRef: 'K/507/0949', number: '1.1' })).toBe('K/507/0949:1.1');
    expect(parseCriterionKey('K/507/0949:3.10')).toEqual({ unitRef: 'K/507/0949', number: '3.10' });
    expect(parseCriterionKey('k/507/0949:1.1')).toEqual({ unitRef: 'K/507/0949', number: '1.1' });
    expect(() => parseCriterionKey('K/507/0949')).toThrow(/malformed/);
    expect(() => parseCriterionKey('K/507/0949:1')).toThrow(/malformed/);
  });

  it('finds a unit by Ofqual ref in any case, U-number or bare number', () => {
    for (const token of ['K/507/0949', 'k/507/0949', 'U7', 'u7', '7', ' U7 ']) {
      expect(findUnit(q, token)?.ref, token).toBe('K/507/0949');
    }
    expect(findUnit(q, 'U19')?.ref).toBe('D/507/1368');
    for (const token of ['U20', '0', 'X/000/0000', 'K/507/0984', '', 'U']) {
      expect(findUnit(q, token), token).toBeUndefined();
    }
  });

  it('labels a unit', () => {
    expect(unitLabel(findUnit(q, 'U7')!)).toBe('U7 K/507/0949 Building and Maintaining Relationships with Candidates');
  });

  it('finds a criterion with its place in the qualification', () => {
    expect(findCriterion(q, 'u7', '2.1')).toEqual({
      number: '2.1',
      text: 'Identify new ways of helping candidates based on their feedback',
      unitRef: 'K/507/0949',
      unitNumber: 7,
      unitTitle: 'Building and Maintaining Relationships with Candidates',
      outcomeNumber: 2,
    });
    expect(findCriterion(q, 'K/507/0949', '1.4')?.outcomeNumber).toBe(1);
    expect(findCriterion(q, 'U7', '1.4.')?.number).toBe('1.4'); // as printed in the spec
    expect(findCriterion(q, 'U19', '3.1')?.text).toMatch(/^Follow organisational standards/);
    expect(findCriterion(q, 'U19', '3.10')?.text).toMatch(/^Provide the customer with materials/);
    expect(findCriterion(q, 'U7', '1.9')).toBeUndefined();
    expect(findCriterion(q, 'U20', '1.1')).toBeUndefined();
    expect(findCriterion(q, 'U7', 'x')).toBeUndefined();
  });

  it('lists criteria in specification order, optionally for some units only', () => {
    const all = allCriteria(q);
    expect(criterionKey(all[0]!)).toBe('J/507/0943:1.1');
    expect(criterionKey(all[all.length - 1]!)).toBe('D/507/1368:5.3');
    expect(new Set(keys(all)).size).toBe(276);
    const some = allCriteria(q, ['d/507/1368', 'K/507/0949']);
    expect(some).toHaveLength(10 + 28);
    expect(some[0]!.unitRef).toBe('K/507/0949');
    expect(keys(some).slice(-4)).toEqual(['D/507/1368:4.6', 'D/507/1368:5.1', 'D/507/1368:5.2', 'D/507/1368:5.3']);
  });
});

describe('nearestCriteria', () => {
  const numbers = (list: { number: string }[]) => list.map((c) => c.number);

  it('offers the same outcome first, nearest number first, for a known unit', () => {
    expect(numbers(nearestCriteria(q, 'U7', '1.9'))).toEqual(['1.5', '1.4', '1.3', '1.2', '1.1']);
    expect(numbers(nearestCriteria(q, 'U7', '1.9', { limit: 7 }))).toEqual(['1.5', '1.4', '1.3', '1.2', '1.1', '2.5', '2.4']);
    expect(numbers(nearestCriteria(q, 'U7', '3.1', { limit: 3 }))).toEqual(['2.1', '2.2', '2.3']);
    expect(numbers(nearestCriteria(q, 'U19', '3.11', { limit: 2 }))).toEqual(['3.10', '3.9']);
    expect(numbers(nearestCriteria(q, 'U7', '2', { limit: 2 }))).toEqual(['2.1', '2.2']);
    expect(numbers(nearestCriteria(q, 'U7', 'abc', { limit: 2 }))).toEqual(['1.1', '1.2']);
  });

  it('offers the matching criterion of the closest units when the unit is unknown', () => {
    // Swapped digits count as one edit: K/507/0949 is nearer than L/507/0944 (two substitutions).
    expect(keys(nearestCriteria(q, 'K/507/0994', '1.1', { limit: 2 }))).toEqual(['K/507/0949:1.1', 'L/507/0944:1.1']);
    expect(keys(nearestCriteria(q, 'u7x', '1.1'))[0]).toBe('K/507/0949:1.1');
    expect(keys(nearestCriteria(q, 'K5070949', '2.1'))[0]).toBe('K/507/0949:2.1');
    // Past the last unit: nearest unit numbers first; only units that have the criterion.
    expect(keys(nearestCriteria(q, 'U20', '3.10', { limit: 3 }))).toEqual(['D/507/1368:3.10']);
    expect(keys(nearestCriteria(q, 'U20', '1.1', { limit: 3 }))).toEqual(['D/507/1368:1.1', 'T/502/8588:1.1', 'H/502/8599:1.1']);
    // No close unit has the number: the closest unit's nearest criteria.
    expect(keys(nearestCriteria(q, 'U99', '9.9', { limit: 2 }))).toEqual(['D/507/1368:5.3', 'D/507/1368:5.2']);
  });

  it('keeps to the learner’s units when given', () => {
    const enrolled = ['L/506/1807', 'K/506/2155'];
    // U12 exists but is not enrolled: U10 and U14 are both two away, spec order breaks the tie.
    expect(keys(nearestCriteria(q, 'U12', '2.1', { unitRefs: enrolled }))).toEqual(['L/506/1807:2.1', 'K/506/2155:2.1']);
    expect(nearestCriteria(q, 'U7', '1.9', { unitRefs: enrolled }).every((c) => enrolled.includes(c.unitRef))).toBe(true);
    expect(numbers(nearestCriteria(q, 'U14', '3.12', { unitRefs: enrolled, limit: 2 }))).toEqual(['3.9', '3.8']);
    expect(nearestCriteria(q, 'U7', '1.1', { unitRefs: [] })).toEqual([]);
  });

  it('is deterministic and honours the limit', () => {
    expect(nearestCriteria(q, 'H/507/0984', '4.7')).toEqual(nearestCriteria(q, 'H/507/0984', '4.7'));
    expect(nearestCriteria(q, 'U19', '3.3', { limit: 1 })).toHaveLength(1);
    expect(nearestCriteria(q, 'U19', '3.3', { limit: 0 })).toEqual([]);
  });
});

describe('validateQualification', () => {
  it('accepts the reviewed data', () => {
    expect(validateQualification(rawData()).units).toHaveLength(19);
  });

  const broken: [string, (d: Record<string, any>) => void, RegExp][] = [
    ['a duplicate unit ref', (d) => (d.units[1].ref = d.units[0].ref), /duplicate unit ref J\/507\/0943/],
    ['a duplicate unit number', (d) => (d.units[1].number = 1), /duplicate unit number 1/],
    ['a criterion under the wrong outcome', (d) => (d.units[0].outcomes[0].criteria[0].number = '2.9'), /not under outcome 1/],
    ['an unknown group', (d) => (d.units[0].group = 'B'), /unknown group "B"/],
    ['mandatory credits that do not add up', (d) => (d.units[0].credits = 3), /add up to 23 credits, the group says 22/],
    ['a misspelt field', (d) => (d.units[0].credit = 2), /credit/],
    ['a malformed unit ref', (d) => (d.units[0].ref = 'J5070943'), /unit ref must look like/],
    ['an empty criterion text', (d) => (d.units[0].outcomes[0].criteria[0].text = ' '), /criteria/],
  ];
  it.each(broken)('rejects %s', (_name, breakIt, message) => {
    const data = rawData();
    breakIt(data);
    expect(() => validateQualification(data)).toThrow(message);
  });
});

describe('loadQualifications', () => {
  it('loads every JSON file in a directory, and refuses two with one id', () => {
    const dir = mkdtempSync(join(tmpdir(), 'catalogue-'));
    try {
      const first = rawData();
      const second = { ...rawData(), id: '000/0000/0', slug: 'another-qualification' };
      writeFileSync(join(dir, 'a.json'), JSON.stringify(first));
      writeFileSync(join(dir, 'b.json'), JSON.stringify(second));
      writeFileSync(join(dir, 'notes.txt'), 'ignored');
      expect(loadQualifications(dir).map((x) => x.id)).toEqual(['601/7920/X', '000/0000/0']);
      writeFileSync(join(dir, 'c.json'), JSON.stringify({ ...second, slug: 'yet-another' }));
      expect(() => loadQualifications(dir)).toThrow(/c\.json: id or slug already used/);
      writeFileSync(join(dir, 'c.json'), '{');
      expect(() => loadQualifications(dir)).toThrow(/c\.json/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
