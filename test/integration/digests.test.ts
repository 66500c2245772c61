// Weekly manager digests on the real database: Monday 09:00 in the manager's time zone, one
// message naming each of their learners with their figures, learners gone quiet first; a second
// run sends nothing; a bot that was down at 09:00 sends Monday's digest when it is back, and
// never a second one for a week already sent. Long teams are paginated within Slack's limits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestMessages, LEARNERS_PER_PAGE, type DigestLearner } from '../../src/messages/digest.ts';
import { BACKENDS } from '../helpers/db.ts';
import { PEOPLE } from '../helpers/context.ts';
import { messageText } from '../helpers/fake-chat.ts';
import { deliverAt, jobs, logAt, runJob, scheduleTest, text, to, type ScheduleTest } from './schedule-helpers.ts';

const MORGAN = 'U0MANAGE1';

describe.each(BACKENDS)('weekly digests (%s)', (backend) => {
  let s: ScheduleTest;
  beforeAll(async () => {
    s = await scheduleTest(backend);
    // Priya started a week before the others and has logged nothing since.
    await s.t.db.prisma.enrolment.updateMany({ where: { learner: { externalId: 'U0LEARN2' } }, data: { startedAt: new Date('2026-11-09T10:00:00Z') } });
  });
  afterAll(() => s.t.db.destroy());

  it('on Monday at 09:00 the manager gets one digest naming each learner, the quiet one first', async () => {
    await logAt(s, PEOPLE.learner, 'Called two candidates about the driver vacancy #U7:1.1', '2026-11-25T10:00:00Z');
    await logAt(s, PEOPLE.learner, 'Wrote up the client brief for Acme #U7:1.2 follow-up:1d', '2026-11-27T10:00:00Z');
    // A week after last Monday's 09:00 is too late to send that one: this Monday's is minutes away.
    expect(await runJob(s, jobs.digests, '2026-11-30T08:45:00Z')).toMatchObject({ sent: 0, tooLate: 1 });

    expect(await runJob(s, jobs.digests, '2026-11-30T09:00:00Z')).toMatchObject({ sent: 1, messages: 1, learners: 2 });
    const digests = to(await deliverAt(s, '2026-11-30T09:00:00Z'), MORGAN);
    expect(digests).toHaveLength(1);
    const body = text(digests[0]!);
    expect(body).toContain('Weekly digest');
    expect(body).toContain('Gone quiet (nothing logged for 14 days or more): Priya Patel');
    expect(body.indexOf('Priya Patel:')).toBeLessThan(body.indexOf('Lee Learner:'));
    expect(body).toContain('Priya Patel: ⚠ Gone quiet: nothing logged yet');
    expect(body).toContain('Lee Learner: 3 days since last log');
    expect(body).toContain('This week: 2 entries · all entries: 0 approved, 2 waiting, 0 needing changes');
    expect(body).toMatch(/Credits [▓░]{10} 0\/28 · criteria covered 0\/\d+ · units completed 0\/\d+/);
    expect(body).toContain('Overdue follow-ups: 1');
  });

  it('a second run sends nothing', async () => {
    expect(await runJob(s, jobs.digests, '2026-11-30T09:15:00Z')).toMatchObject({ sent: 0, alreadySent: 1 });
    expect(await runJob(s, jobs.digests, '2026-12-02T17:00:00Z')).toMatchObject({ sent: 0, alreadySent: 1 });
    expect(to(await deliverAt(s, '2026-12-02T17:00:00Z'), MORGAN)).toEqual([]);
  });

  it('a bot that was down on Monday morning sends that Monday’s digest when it is back, once', async () => {
    // Nothing ran on 7 December; the bot is back on Tuesday the 8th at 11:00.
    expect(await runJob(s, jobs.digests, '2026-12-08T11:00:00Z')).toMatchObject({ sent: 1 });
    const digests = to(await deliverAt(s, '2026-12-08T11:00:00Z'), MORGAN);
    expect(digests).toHaveLength(1);
    expect(text(digests[0]!)).toContain('Week from 30 Nov 2026 to 7 Dec 2026');
    expect(await runJob(s, jobs.digests, '2026-12-13T20:00:00Z')).toMatchObject({ sent: 0 });
    const keys = (await s.t.db.prisma.outboxMessage.findMany({ where: { kind: 'digest' }, select: { dedupeKey: true } })).map((o) => o.dedupeKey.replace(/:[^:]+:/, ':M:'));
    expect(keys.sort()).toEqual(['digest:M:2026-W49:1', 'digest:M:2026-W50:1']);
  });

  it('is sent at 09:00 in the manager’s own time zone', async () => {
    await s.t.db.prisma.person.updateMany({ where: { externalId: MORGAN }, data: { timezone: 'America/Chicago' } });
    expect(await runJob(s, jobs.digests, '2026-12-14T14:59:00Z')).toMatchObject({ sent: 0 }); // 08:59 in Chicago
    expect(await runJob(s, jobs.digests, '2026-12-14T15:00:00Z')).toMatchObject({ sent: 1 });
  });
});

describe('digest pages', () => {
  const learner = (i: number): DigestLearner => ({
    name: `Learner ${String(i).padStart(2, '0')} ${'with a long double-barrelled name'.slice(0, i % 30)}`,
    entriesThisWeek: i % 4, approved: i, pending: 2, changes: 1, criteriaApproved: i, criteriaTotal: 180, credits: i % 28, creditsRequired: 28,
    unitsCompleted: 1, unitsTotal: 11, overdueFollowUps: i % 3, daysSinceLastLog: i, quiet: i >= 14, onBreak: false,
  });

  it('a team of 50 is one message within Slack’s limits; a team of 130 is three, naming everyone', () => {
    const slot = new Date('2026-11-30T09:00:00Z');
    const one = digestMessages({ managerName: 'Morgan', slot, tz: 'Europe/London', learners: Array.from({ length: 50 }, (_, i) => learner(i + 1)) });
    expect(one).toHaveLength(1);
    expect(one[0]!.blocks.length).toBeLessThanOrEqual(50);
    const pages = digestMessages({ managerName: 'Morgan', slot, tz: 'Europe/London', learners: Array.from({ length: 130 }, (_, i) => learner(i + 1)) });
    expect(pages).toHaveLength(Math.ceil(130 / LEARNERS_PER_PAGE));
    for (const page of pages) {
      expect(page.blocks.length).toBeLessThanOrEqual(50);
      for (const b of page.blocks) if (b.type === 'text') expect(b.text.length).toBeLessThanOrEqual(3000);
    }
    const all = pages.map(messageText).join('\n');
    for (let i = 1; i <= 130; i++) expect(all).toContain(`Learner ${String(i).padStart(2, '0')} `);
    expect(messageText(pages[0]!)).toContain('(1 of 3)');
    // The quiet ones (14 days or more) lead, longest silence first.
    expect(messageText(pages[0]!).indexOf('Learner 130')).toBeGreaterThan(-1);
    expect(messageText(pages[0]!).indexOf('Learner 130')).toBeLessThan(messageText(pages[0]!).indexOf('Learner 100'));
    expect(messageText(pages[2]!)).toContain('Learner 13 '); // the ones not gone quiet come last
  });
});
