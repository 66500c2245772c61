// Check-in nudges on the real database: at each learner's check-in time, in their own time zone,
// only learners who have logged nothing since the last check-in are nudged, with what would help
// most and a "Log evidence" button; snoozed and paused learners are left alone; nothing twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleCommand } from '../../src/services/commands/handle-command.ts';
import { sendDueNudges } from '../../src/services/schedules/send-nudges.ts';
import { BACKENDS } from '../helpers/db.ts';
import { PEOPLE } from '../helpers/context.ts';
import { actionsOf, deliverAt, jobs, logAt, nudges, runJob, scheduleTest, text, to, type ScheduleTest } from './schedule-helpers.ts';

const LEE = 'U0LEARN1';
const PRIYA = 'U0LEARN2';
const TESS = '00000000-0000-0000-0000-0000000000a1';

describe.each(BACKENDS)('check-in nudges (%s)', (backend) => {
  let s: ScheduleTest;
  beforeAll(async () => {
    s = await scheduleTest(backend);
    // Priya lives in New York: her Monday 09:00 is 14:00 UTC.
    await handleCommand(s.t.ctx, { actor: PEOPLE.learner2, text: 'settings timezone:America/New_York', requestId: 'tz-1', source: 'slack' });
  });
  afterAll(() => s.t.db.destroy());

  it('at Monday 09:00 London, nudges only the London learner who has logged nothing', async () => {
    await logAt(s, PEOPLE.learner, 'Screened three candidates for the warehouse role #U7:1.1', '2026-11-20T12:00:00Z');
    const r = await runJob(s, jobs.nudges, '2026-11-23T09:00:00Z');
    expect(r).toMatchObject({ nudged: 1, logged: 1 });
    const sent = nudges(await deliverAt(s, '2026-11-23T09:00:00Z'));
    expect(to(sent, LEE)).toEqual([]);
    expect(to(sent, PRIYA)).toEqual([]); // 04:00 in New York
    const [nudge] = to(sent, TESS);
    expect(nudge).toBeDefined();
    expect(text(nudge!)).toContain('Hi Tess, time for your check-in');
    expect(text(nudge!)).toContain('What would help most now');
    expect(text(nudge!)).toMatch(/#U\d+:\d+\.\d+/); // criteria with no evidence yet, by tag
    expect(text(nudge!)).toContain('every Monday at 09:00 (Europe/London)');
    expect(actionsOf(nudge!)).toEqual([expect.objectContaining({ id: 'evidence.open_form', label: 'Log evidence' })]);
  });

  it('nudges the New York learner at 09:00 New York time, once however often the job runs', async () => {
    expect(await runJob(s, jobs.nudges, '2026-11-23T13:59:00Z')).toMatchObject({ nudged: 0 });
    expect(await runJob(s, jobs.nudges, '2026-11-23T14:00:00Z')).toMatchObject({ nudged: 1 });
    expect(await runJob(s, jobs.nudges, '2026-11-23T14:00:00Z')).toEqual({ skipped: 'slot already claimed' });
    expect(await runJob(s, jobs.nudges, '2026-11-23T14:30:00Z')).toMatchObject({ due: 0, nudged: 0 });
    const sent = nudges(await deliverAt(s, '2026-11-23T14:30:00Z'));
    expect(sent.map((m) => m.to.userExternalId)).toEqual([PRIYA]);
    expect(text(sent[0]!)).toContain('(America/New_York)');
    expect(await deliverAt(s, '2026-11-23T15:00:00Z')).toEqual([]);
  });

  it('a week later, whoever has not logged since the last check-in is nudged, and whoever has is not', async () => {
    await logAt(s, PEOPLE.teamsLearner, 'Shadowed a client call about a new vacancy #U14:1.1', '2026-11-25T10:00:00Z');
    expect(await runJob(s, jobs.nudges, '2026-11-30T09:00:00Z')).toMatchObject({ nudged: 1, logged: 1 });
    const sent = nudges(await deliverAt(s, '2026-11-30T09:01:00Z'));
    expect(sent.map((m) => m.to.userExternalId)).toEqual([LEE]);
    expect(await runJob(s, jobs.nudges, '2026-11-30T14:00:00Z')).toMatchObject({ nudged: 1 }); // Priya, in New York
    expect(nudges(await deliverAt(s, '2026-11-30T14:00:00Z')).map((m) => m.to.userExternalId)).toEqual([PRIYA]);
  });

  it('snoozed and paused learners are not nudged; the snooze ends on its own', async () => {
    s.t.clock.set('2026-12-03T12:00:00Z');
    const snooze = await handleCommand(s.t.ctx, { actor: PEOPLE.learner, text: 'snooze 5d', requestId: 'sn-1', source: 'slack' });
    expect(snooze.kind === 'message' && snooze.message.fallback).toContain('Next check-in: 14 Dec 2026, 09:00');
    await handleCommand(s.t.ctx, { actor: PEOPLE.teamsLearner, text: 'settings pause', requestId: 'pa-1', source: 'teams' });

    expect(await runJob(s, jobs.nudges, '2026-12-07T09:00:00Z')).toMatchObject({ nudged: 0 });
    expect(await runJob(s, jobs.nudges, '2026-12-07T14:00:00Z')).toMatchObject({ nudged: 1 }); // Priya, still quiet
    const sent = nudges(await deliverAt(s, '2026-12-07T14:00:00Z'));
    expect(sent.map((m) => m.to.userExternalId)).toEqual([PRIYA]);

    expect(await runJob(s, jobs.nudges, '2026-12-14T09:00:00Z')).toMatchObject({ nudged: 1 }); // Lee again; Tess still paused
    expect(nudges(await deliverAt(s, '2026-12-14T09:00:00Z')).map((m) => m.to.userExternalId)).toEqual([LEE]);
    expect(await runJob(s, jobs.nudges, '2026-12-14T14:00:00Z')).toMatchObject({ nudged: 1 }); // Priya
    expect(nudges(await deliverAt(s, '2026-12-14T14:00:00Z')).map((m) => m.to.userExternalId)).toEqual([PRIYA]);
  });

  it('a learner who resumes is checked in again from their next check-in time', async () => {
    s.t.clock.set('2026-12-15T12:00:00Z');
    const r = await handleCommand(s.t.ctx, { actor: PEOPLE.teamsLearner, text: 'settings resume', requestId: 'pa-2', source: 'teams' });
    expect(r.kind === 'message' && r.message.fallback).toContain('Next check-in: 21 Dec 2026, 09:00');
    expect(await runJob(s, jobs.nudges, '2026-12-21T09:00:00Z')).toMatchObject({ nudged: 2 }); // Tess (no log since 25 Nov) and Lee
  });

  it('two replicas sweeping the same minute send each nudge once', async () => {
    await deliverAt(s, '2026-12-21T09:00:00Z'); // last week's, out of the way
    const [a, b] = await Promise.all([
      jobs.nudges.run({ ctx: s.t.ctx, ports: s.ports }, new Date('2026-12-28T09:00:00Z')),
      sendDueNudges(s.t.ctx, new Date('2026-12-28T09:00:00Z')), // the same sweep, without the slot claim
    ]);
    expect(Number(a.nudged ?? 0) + b.nudged).toBeGreaterThanOrEqual(1);
    const sent = nudges(await deliverAt(s, '2026-12-28T09:00:00Z'));
    expect(sent.map((m) => m.to.userExternalId).sort()).toEqual([TESS, LEE].sort());
  });
});
