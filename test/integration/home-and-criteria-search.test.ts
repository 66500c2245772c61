// The services behind the Slack form and App Home: criteria search over the learner's own units,
// the form's preselection, an assessor's queue, and the home each role sees.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getHome } from '../../src/services/evidence/get-home.ts';
import { listAwaitingAssessment } from '../../src/services/verification/list-awaiting-assessment.ts';
import { prepareLogForm } from '../../src/services/evidence/prepare-log-form.ts';
import { recordEvidence } from '../../src/services/evidence/record-evidence.ts';
import { searchCriteria } from '../../src/services/evidence/search-criteria.ts';
import { BACKENDS } from '../helpers/db.ts';
import { createTestContext, loadRoster, PEOPLE, type TestContext } from '../helpers/context.ts';
import { messageText } from '../helpers/fake-chat.ts';

describe.each(BACKENDS)('form and home services (%s)', (backend) => {
  let t: TestContext;
  const values = async (query: string, actor = PEOPLE.learner) => (await searchCriteria(t.ctx, { actor, query })).map((o) => o.value);

  beforeAll(async () => {
    t = await createTestContext(backend);
    await loadRoster(t.ctx);
    await recordEvidence(t.ctx, { actor: PEOPLE.learner, idempotencyKey: 'home-1', source: 'slack', text: 'Called Sam to check in <!channel> #U7:2.1' });
    await recordEvidence(t.ctx, { actor: PEOPLE.learner2, idempotencyKey: 'home-2', source: 'slack', text: 'Booked interviews #U1:1.1' });
  });
  afterAll(() => t.db.destroy());

  it('finds criteria by unit, by tag, by number and by words, only in the learner\'s units', async () => {
    const u7 = await values('U7');
    expect(u7.length).toBeGreaterThan(5);
    expect(u7.every((v) => v.startsWith('K/507/0949:'))).toBe(true);
    expect(await values('#u7:2.1')).toEqual(['K/507/0949:2.1']);
    expect(await values('k/507/0949:2')).toEqual(expect.arrayContaining(['K/507/0949:2.1']));
    expect(await values('U1')).not.toContain('K/507/0949:2.1'); // U1 is not U10…U19
    expect((await values('U1')).every((v) => v.startsWith('J/507/0943:'))).toBe(true);
    expect(await values('candidates feedback')).toContain('K/507/0949:2.1');
    expect((await values('2.1')).length).toBeGreaterThan(3);
    // Priya did not choose optional unit U16 (L/506/1788): nothing from it.
    expect(await values('U16', PEOPLE.learner2)).toEqual([]);
    expect((await searchCriteria(t.ctx, { actor: PEOPLE.learner, query: '' })).length).toBe(100);
  });

  it('refuses the search to someone not on the roster, saying who to ask', async () => {
    await expect(searchCriteria(t.ctx, { actor: PEOPLE.stranger, query: 'U7' })).rejects.toMatchObject({ code: 'not_on_roster' });
  });

  it("resolves the form's preselected criteria, dropping any that are not the learner's", async () => {
    const r = await prepareLogForm(t.ctx, { actor: PEOPLE.learner2, criteria: ['K/507/0949:2.1', 'L/506/1788:1.1', 'nonsense'] });
    expect(r.criteria).toEqual([{ value: 'K/507/0949:2.1', label: expect.stringMatching(/^U7 2\.1 /) }]);
    await expect(prepareLogForm(t.ctx, { actor: PEOPLE.assessor })).rejects.toMatchObject({ code: 'forbidden' });
  });

  it("lists the entries waiting for an assessor: their own learners' only", async () => {
    const ava = await listAwaitingAssessment(t.ctx, { actor: PEOPLE.assessor });
    expect(ava.entries.map((e) => e.learnerName)).toEqual(['Lee Learner']);
    const umar = await listAwaitingAssessment(t.ctx, { actor: PEOPLE.unqualifiedAssessor });
    expect(umar.entries.map((e) => e.learnerName)).toEqual(['Priya Patel']);
    await expect(listAwaitingAssessment(t.ctx, { actor: PEOPLE.learner })).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('shows qualified assessors the decisions waiting for a countersignature in their workspace', async () => {
    const entry = await t.db.prisma.entry.findFirstOrThrow({ where: { idempotencyKey: 'home-2' } });
    await t.db.prisma.entry.update({ where: { id: entry.id }, data: { status: 'awaiting_countersignature' } });
    const ava = await listAwaitingAssessment(t.ctx, { actor: PEOPLE.assessor });
    expect(ava.entries.map((e) => [e.learnerName, e.status])).toEqual([['Lee Learner', 'pending'], ['Priya Patel', 'awaiting_countersignature']]);
    const umar = await listAwaitingAssessment(t.ctx, { actor: PEOPLE.unqualifiedAssessor });
    expect(umar.entries).toEqual([]);
    await t.db.prisma.entry.update({ where: { id: entry.id }, data: { status: 'pending' } });
  });

  it('gives each person the home for their roles', async () => {
    const learner = await getHome(t.ctx, { actor: PEOPLE.learner });
    expect(messageText(learner)).toContain('Your evidence, Lee Learner');
    expect(messageText(learner)).toContain('Called Sam to check in <!channel>'); // escaped by the adapter, not here
    expect(learner.blocks).toContainEqual({ type: 'actions', actions: [expect.objectContaining({ id: 'evidence.open_form', label: 'Log evidence' })] });

    const assessor = messageText(await getHome(t.ctx, { actor: PEOPLE.assessor }));
    expect(assessor).toContain('Waiting for you (1)');
    expect(assessor).toContain('Lee Learner');

    expect(messageText(await getHome(t.ctx, { actor: PEOPLE.manager }))).toContain('on the evidence bot\'s roster as manager');
    const stranger = messageText(await getHome(t.ctx, { actor: PEOPLE.stranger }));
    expect(stranger).toContain("You're not on the evidence bot's roster yet");
    expect(stranger).toContain('Alex Admin');
  });
});
