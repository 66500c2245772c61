// Follow-up reminders on the real database: `follow-up:7d` reminds the learner on the seventh morning
// and not before, once, with Done (the logging form pre-filled) and Snooze; a placement brings
// check-ins after a week, a month and three months, each once; a reminder due at night waits for
// the morning; nobody can press another learner's buttons.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findUnit, getQualification } from '../../src/catalogue/catalogue.ts';
import { AppError } from '../../src/lib/errors.ts';
import { completeFollowUp } from '../../src/services/schedules/complete-follow-up.ts';
import { decideEntry } from '../../src/services/verification/decide-entry.ts';
import { editEntry } from '../../src/services/evidence/edit-entry.ts';
import { snoozeFollowUp } from '../../src/services/schedules/snooze-follow-up.ts';
import { updateSettings } from '../../src/services/schedules/update-settings.ts';
import { BACKENDS } from '../helpers/db.ts';
import { PEOPLE } from '../helpers/context.ts';
import { actionsOf, deliverAt, jobs, logAt, runJob, scheduleTest, text, to, type ScheduleTest } from './schedule-helpers.ts';

const LEE = 'U0LEARN1';
const U7 = findUnit(getQualification(), 'U7')!.ref;

describe.each(BACKENDS)('follow-up reminders (%s)', (backend) => {
  let s: ScheduleTest;
  beforeAll(async () => {
    s = await scheduleTest(backend);
  });
  afterAll(() => s.t.db.destroy());

  it('follow-up:7d is reminded on the seventh morning, not before, and only once', async () => {
    const entry = await logAt(s, PEOPLE.learner, 'Sent Sam Taylor three roles to consider #U7:2.1 follow-up:7d', '2026-11-23T10:00:00Z');
    expect(entry.followUpAt?.toISOString()).toBe('2026-11-30T09:00:00.000Z');

    expect(await runJob(s, jobs.followups, '2026-11-29T09:00:00Z')).toMatchObject({ reminded: 0 });
    expect(await runJob(s, jobs.followups, '2026-11-30T08:55:00Z')).toMatchObject({ reminded: 0 });
    expect(to(await deliverAt(s, '2026-11-30T08:55:00Z'), LEE)).toEqual([]);

    expect(await runJob(s, jobs.followups, '2026-11-30T09:00:00Z')).toMatchObject({ reminded: 1 });
    const [reminder] = to(await deliverAt(s, '2026-11-30T09:00:00Z'), LEE);
    expect(text(reminder!)).toContain('Follow-up due today');
    expect(text(reminder!)).toContain('Sent Sam Taylor three roles to consider');
    expect(actionsOf(reminder!).map((a) => [a.id, a.label])).toEqual([
      ['followup.done', 'Done: log it'], ['followup.snooze', 'Snooze 1 day'], ['followup.snooze', 'Snooze 3 days'],
    ]);

    expect(await runJob(s, jobs.followups, '2026-11-30T09:05:00Z')).toMatchObject({ reminded: 0 });
    expect(await runJob(s, jobs.followups, '2026-12-05T09:00:00Z')).toMatchObject({ reminded: 0 });
    expect(to(await deliverAt(s, '2026-12-05T09:00:00Z'), LEE)).toEqual([]);
  });

  it('Snooze reminds again the next morning; Done opens the logging form pre-filled and ends it', async () => {
    const entry = await logAt(s, PEOPLE.learner, 'Asked the client for interview feedback #U7:2.1 follow-up:2d', '2026-12-07T10:00:00Z');
    await runJob(s, jobs.followups, '2026-12-09T09:00:00Z');
    const [reminder] = to(await deliverAt(s, '2026-12-09T09:00:00Z'), LEE);
    const [done, snooze1] = actionsOf(reminder!);

    s.t.clock.set('2026-12-09T09:30:00Z');
    const snoozed = await snoozeFollowUp(s.t.ctx, { actor: PEOPLE.learner, value: snooze1!.value });
    expect(snoozed.dueAt.toISOString()).toBe('2026-12-10T09:00:00.000Z');
    // A double click lands on the same morning.
    expect((await snoozeFollowUp(s.t.ctx, { actor: PEOPLE.learner, value: snooze1!.value })).dueAt).toEqual(snoozed.dueAt);

    expect(await runJob(s, jobs.followups, '2026-12-10T08:00:00Z')).toMatchObject({ reminded: 0 });
    expect(await runJob(s, jobs.followups, '2026-12-10T09:00:00Z')).toMatchObject({ reminded: 1 });
    expect(to(await deliverAt(s, '2026-12-10T09:00:00Z'), LEE)).toHaveLength(1);

    s.t.clock.set('2026-12-10T10:00:00Z');
    // Someone else's click changes nothing.
    await expect(completeFollowUp(s.t.ctx, { actor: PEOPLE.learner2, reminderId: done!.value })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(snoozeFollowUp(s.t.ctx, { actor: PEOPLE.learner2, value: snooze1!.value })).rejects.toBeInstanceOf(AppError);

    const form = await completeFollowUp(s.t.ctx, { actor: PEOPLE.learner, reminderId: done!.value });
    expect(form).toEqual({
      kind: 'form', form: 'log',
      prefill: { summary: 'Followed up: Asked the client for interview feedback', criteria: [expect.objectContaining({ value: `${U7}:2.1` })], followUpOf: done!.value },
    });
    expect((await s.t.db.prisma.entry.findUniqueOrThrow({ where: { id: entry.id } })).followUpDoneAt).not.toBeNull();
    await expect(snoozeFollowUp(s.t.ctx, { actor: PEOPLE.learner, value: snooze1!.value })).rejects.toMatchObject({ code: 'conflict' });
    expect(await runJob(s, jobs.followups, '2026-12-20T09:00:00Z')).toMatchObject({ reminded: 0 });
  });

  it('a placement brings check-ins after one week, one month and three months, each exactly once', async () => {
    await logAt(s, PEOPLE.learner2, 'Placed Jo Bloggs as a warehouse supervisor at Acme #U7:2.1 placement:yes', '2027-01-04T11:00:00Z');
    const kinds = async (when: string) => {
      await runJob(s, jobs.followups, when);
      return to(await deliverAt(s, when), 'U0LEARN2').map((m) => text(m).split('\n')[0]);
    };
    expect(await kinds('2027-01-10T09:00:00Z')).toEqual([]);
    expect(await kinds('2027-01-11T09:00:00Z')).toEqual(['Post-placement check-in: one week']);
    expect(await kinds('2027-01-12T09:00:00Z')).toEqual([]);
    expect(await kinds('2027-02-04T09:00:00Z')).toEqual(['Post-placement check-in: one month']);
    expect(await kinds('2027-02-04T09:10:00Z')).toEqual([]);
    expect(await kinds('2027-04-04T08:00:00Z')).toEqual(['Post-placement check-in: three months']); // 09:00 BST
    expect(await kinds('2027-06-01T09:00:00Z')).toEqual([]);
  });

  it('an entry edited after changes were requested takes its new follow-up date with it', async () => {
    const entry = await logAt(s, PEOPLE.learner, 'Chased the client for a start date #U7:2.1 follow-up:7d', '2027-02-01T10:00:00Z');
    s.t.clock.set('2027-02-02T10:00:00Z');
    await decideEntry(s.t.ctx, { actor: PEOPLE.assessor, entryId: entry.id, version: 1, outcome: 'changes', feedback: 'Say what the client answered', requestId: 'fu-decide-1' });
    await editEntry(s.t.ctx, { actor: PEOPLE.learner, entryId: entry.id, version: 2, text: 'Chased the client for a start date: 1 March agreed #U7:2.1 follow-up:14d', requestId: 'fu-edit-1' });
    expect(await runJob(s, jobs.followups, '2027-02-08T09:00:00Z')).toMatchObject({ reminded: 0 });
    expect(await runJob(s, jobs.followups, '2027-02-16T09:00:00Z')).toMatchObject({ reminded: 1 });
    const [reminder] = to(await deliverAt(s, '2027-02-16T09:00:00Z'), LEE).filter((m) => text(m).startsWith('Follow-up due today'));
    expect(text(reminder!)).toContain('1 March agreed');
  });

  it('a contact whose planned contact date has come is reminded once, in the morning', async () => {
    const lee = await s.t.db.prisma.person.findFirstOrThrow({ where: { externalId: LEE } });
    const contact = await s.t.db.prisma.contact.create({ data: { ownerId: lee.id, name: 'Sam Taylor', org: 'Acme Ltd', kind: 'candidate', nextContactAt: new Date('2027-03-10T00:00:00Z') } });
    expect(await runJob(s, jobs.followups, '2027-03-09T09:00:00Z')).toMatchObject({ contacts: 0 });
    expect(await runJob(s, jobs.followups, '2027-03-10T00:05:00Z')).toMatchObject({ contacts: 1 });
    expect(to(await deliverAt(s, '2027-03-10T00:05:00Z'), LEE)).toEqual([]); // the middle of the night
    const [reminder] = to(await deliverAt(s, '2027-03-10T09:00:00Z'), LEE);
    expect(text(reminder!)).toContain('Time to get back in touch with Sam Taylor (Acme Ltd)');
    expect(actionsOf(reminder!)).toEqual([expect.objectContaining({ id: 'evidence.open_form', value: `contact:${contact.id}` })]);
    expect(await runJob(s, jobs.followups, '2027-03-10T09:05:00Z')).toMatchObject({ contacts: 0 });
  });

  it('a reminder found late in the evening waits for the end of the learner’s quiet hours', async () => {
    s.t.clock.set('2027-06-07T12:00:00Z');
    await updateSettings(s.t.ctx, { actor: PEOPLE.learner, changes: { quietStart: '21:00', quietEnd: '08:00' } });
    await logAt(s, PEOPLE.learner, 'Booked a registration call with a new candidate #U7:2.1 follow-up:1d', '2027-06-08T12:00:00Z');
    // Due at 09:00 on the 9th (08:00 UTC); the bot was down all day and comes back at 23:00 London time.
    expect(await runJob(s, jobs.followups, '2027-06-09T22:00:00Z')).toMatchObject({ reminded: 1 });
    expect(to(await deliverAt(s, '2027-06-09T22:00:00Z'), LEE)).toEqual([]);
    expect(to(await deliverAt(s, '2027-06-10T06:59:00Z'), LEE)).toEqual([]);
    expect(to(await deliverAt(s, '2027-06-10T07:00:00Z'), LEE)).toHaveLength(1);
  });
});
