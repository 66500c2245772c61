// Processed-request keys on the real database: a request ID only means "the same request" for the
// same person, in the same workspace and (Teams, whose activity IDs are unique within one
// conversation only) the same conversation. Whoever sends a request is authorised on what it names
// before any stored result is consulted, and a stored result only ever answers for its own subject.
import { TestAdapter, type Activity } from 'botbuilder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeamsBot, turnErrorHandler } from '../../adapters/teams/bot.ts';
import type { ActorRef } from '../../src/services/kernel/context.ts';
import { createServices, type Services } from '../../src/services/index.ts';
import { countersignDecision } from '../../src/services/verification/countersign-decision.ts';
import { decideEntry } from '../../src/services/verification/decide-entry.ts';
import { editEntry } from '../../src/services/evidence/edit-entry.ts';
import { requestWitness } from '../../src/services/verification/request-witness.ts';
import { reviewIqaSample } from '../../src/services/verification/review-iqa-sample.ts';
import { submitWitnessStatement } from '../../src/services/verification/submit-witness-statement.ts';
import { submitVerificationForm } from '../../src/services/verification/verification-forms.ts';
import { BACKENDS } from '../helpers/db.ts';
import { createTestContext, loadRoster, PEOPLE, quietLogger, type TestContext } from '../helpers/context.ts';
import { messageText } from '../helpers/fake-chat.ts';
import { loadVerificationRoster, logEntry, refusedWith, requestId, WHO } from './verification-helpers.ts';

/** A second Teams assessor with a learner of their own, in the same tenant as Ben and Tess. */
const TEAMS_CSV = `platform,user_id,name,role,assessor_id,manager_id,iqa_id,optional_units,timezone,email,qualified,workspace
teams,00000000-0000-0000-0000-0000000000b2,Tom Teams,assessor,,,,,Europe/London,tom@example.com,yes,tenant-1
teams,00000000-0000-0000-0000-0000000000a2,Tia Teams,learner,00000000-0000-0000-0000-0000000000b2,,U0IQA1,U14;U15,Europe/London,tia@example.com,,tenant-1
`;
const TEAMS = {
  ben: { aadObjectId: PEOPLE.teamsAssessor.userId, id: '29:ben' },
  tom: { aadObjectId: '00000000-0000-0000-0000-0000000000b2', id: '29:tom' },
  tia: { platform: 'teams', workspaceId: 'tenant-1', userId: '00000000-0000-0000-0000-0000000000a2' } satisfies ActorRef,
};

describe.each(BACKENDS)('processed requests are scoped to who asks, and where (%s)', (backend) => {
  let t: TestContext;
  let services: Services;
  beforeAll(async () => {
    t = await createTestContext(backend);
    await loadVerificationRoster(t);
    expect((await loadRoster(t.ctx, TEAMS_CSV)).refused).toEqual([]);
    services = createServices(t.ctx);
  });
  afterAll(() => t.db.destroy());

  /** One Teams activity from `user` in `conversationId`, with the activity ID given; returns the bot's reply. */
  async function teamsSubmit(user: { aadObjectId: string; id: string }, conversationId: string, activityId: string, value: Record<string, unknown>) {
    const adapter = new TestAdapter(createTeamsBot({ services, log: quietLogger() }), {
      channelId: 'msteams',
      from: { id: user.id, name: 'someone', aadObjectId: user.aadObjectId },
      conversation: { id: conversationId, conversationType: 'personal', tenantId: 'tenant-1', isGroup: false, name: '' },
      channelData: { tenant: { id: 'tenant-1' } },
    });
    adapter.onTurnError = turnErrorHandler(quietLogger());
    let reply: Partial<Activity> | undefined;
    await adapter.send({ type: 'message', id: activityId, value } as Partial<Activity>).assertReply((r) => {
      reply = r;
    });
    return reply!;
  }

  it('Teams: two assessors approving two entries with the same activity ID in different conversations are both recorded', async () => {
    const tess = await logEntry(t, 'Screened three candidates by phone #U14:1.1', PEOPLE.teamsLearner);
    const tia = await logEntry(t, 'Briefed a client on the shortlist #U14:1.1', TEAMS.tia);

    const ben = await teamsSubmit(TEAMS.ben, 'a:1-ben', 'f:1234', { action: 'entry.approve', value: `${tess.id}:1` });
    const tom = await teamsSubmit(TEAMS.tom, 'a:1-tom', 'f:1234', { action: 'entry.approve', value: `${tia.id}:1` });
    expect(ben.text).toContain('Tess Teams has been told');
    expect(tom.text).toContain('Tia Teams has been told');
    expect(tom.text).not.toContain('already');

    const rows = await t.db.prisma.entry.findMany({ where: { id: { in: [tess.id, tia.id] } }, select: { id: true, status: true } });
    expect(rows.map((r) => r.status)).toEqual(['approved', 'approved']);
    expect(await t.db.prisma.decision.count({ where: { entryId: { in: [tess.id, tia.id] } } })).toBe(2);

    // Ben's genuine retry (the same activity in the same conversation) is answered from what he did, once.
    const retry = await teamsSubmit(TEAMS.ben, 'a:1-ben', 'f:1234', { action: 'entry.approve', value: `${tess.id}:1` });
    expect(retry.text).toContain('You had already done this');
    expect(retry.text).toContain('Tess Teams');
    expect(await t.db.prisma.decision.count({ where: { entryId: tess.id } })).toBe(1);
  });

  it('Teams: the same activity ID from the same assessor in another conversation is another request', async () => {
    const a = await logEntry(t, 'Took a vacancy brief #U14:1.1', PEOPLE.teamsLearner);
    const b = await logEntry(t, 'Wrote a job advert #U14:1.1', PEOPLE.teamsLearner);
    await teamsSubmit(TEAMS.ben, 'a:1-ben', 'f:5678', { action: 'entry.approve', value: `${a.id}:1` });
    const other = await teamsSubmit(TEAMS.ben, '19:assessors@thread.tacv2', 'f:5678', { action: 'entry.reject', value: `${b.id}:1`, feedback: 'Not recruitment work.' });
    expect(other.text).toContain('Rejected: recorded');
    const rows = await t.db.prisma.entry.findMany({ where: { id: { in: [a.id, b.id] } }, select: { id: true, status: true } });
    expect(Object.fromEntries(rows.map((r) => [r.id, r.status]))).toEqual({ [a.id]: 'approved', [b.id]: 'rejected' });
  });

  it("decide: a replayed request ID is authorised on its own, never shows the first result, and the decider's retry is answered once", async () => {
    const lees = await logEntry(t, 'Ran a candidate open evening for Acme #U7:1.1');
    const id = requestId();
    const first = await decideEntry(t.ctx, { actor: WHO.assessor, entryId: lees.id, version: 1, outcome: 'approve', requestId: id });
    expect(first.duplicate).toBe(false);

    // The learner, their manager and another workspace's assessor replaying Ava's request ID are refused as themselves.
    const own = await refusedWith(t, 'forbidden', () => decideEntry(t.ctx, { actor: WHO.learner, entryId: lees.id, version: 1, outcome: 'approve', requestId: id }));
    expect(own).toContain("can't assess your own evidence");
    await refusedWith(t, 'forbidden', () => decideEntry(t.ctx, { actor: WHO.manager, entryId: lees.id, version: 1, outcome: 'approve', requestId: id }));
    const outside = await refusedWith(t, 'forbidden', () => decideEntry(t.ctx, { actor: WHO.otherAssessor, entryId: lees.id, version: 1, outcome: 'approve', requestId: id }));
    expect(outside).not.toContain('Acme');

    // Olga replays the same request ID naming her own learner's entry: decided on its own merits.
    const ottos = await logEntry(t, 'Sourced two candidates #U7:1.1', WHO.otherLearner);
    const olga = await decideEntry(t.ctx, { actor: WHO.otherAssessor, entryId: ottos.id, version: 1, outcome: 'approve', requestId: id });
    expect(olga.duplicate).toBe(false);
    expect(olga.entry.id).toBe(ottos.id);
    expect(olga.decision.id).not.toBe(first.decision.id);
    expect(messageText(olga.reply)).toContain('Otto Outside');
    expect(JSON.stringify(olga)).not.toContain('Acme');
    expect((await t.db.prisma.entry.findUniqueOrThrow({ where: { id: ottos.id } })).status).toBe('approved');

    // Ava reusing her own request ID for another entry is refused, without showing the first one.
    const other = await logEntry(t, 'Called a client back #U7:1.1');
    const reused = await refusedWith(t, 'conflict', () =>
      decideEntry(t.ctx, { actor: WHO.assessor, entryId: other.id, version: 1, outcome: 'approve', requestId: id }));
    expect(reused).not.toContain('Acme');

    // Ava's genuine retry: answered from the stored result, about its own entry, nothing new stored.
    const decisions = await t.db.prisma.decision.count();
    const outbox = await t.db.prisma.outboxMessage.count();
    const retry = await decideEntry(t.ctx, { actor: WHO.assessor, entryId: lees.id, version: 1, outcome: 'approve', requestId: id });
    expect(retry.duplicate).toBe(true);
    expect(retry.decision.id).toBe(first.decision.id);
    expect(retry.entry.id).toBe(lees.id);
    expect(await t.db.prisma.decision.count()).toBe(decisions);
    expect(await t.db.prisma.outboxMessage.count()).toBe(outbox);
  });

  it('a reused Slack view ID with another target never shows the first entry (verification form)', async () => {
    const lees = await logEntry(t, 'Negotiated a fee with Globex #U7:1.1');
    const view = `slack:view:${requestId()}`;
    await submitVerificationForm(t.ctx, { actor: WHO.assessor, target: { kind: 'decision', entryId: lees.id, version: 1, outcome: 'changes' }, value: 'Which fee?', requestId: view });
    const ottos = await logEntry(t, 'Screened a candidate #U7:1.1', WHO.otherLearner);
    const r = await submitVerificationForm(t.ctx, { actor: WHO.otherAssessor, target: { kind: 'decision', entryId: ottos.id, version: 1, outcome: 'changes' }, value: 'Which role?', requestId: view });
    expect(messageText(r.reply)).toContain('Changes requested: recorded');
    expect(JSON.stringify(r)).not.toContain('Globex');
    expect((await t.db.prisma.entry.findUniqueOrThrow({ where: { id: ottos.id } })).status).toBe('changes_requested');
  });

  it('edit: a replayed request ID from another learner is refused without showing the entry; the learner\'s retry is answered once', async () => {
    const lees = await logEntry(t, 'Met Initech about two roles #U7:1.1');
    await decideEntry(t.ctx, { actor: WHO.assessor, entryId: lees.id, version: 1, outcome: 'changes', feedback: 'Which roles?', requestId: requestId() });
    const id = requestId();
    const first = await editEntry(t.ctx, { actor: WHO.learner, entryId: lees.id, version: 2, text: 'Met Initech about a recruiter role #U7:1.1', requestId: id });
    expect(first.duplicate).toBe(false);

    const otto = await refusedWith(t, 'forbidden', () => editEntry(t.ctx, { actor: WHO.otherLearner, entryId: lees.id, version: 2, text: 'x #U7:1.1', requestId: id }));
    expect(otto).not.toContain('Initech');
    const priya = await refusedWith(t, 'forbidden', () => editEntry(t.ctx, { actor: WHO.learner2, entryId: lees.id, version: 2, text: 'x #U7:1.1', requestId: id }));
    expect(priya).not.toContain('Initech');

    const retry = await editEntry(t.ctx, { actor: WHO.learner, entryId: lees.id, version: 2, text: 'Met Initech about a recruiter role #U7:1.1', requestId: id });
    expect(retry.duplicate).toBe(true);
    expect(retry.entry.id).toBe(lees.id);
    expect(await t.db.prisma.entryEvent.count({ where: { entryId: lees.id, action: 'edited' } })).toBe(1);
  });

  it('countersign: another assessor replaying a request ID acts on their own decision; an outsider is refused', async () => {
    const decided = async (summary: string) => {
      const e = await logEntry(t, `${summary} #U7:1.1`, WHO.learner2);
      return (await decideEntry(t.ctx, { actor: WHO.unqualifiedAssessor, entryId: e.id, version: 1, outcome: 'approve', requestId: requestId() })).decision;
    };
    const d1 = await decided('Wrote an advert for Umbrella');
    const d2 = await decided('Wrote an advert for Hooli');
    const id = requestId();
    const first = await countersignDecision(t.ctx, { actor: WHO.assessor, decisionId: d1.id, action: 'countersign', requestId: id });
    expect(first.duplicate).toBe(false);

    await refusedWith(t, 'forbidden', () => countersignDecision(t.ctx, { actor: WHO.learner2, decisionId: d1.id, action: 'countersign', requestId: id }));
    await refusedWith(t, 'forbidden', () => countersignDecision(t.ctx, { actor: WHO.otherAssessor, decisionId: d1.id, action: 'countersign', requestId: id }));

    const quinn = await countersignDecision(t.ctx, { actor: WHO.qualified2, decisionId: d2.id, action: 'countersign', requestId: id });
    expect(quinn.duplicate).toBe(false);
    expect(quinn.entry.summary).toContain('Hooli');
    expect((await t.db.prisma.decision.findUniqueOrThrow({ where: { id: d2.id } })).countersignOutcome).toBe('countersigned');

    const retry = await countersignDecision(t.ctx, { actor: WHO.assessor, decisionId: d1.id, action: 'countersign', requestId: id });
    expect(retry.duplicate).toBe(true);
    expect(retry.entry.summary).toContain('Umbrella');
  });

  it('IQA review: a replayed request ID from someone the sample was not sent to is refused', async () => {
    const sampled = async (summary: string) => {
      const e = await logEntry(t, `${summary} #U7:1.1`);
      const d = await decideEntry(t.ctx, { actor: WHO.assessor, entryId: e.id, version: 1, outcome: 'approve', requestId: requestId() });
      const iqa = await t.db.prisma.person.findFirstOrThrow({ where: { externalId: 'U0IQA1' } });
      return t.db.prisma.iqaSample.create({ data: { decisionId: d.decision.id, iqaId: iqa.id, week: '2026-W48' } });
    };
    const s1 = await sampled('Booked interviews for Stark');
    const s2 = await sampled('Booked interviews for Wayne');
    const id = requestId();
    await reviewIqaSample(t.ctx, { actor: WHO.iqa, sampleId: s1.id, outcome: 'confirmed', requestId: id });
    await refusedWith(t, 'forbidden', () => reviewIqaSample(t.ctx, { actor: WHO.iqaAssessor, sampleId: s2.id, outcome: 'confirmed', requestId: id }));
    await refusedWith(t, 'forbidden', () => reviewIqaSample(t.ctx, { actor: WHO.assessor, sampleId: s1.id, outcome: 'confirmed', requestId: id }));
    // Iris reusing the ID for the other sample is refused, not taken as done.
    await refusedWith(t, 'conflict', () => reviewIqaSample(t.ctx, { actor: WHO.iqa, sampleId: s2.id, outcome: 'confirmed', requestId: id }));
    expect((await t.db.prisma.iqaSample.findUniqueOrThrow({ where: { id: s2.id } })).outcome).toBeNull();
    const retry = await reviewIqaSample(t.ctx, { actor: WHO.iqa, sampleId: s1.id, outcome: 'confirmed', requestId: id });
    expect(retry.duplicate).toBe(true);
  });

  it("witnesses: a replayed request ID from another learner asks their own witness and never names the first learner's", async () => {
    const lees = await logEntry(t, 'Ran an assessment centre #U7:1.1');
    const id = requestId();
    const first = await requestWitness(t.ctx, { actor: WHO.learner, entryId: lees.id, witness: { manager: true }, requestId: id });
    expect(first.witnessName).toBe('Morgan Manager');

    // Priya replaying Lee's request ID on Lee's entry is refused; on her own entry, asks her own witness.
    await refusedWith(t, 'forbidden', () => requestWitness(t.ctx, { actor: WHO.learner2, entryId: lees.id, witness: { manager: true }, requestId: id }));
    const priyas = await logEntry(t, 'Screened applicants #U7:1.1', WHO.learner2);
    const priya = await requestWitness(t.ctx, { actor: WHO.learner2, entryId: priyas.id, witness: { name: 'Lee Learner' }, requestId: id });
    expect(priya.duplicate).toBe(false);
    expect(priya.witnessName).toBe('Lee Learner');
    expect(await t.db.prisma.witnessRequest.count({ where: { entryId: priyas.id } })).toBe(1);

    // The statements: Lee writes his, and Morgan replaying Lee's request ID still writes Morgan's own.
    const leeAsked = await t.db.prisma.witnessRequest.findFirstOrThrow({ where: { entryId: priyas.id } });
    const morganAsked = await t.db.prisma.witnessRequest.findFirstOrThrow({ where: { entryId: lees.id } });
    const sid = requestId();
    await submitWitnessStatement(t.ctx, { actor: WHO.learner, witnessRequestId: leeAsked.id, statement: 'Priya screened twelve applicants.', requestId: sid });
    await refusedWith(t, 'forbidden', () => submitWitnessStatement(t.ctx, { actor: WHO.manager, witnessRequestId: leeAsked.id, statement: 'x', requestId: sid }));
    const morgan = await submitWitnessStatement(t.ctx, { actor: WHO.manager, witnessRequestId: morganAsked.id, statement: 'Lee ran it well.', requestId: sid });
    expect(morgan.duplicate).toBe(false);
    expect((await t.db.prisma.witnessRequest.findUniqueOrThrow({ where: { id: morganAsked.id } })).statement).toBe('Lee ran it well.');

    // Lee's genuine retry of the request: answered once from what it did.
    const retry = await requestWitness(t.ctx, { actor: WHO.learner, entryId: lees.id, witness: { manager: true }, requestId: id });
    expect(retry).toMatchObject({ duplicate: true, witnessName: 'Morgan Manager' });
  });
});
