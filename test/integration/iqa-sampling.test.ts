// The weekly IQA sample on the real database, run the way the scheduler and the CLI run it: a share
// of each assessor's decisions (at least one), to an IQA who took no part, once per week; then the
// IQA's review and what the assessor hears.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iqaSamplingJob } from '../../jobs/iqa-sampling.ts';
import { countersignDecision } from '../../src/services/verification/countersign-decision.ts';
import { decideEntry } from '../../src/services/verification/decide-entry.ts';
import { reviewIqaSample } from '../../src/services/verification/review-iqa-sample.ts';
import { BACKENDS } from '../helpers/db.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { FakeChatPort, messageText } from '../helpers/fake-chat.ts';
import { buttons, deliver, loadVerificationRoster, logEntry, refusedWith, requestId, sentTo, textOf, WHO } from './verification-helpers.ts';

const MONDAY_AFTER = new Date('2026-11-30T07:00:00Z'); // samples 2026-W48 (23–29 Nov)

describe.each(BACKENDS)('IQA sampling (%s)', (backend) => {
  let t: TestContext;
  let chat: FakeChatPort;
  const run = (now = MONDAY_AFTER) => iqaSamplingJob.run({ ctx: t.ctx, ports: { slack: chat } }, now);

  beforeAll(async () => {
    t = await createTestContext(backend);
    await loadVerificationRoster(t);
    chat = new FakeChatPort('slack');

    // The week before (W47): one decision, which this week's sample must not include.
    t.clock.set('2026-11-18T10:00:00Z');
    const old = await logEntry(t, 'Old news #U7:1.1');
    await decideEntry(t.ctx, { actor: WHO.assessor, entryId: old.id, version: 1, outcome: 'approve', requestId: requestId() });

    t.clock.set('2026-11-24T10:00:00Z');
    // Ava: 12 decisions on Lee's entries → 10% → 2 sampled.
    for (let i = 0; i < 12; i++) {
      const e = await logEntry(t, `Screened candidate ${i} #U7:1.1`);
      await decideEntry(t.ctx, { actor: WHO.assessor, entryId: e.id, version: 1, outcome: i % 3 ? 'approve' : 'changes', feedback: i % 3 ? undefined : 'More detail', requestId: requestId() });
    }
    // Ivy (assessor and IQA) stands in on Dana's entry, and Dana's IQA is Ivy: someone else must sample it.
    const dana = await logEntry(t, 'Sourced on a job board #U7:1.1', WHO.learner4);
    await decideEntry(t.ctx, { actor: WHO.iqaAssessor, entryId: dana.id, version: 1, outcome: 'approve', requestId: requestId() });
    // Umar (unqualified): one decision countersigned (counts), one still waiting (does not count yet).
    const p1 = await logEntry(t, 'Wrote an advert #U7:1.1', WHO.learner2);
    const d1 = await decideEntry(t.ctx, { actor: WHO.unqualifiedAssessor, entryId: p1.id, version: 1, outcome: 'approve', requestId: requestId() });
    await countersignDecision(t.ctx, { actor: WHO.qualified2, decisionId: d1.decision.id, action: 'countersign', requestId: requestId() });
    const p2 = await logEntry(t, 'Wrote another advert #U7:1.1', WHO.learner2);
    await decideEntry(t.ctx, { actor: WHO.unqualifiedAssessor, entryId: p2.id, version: 1, outcome: 'approve', requestId: requestId() });
    await deliver(t, chat);
  });
  afterAll(() => t.db.destroy());

  it('samples each assessor\'s share of last week\'s decisions and sends them to an IQA who took no part', async () => {
    const r = await run();
    // 12 by Ava, 1 by Ivy, 1 countersigned by Umar; W47's and the one awaiting countersignature are out.
    expect(r).toMatchObject({ week: '2026-W48', decisions: 14, chosen: 4, sent: 4, noIqa: 0 });
    const samples = await t.db.prisma.iqaSample.findMany({ include: { decision: true } });
    const byAssessor = new Map<string, number>();
    for (const s of samples) byAssessor.set(s.decision.assessorId, (byAssessor.get(s.decision.assessorId) ?? 0) + 1);
    expect([...byAssessor.values()].sort()).toEqual([1, 1, 2]);
    for (const s of samples) expect(s.iqaId).not.toBe(s.decision.assessorId);

    const out = await deliver(t, chat);
    const cards = out.sent.filter((s) => buttons(s).some((b) => b.id === 'iqa.confirm'));
    expect(cards).toHaveLength(4);
    // Ivy's own decision went to Iris, not to Ivy (Dana's IQA).
    expect(cards.map((c) => c.to.userExternalId).sort()).toEqual(['U0IQA1', 'U0IQA1', 'U0IQA1', 'U0IQA1']);
    expect(textOf(cards[0]!)).toContain('IQA sample · 2026-W48');
    const ivys = cards.find((c) => textOf(c).includes("Ivy Dual's decision"));
    expect(ivys).toBeDefined();
    const events = await t.db.prisma.entryEvent.count({ where: { action: 'iqa_sampled' } });
    expect(events).toBe(4);
  });

  it('a rerun for the same week picks nothing new and sends nothing', async () => {
    const r = await run(new Date('2026-12-02T12:00:00Z'));
    expect(r).toMatchObject({ week: '2026-W48', alreadyDone: true });
    expect(await t.db.prisma.iqaSample.count()).toBe(4);
    expect((await deliver(t, chat)).sent).toHaveLength(0);
    const jr = await t.db.prisma.jobRun.findMany({ where: { job: 'iqa-sampling' } });
    expect(jr.map((j) => j.slot)).toEqual(['2026-W48']);
  });

  it('a crashed run (unfinished JobRun) is completed by the next one without duplicates', async () => {
    await t.db.prisma.jobRun.update({ where: { job_slot: { job: 'iqa-sampling', slot: '2026-W48' } }, data: { finishedAt: null } });
    const r = await run();
    expect(r).toMatchObject({ chosen: 4, sent: 0, existing: 4 });
    expect(await t.db.prisma.iqaSample.count()).toBe(4);
  });

  it('the IQA confirms or raises an action; the assessor is told; only that IQA may', async () => {
    const samples = await t.db.prisma.iqaSample.findMany({ include: { decision: true }, orderBy: { id: 'asc' } });
    const [a, b] = samples;
    // Not the assessor, not another IQA, not the learner.
    for (const actor of [WHO.assessor, WHO.iqaAssessor, WHO.learner]) {
      const msg = await refusedWith(t, 'forbidden', () => reviewIqaSample(t.ctx, { actor, sampleId: a!.id, outcome: 'confirmed', requestId: requestId() }));
      expect(msg).toContain('Only the IQA this sample was sent to (Iris Quality)');
    }
    await refusedWith(t, 'invalid_input', () => reviewIqaSample(t.ctx, { actor: WHO.iqa, sampleId: b!.id, outcome: 'action', note: '  ', requestId: requestId() }));

    const ok = await reviewIqaSample(t.ctx, { actor: WHO.iqa, sampleId: a!.id, outcome: 'confirmed', requestId: requestId() });
    expect(messageText(ok.reply)).toContain('Confirmed');
    await reviewIqaSample(t.ctx, { actor: WHO.iqa, sampleId: b!.id, outcome: 'action', note: 'Feedback should name the criterion.', requestId: requestId() });
    await refusedWith(t, 'conflict', () => reviewIqaSample(t.ctx, { actor: WHO.iqa, sampleId: b!.id, outcome: 'confirmed', requestId: requestId() }));

    const out = await deliver(t, chat);
    const assessorA = await t.db.prisma.person.findUniqueOrThrow({ where: { id: a!.decision.assessorId } });
    const assessorB = await t.db.prisma.person.findUniqueOrThrow({ where: { id: b!.decision.assessorId } });
    expect(sentTo(out.sent, assessorA.externalId).map(textOf).join('\n')).toContain('Iris Quality (IQA) confirmed your decision');
    expect(sentTo(out.sent, assessorB.externalId).map(textOf).join('\n')).toContain('Feedback should name the criterion.');
    // Iris's two cards lose their buttons.
    expect(out.updates).toHaveLength(2);
    for (const u of out.updates) expect(buttons(u).map((x) => x.id)).not.toContain('iqa.confirm');
    const rows = await t.db.prisma.iqaSample.findMany({ where: { id: { in: [a!.id, b!.id] } }, orderBy: { id: 'asc' } });
    expect(rows.map((s) => s.outcome)).toEqual(['confirmed', 'action']);
    const ev = await t.db.prisma.entryEvent.findMany({ where: { action: { in: ['iqa_confirmed', 'iqa_action'] } } });
    expect(ev).toHaveLength(2);
  });

  it('with no IQA who took no part, the admins are told instead', async () => {
    await t.db.prisma.person.updateMany({ where: { externalId: 'U0IQA1' }, data: { erasedAt: new Date() } });
    t.clock.set('2026-12-01T10:00:00Z');
    const dana = await logEntry(t, 'Took a vacancy brief #U7:1.1', WHO.learner4);
    await decideEntry(t.ctx, { actor: WHO.iqaAssessor, entryId: dana.id, version: 1, outcome: 'approve', requestId: requestId() });
    await deliver(t, chat);
    const r = await run(new Date('2026-12-07T07:00:00Z'));
    expect(r).toMatchObject({ week: '2026-W49', decisions: 1, chosen: 1, sent: 0, noIqa: 1 });
    const out = await deliver(t, chat);
    expect(sentTo(out.sent, 'U0ADMIN1').map(textOf).join('\n')).toContain('no IQA other than the people who made it');
  });
});
