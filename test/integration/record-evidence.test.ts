import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/lib/errors.ts';
import { deliverOutbox } from '../../src/services/outbox/deliver-outbox.ts';
import { getProgress } from '../../src/services/evidence/get-progress.ts';
import { listEntries } from '../../src/services/evidence/list-entries.ts';
import { recordEvidence } from '../../src/services/evidence/record-evidence.ts';
import { BACKENDS } from '../helpers/db.ts';
import { createTestContext, loadRoster, PEOPLE, type TestContext } from '../helpers/context.ts';
import { FakeChatPort, messageText } from '../helpers/fake-chat.ts';

describe.each(BACKENDS)('recording evidence (%s)', (backend) => {
  let t: TestContext;
  let n = 0;
  const key = () => `test:${++n}`;
  beforeAll(async () => {
    t = await createTestContext(backend);
    await loadRoster(t.ctx);
  });
  afterAll(() => t.db.destroy());

  const refused = async (text: string, actor = PEOPLE.learner) => {
    const before = await t.db.prisma.entry.count();
    const err = await recordEvidence(t.ctx, { actor, idempotencyKey: key(), source: 'slack', text }).catch((e) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(await t.db.prisma.entry.count()).toBe(before);
    return (err as AppError).userMessage;
  };

  it('records an entry with its criteria, history and a message for the assessor', async () => {
    const r = await recordEvidence(t.ctx, {
      actor: PEOPLE.learner, idempotencyKey: key(), source: 'slack',
      text: 'Called Sam a week after placement to check in #U7:2.1 #k/507/0949:1.4 mins:20 follow-up:7d',
    });
    expect(r.duplicate).toBe(false);
    expect(r.criteria.map((c) => `${c.unitRef}:${c.number}`)).toEqual(['K/507/0949:2.1', 'K/507/0949:1.4']);
    expect(r.entry.status).toBe('pending');
    expect(r.entry.minutes).toBe(20);
    // The follow-up is 09:00 London time seven days on (23 Nov 2026 + 7 = 30 Nov, GMT).
    expect(r.entry.followUpAt?.toISOString()).toBe('2026-11-30T09:00:00.000Z');
    expect(messageText(r.confirmation)).toContain('Evidence recorded');
    expect(messageText(r.confirmation)).toContain('U7 K/507/0949 2.1: Identify new ways of helping candidates based on their feedback');

    const events = await t.db.prisma.entryEvent.findMany({ where: { entryId: r.entry.id } });
    expect(events.map((e) => [e.action, e.toStatus])).toEqual([['created', 'pending']]);
    expect(t.kicks).toBeGreaterThan(0);

    const chat = new FakeChatPort('slack');
    await deliverOutbox(t.ctx, { slack: chat });
    const toAssessor = chat.textsFor('U0ASSESS1');
    expect(toAssessor).toHaveLength(1);
    expect(toAssessor[0]).toContain('Evidence from Lee Learner');
    expect(toAssessor[0]).toContain('[Approve] [Request changes] [Reject]');
    expect(toAssessor[0]).toContain('K/507/0949 2.1');
  });

  it('reads a form\'s day in the learner\'s time zone: midday on an earlier day, now for today', async () => {
    const draft = { summary: 'Met Jo at the REC breakfast', tags: [{ unit: 'U7', number: '1.1', raw: 'U7:1.1' }] };
    const earlier = await recordEvidence(t.ctx, { actor: PEOPLE.learner, idempotencyKey: key(), source: 'teams', draft: { ...draft, occurredOn: '2026-11-20' } });
    expect(earlier.entry.occurredAt.toISOString()).toBe('2026-11-20T12:00:00.000Z');
    const today = await recordEvidence(t.ctx, { actor: PEOPLE.learner, idempotencyKey: key(), source: 'teams', draft: { ...draft, occurredOn: '2026-11-23' } });
    expect(today.entry.occurredAt.toISOString()).toBe(t.clock.now().toISOString());
    const err = await recordEvidence(t.ctx, { actor: PEOPLE.learner, idempotencyKey: key(), source: 'teams', draft: { ...draft, occurredOn: '2026-11-30' } }).catch((e) => e);
    expect((err as AppError).userMessage).toMatch(/cannot be in the future/);
  });

  it('refuses contact details typed into a form unless the learner keeps them on purpose', async () => {
    const draft = { summary: 'Sent the role to sam.taylor@example.com', tags: [{ unit: 'U7', number: '1.1', raw: 'U7:1.1' }] };
    const before = await t.db.prisma.entry.count();
    const err = await recordEvidence(t.ctx, { actor: PEOPLE.learner, idempotencyKey: key(), source: 'slack', draft }).catch((e) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).userMessage).toContain('looks like an email address');
    expect((err as AppError).details).toEqual({ field: 'summary' });
    const phone = await recordEvidence(t.ctx, { actor: PEOPLE.learner, idempotencyKey: key(), source: 'slack', draft: { ...draft, summary: 'Called Sam', outcome: 'Call back on 07700 900123' } }).catch((e) => e);
    expect((phone as AppError).details).toEqual({ field: 'outcome' });
    expect(await t.db.prisma.entry.count()).toBe(before);
    const kept = await recordEvidence(t.ctx, { actor: PEOPLE.learner, idempotencyKey: key(), source: 'slack', draft: { ...draft, keepPersonalData: true } });
    expect(kept.entry.summary).toBe('Sent the role to sam.taylor@example.com');
  });

  it('stores one entry and sends one message when the same request arrives twice', async () => {
    const k = key();
    const input = { actor: PEOPLE.learner, idempotencyKey: k, source: 'slack' as const, text: 'Sent Jo three roles #U7:1.1' };
    const [a, b] = await Promise.all([recordEvidence(t.ctx, input), recordEvidence(t.ctx, input)]);
    const c = await recordEvidence(t.ctx, input);
    expect(new Set([a.entry.id, b.entry.id, c.entry.id]).size).toBe(1);
    expect([a.duplicate, b.duplicate, c.duplicate].filter((d) => !d)).toHaveLength(1);
    expect(await t.db.prisma.entry.count({ where: { idempotencyKey: k } })).toBe(1);
    expect(await t.db.prisma.outboxMessage.count({ where: { dedupeKey: `entry:${a.entry.id}:root` } })).toBe(1);
  });

  it('refuses an unknown criterion, offers the nearest valid ones, and stores nothing', async () => {
    const msg = await refused('Called Sam #U7:1.9');
    expect(msg).toContain('has no criterion 1.9');
    expect(msg).toContain('#U7:1.5');
    expect(await refused('Called Sam #K/507/0994:1.1')).toContain('#U7:1.1');
  });

  it('refuses a criterion of a unit the learner is not enrolled on', async () => {
    // Priya chose U10, U14 and U15 only.
    const msg = await refused('Delivered a demo #U18:3.1', PEOPLE.learner2);
    expect(msg).toContain('not enrolled on U18');
  });

  it('refuses a contact that is not in the register', async () => {
    expect(await refused('Coffee with:"Nobody Known" #U7:1.1')).toContain('no contact called "Nobody Known"');
  });

  it('politely refuses someone not on the roster, naming who to ask', async () => {
    const msg = await refused('Called Sam #U7:2.1', PEOPLE.stranger);
    expect(msg).toContain("not on the evidence bot's roster");
    expect(msg).toContain('Alex Admin');
  });

  it('refuses people who are not learners', async () => {
    expect(await refused('Approved stuff #U7:2.1', PEOPLE.assessor)).toMatch(/Only learners/);
  });

  it('lists and counts the learner\'s own entries only', async () => {
    const mine = await listEntries(t.ctx, { actor: PEOPLE.learner });
    expect(mine.total).toBeGreaterThanOrEqual(2);
    expect(mine.entries.every((e) => e.learnerName === 'Lee Learner')).toBe(true);
    const pending = await listEntries(t.ctx, { actor: PEOPLE.learner, filter: 'pending' });
    expect(pending.total).toBe(mine.total);
    expect((await listEntries(t.ctx, { actor: PEOPLE.learner, filter: 'approved' })).total).toBe(0);
    await expect(listEntries(t.ctx, { actor: PEOPLE.learner, filter: 'odd' })).rejects.toThrow(/pending, approved, changes, rejected/);
  });

  it('shows pending evidence in progress', async () => {
    const { progress } = await getProgress(t.ctx, { actor: PEOPLE.learner });
    const u7 = progress.units.find((u) => u.unit.number === 7)!;
    expect(u7.pending).toBe(3);
    expect(u7.approved).toBe(0);
    expect(progress.units).toHaveLength(19); // Lee is enrolled on every unit
  });
});
