import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordEvidence } from '../../src/services/evidence/record-evidence.ts';
import { exportPortfolio } from '../../src/services/evidence/export-portfolio.ts';
import { BACKENDS } from '../helpers/db.ts';
import { createTestContext, loadRoster, PEOPLE, ROSTER_CSV, type TestContext } from '../helpers/context.ts';

describe.each(BACKENDS)('roster import and portfolio export (%s)', (backend) => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext(backend);
  });
  afterAll(() => t.db.destroy());

  it('imports good rows, refuses bad ones with the reason, and follows links further down the file', async () => {
    const r = await loadRoster(t.ctx);
    expect(r.created).toBe(9);
    expect(r.refused).toEqual([
      { line: 11, userId: 'U0BAD1', reason: expect.stringContaining('unknown role "wizard"') },
      { line: 12, userId: 'U0BAD2', reason: 'a learner cannot be their own assessor' },
      { line: 13, userId: 'U0BAD3', reason: "the IQA must not also be the learner's assessor" },
      { line: 14, userId: 'U0BAD4', reason: 'unknown unit reference "U99" in optional_units' },
      { line: 15, userId: 'U0BAD5', reason: 'assessor_id U0NOBODY: no such person in the file or on the roster' },
    ]);
    // Lee's assessor, manager and IQA are on lines below Lee's.
    const lee = await t.db.prisma.person.findFirstOrThrow({ where: { externalId: 'U0LEARN1' }, include: { enrolments: { include: { assessor: true, manager: true, iqa: true } } } });
    const e = lee.enrolments[0]!;
    expect([e.assessor?.name, e.manager?.name, e.iqa?.name]).toEqual(['Ava Assessor', 'Morgan Manager', 'Iris Quality']);
    expect(e.optionalUnits).toHaveLength(10);
    const umar = await t.db.prisma.person.findFirstOrThrow({ where: { externalId: 'U0ASSESS2' } });
    expect(umar.qualified).toBe(false);
    // A Teams learner can be linked to an IQA in Slack: people, not channels.
    const tess = await t.db.prisma.enrolment.findFirstOrThrow({ where: { learner: { name: 'Tess Teams' } }, include: { iqa: true } });
    expect(tess.iqa?.platform).toBe('slack');
  });

  it('changes nothing when the same file is imported again', async () => {
    const before = await t.db.prisma.person.findMany({ orderBy: { id: 'asc' } });
    const r = await loadRoster(t.ctx);
    expect(r).toMatchObject({ created: 0, updated: 0, unchanged: 9 });
    expect(await t.db.prisma.person.findMany({ orderBy: { id: 'asc' } })).toEqual(before);
  });

  it('updates a changed row and refuses a header without the required columns', async () => {
    const changed = ROSTER_CSV.replace('Ava Assessor', 'Ava Assessor-Jones');
    expect(await loadRoster(t.ctx, changed)).toMatchObject({ created: 0, updated: 1 });
    const relinked = changed.replace('slack,U0LEARN2,Priya Patel,learner,U0ASSESS2', 'slack,U0LEARN2,Priya Patel,learner,U0ASSESS1');
    expect(await loadRoster(t.ctx, relinked)).toMatchObject({ created: 0, updated: 1 });
    await expect(loadRoster(t.ctx, 'platform,name\nslack,Someone\n')).rejects.toThrow(/no user_id, role columns/);
    await loadRoster(t.ctx);
  });

  it('exports every one of the 276 criteria for a learner enrolled on every unit, with their evidence', async () => {
    await recordEvidence(t.ctx, { actor: PEOPLE.learner, idempotencyKey: 'export:1', source: 'cli', text: 'Kept "Sam", a candidate, informed, =cmd #U7:1.1' });
    const csv = await exportPortfolio(t.ctx, { learner: 'U0LEARN1', format: 'csv' });
    expect(csv.criteria).toBe(276);
    const lines = csv.content.trim().split('\r\n');
    expect(lines).toHaveLength(277);
    const u7 = lines.find((l) => l.startsWith('K/507/0949,U7,') && l.includes(',1,1.1,'))!;
    expect(u7).toContain('[Waiting for assessment] Kept ""Sam"", a candidate, informed, =cmd"');
    expect(u7).toContain(',1,pending,');

    const html = await exportPortfolio(t.ctx, { learner: 'lee@example.com', format: 'html' });
    expect(html.content).toContain('<h2>U7 K/507/0949 Building and Maintaining Relationships with Candidates</h2>');
    expect(html.content).toContain('Kept &quot;Sam&quot;, a candidate, informed');
    expect((html.content.match(/<tr><td class="n">/g) ?? []).length).toBe(276);
  });

  it('exports only the mandatory and chosen optional units of a learner', async () => {
    const csv = await exportPortfolio(t.ctx, { learner: 'Priya Patel', format: 'csv' });
    // 105 mandatory criteria + U10 (10) + U14 (21) + U15 (10)
    expect(csv.criteria).toBe(146);
    await expect(exportPortfolio(t.ctx, { learner: 'nobody', format: 'csv' })).rejects.toThrow(/No learner "nobody"/);
  });
});
