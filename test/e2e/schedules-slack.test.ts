// Schedules and delivery end to end: the real bot (HTTP, Bolt, database, outbox) in front of a fake
// Slack Web API, the jobs run as `npm run cli -- jobs run NAME --now …` runs them. Only learners
// who have not logged get the check-in nudge; a follow-up:7d entry is reminded after 7 days, with
// buttons that work; the manager gets one digest naming each learner and a second run sends
// nothing; with the fake API failing 30% of calls and answering 429 to 10%, every message still
// arrives exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOBS } from '../../jobs/registry.ts';
import { runCliCommand } from '../../src/cli/commands.ts';
import { nextCheckIn } from '../../src/domain/schedule.ts';
import { PEOPLE } from '../helpers/context.ts';
import { blocksText, buttonsIn, startFakeSlackApi, type FakeSlackApi } from '../helpers/fake-slack-api.ts';
import { startBot, type Bot } from '../helpers/slack-bot.ts';
import { newTriggerId, payloads } from '../helpers/slack-payloads.ts';

let api: FakeSlackApi;
let bot: Bot;

/** The first Monday 09:00 (London) after the roster was imported: everyone's first check-in. */
let monday: Date;
const WEEK = 7 * 86_400_000;

const LEE_DM = 'D0LEARN1';
const PRIYA_DM = 'D0LEARN2';
const MORGAN_DM = 'D0MANAGE1';
const EXTRA = 12;

async function cli(...argv: string[]): Promise<string> {
  const out: string[] = [];
  const code = await runCliCommand(argv, { ...bot.app, jobs: JOBS, out: (l) => out.push(l), exportDir: bot.dataDir });
  expect(code, out.join('\n')).toBe(0);
  return out.join('\n');
}

const postedTo = (channel: string) => api.posted().filter((m) => m.channel === channel);
const isNudge = (m: Record<string, any>) => blocksText(m.blocks).includes('time for your check-in');

beforeAll(async () => {
  api = await startFakeSlackApi();
  // More learners of Morgan's, so the unreliable-API run has traffic.
  const extra = Array.from({ length: EXTRA }, (_, i) => `slack,U0XTRA${i},Extra Learner ${i},learner,U0ASSESS1,U0MANAGE1,,,Europe/London,,,T0CENTRE`);
  bot = await startBot({ api });
  await bot.app.services.importRoster({ csv: ['platform,user_id,name,role,assessor_id,manager_id,iqa_id,optional_units,timezone,email,qualified,workspace', ...extra].join('\n') });
  monday = nextCheckIn({ cadence: 'weekly', dayOfWeek: 1, timeOfDay: '09:00' }, 'Europe/London', new Date());
});
afterAll(async () => {
  await bot?.close();
  await api?.close();
});

describe('schedules and delivery against the fake Slack API', () => {
  it('`jobs run nudges --now` nudges only the learners who have not logged, with a working "Log evidence" button', async () => {
    const logged = await bot.command('log Sent Sam Taylor three roles to consider #U7:2.1 follow-up:7d', { user: PEOPLE.learner });
    expect(blocksText(logged.json.blocks)).toContain('Evidence recorded');
    await bot.settle();

    const out = await cli('jobs', 'run', 'nudges', '--now', monday.toISOString());
    expect(out).toContain('"logged":1');
    await bot.settle();

    expect(postedTo(LEE_DM).filter(isNudge)).toEqual([]);
    const [nudge] = postedTo(PRIYA_DM).filter(isNudge);
    expect(nudge).toBeDefined();
    expect(blocksText(nudge!.blocks)).toContain('What would help most now');
    const [button] = buttonsIn(nudge!.blocks);
    expect(button).toMatchObject({ action_id: 'evidence.open_form', text: 'Log evidence' });

    // Running it again for the same time sends nothing more.
    await cli('jobs', 'run', 'nudges', '--now', new Date(monday.getTime() + 60_000).toISOString());
    await bot.settle();
    expect(postedTo(PRIYA_DM).filter(isNudge)).toHaveLength(1);

    const triggerId = newTriggerId();
    await bot.click({ user: PEOPLE.learner2, actionId: button!.action_id, value: button!.value ?? '', triggerId, responseUrl: api.responseUrl() });
    const [opened] = await api.waitFor('views.open', (c) => c.body.trigger_id === triggerId);
    expect(opened!.body.view.callback_id).toBe('evidence_log');
  });

  it('a follow-up:7d entry is reminded on the seventh morning and not before; Done opens the form pre-filled', async () => {
    const entry = await bot.app.db.prisma.entry.findFirstOrThrow({ where: { summary: 'Sent Sam Taylor three roles to consider' } });
    const due = entry.followUpAt!;
    expect(due.getTime() - entry.createdAt.getTime()).toBeGreaterThan(6 * 86_400_000);

    await cli('jobs', 'run', 'followups', '--now', new Date(due.getTime() - 5 * 60_000).toISOString());
    await bot.settle();
    const isReminder = (m: Record<string, any>) => blocksText(m.blocks).includes('Follow-up due today');
    expect(postedTo(LEE_DM).filter(isReminder)).toEqual([]);

    await cli('jobs', 'run', 'followups', '--now', due.toISOString());
    await bot.settle();
    const [reminder] = postedTo(LEE_DM).filter(isReminder);
    expect(blocksText(reminder!.blocks)).toContain('Sent Sam Taylor three roles to consider');
    const buttons = buttonsIn(reminder!.blocks);
    expect(buttons.map((b) => b.text)).toEqual(['Done: log it', 'Snooze 1 day', 'Snooze 3 days']);

    // Someone else's click is refused and changes nothing.
    const refused = api.responseUrl();
    await bot.click({ user: PEOPLE.learner2, actionId: buttons[1]!.action_id, value: buttons[1]!.value!, responseUrl: refused });
    const [no] = await api.waitFor('respond', (c) => c.target === refused.split('/').pop());
    expect(blocksText(no!.body.blocks)).toContain('not one of yours');

    const snoozeUrl = api.responseUrl();
    await bot.click({ user: PEOPLE.learner, actionId: buttons[1]!.action_id, value: buttons[1]!.value!, responseUrl: snoozeUrl });
    const [snoozed] = await api.waitFor('respond', (c) => c.target === snoozeUrl.split('/').pop());
    expect(blocksText(snoozed!.body.blocks)).toContain("Snoozed: I'll remind you again");
    expect(snoozed!.body.replace_original).toBe(true);

    const triggerId = newTriggerId();
    await bot.click({ user: PEOPLE.learner, actionId: buttons[0]!.action_id, value: buttons[0]!.value!, triggerId, responseUrl: api.responseUrl() });
    const [form] = await api.waitFor('views.open', (c) => c.body.trigger_id === triggerId);
    const summary = form!.body.view.blocks.find((b: any) => b.block_id === 'summary');
    expect(summary.element.initial_value).toBe('Followed up: Sent Sam Taylor three roles to consider');
    const criteria = form!.body.view.blocks.find((b: any) => b.block_id === 'criteria');
    expect(criteria.element.initial_options.map((o: any) => o.value)).toEqual(['K/507/0949:2.1']);

    // Done is done: no more reminders for it.
    await cli('jobs', 'run', 'followups', '--now', new Date(due.getTime() + 3 * 86_400_000).toISOString());
    await bot.settle();
    expect(postedTo(LEE_DM).filter(isReminder)).toHaveLength(1);
  });

  it('the manager gets one digest naming each learner, and a second run sends nothing', async () => {
    await cli('jobs', 'run', 'digests', '--now', monday.toISOString());
    await bot.settle();
    const digests = postedTo(MORGAN_DM).filter((m) => blocksText(m.blocks).includes('Weekly digest'));
    expect(digests).toHaveLength(1);
    const text = blocksText(digests[0]!.blocks);
    for (const name of ['Lee Learner', 'Priya Patel', ...Array.from({ length: EXTRA }, (_, i) => `Extra Learner ${i}`)]) expect(text).toContain(name);
    expect(digests[0]!.blocks.length).toBeLessThanOrEqual(50);

    const again = await cli('jobs', 'run', 'digests', '--now', new Date(monday.getTime() + 15 * 60_000).toISOString());
    expect(again).toContain('"sent":0');
    await bot.settle();
    expect(postedTo(MORGAN_DM).filter((m) => blocksText(m.blocks).includes('Weekly digest'))).toHaveLength(1);
  });

  it('`settings` opens the check-in modal; saving a bad time zone is refused inline, a good one reschedules', async () => {
    const triggerId = newTriggerId();
    await bot.command('settings', { user: PEOPLE.learner2, triggerId });
    const [opened] = await api.waitFor('views.open', (c) => c.body.trigger_id === triggerId);
    const view = opened!.body.view;
    expect(view.callback_id).toBe('evidence_settings');
    expect(view.blocks.find((b: any) => b.block_id === 'timezone').element.initial_value).toBe('Europe/London');

    const values = (tz: string) => ({
      cadence: { cadence: { type: 'static_select', selected_option: { value: 'daily' } } },
      dayOfWeek: { dayOfWeek: { type: 'static_select', selected_option: { value: '1' } } },
      timeOfDay: { timeOfDay: { type: 'timepicker', selected_time: '08:30' } },
      timezone: { timezone: { type: 'plain_text_input', value: tz } },
      quietStart: { quietStart: { type: 'timepicker', selected_time: null } },
      quietEnd: { quietEnd: { type: 'timepicker', selected_time: null } },
      paused: { paused: { type: 'checkboxes', selected_options: [] } },
    });
    const submit = (viewId: string, tz: string) => bot.send(payloads.viewSubmission({ user: PEOPLE.learner2, viewId, values: values(tz), callbackId: 'evidence_settings', privateMetadata: '' }));
    const bad = await submit('VSET1', 'Mars/Olympus');
    expect(bad.json).toMatchObject({ response_action: 'errors', errors: { timezone: expect.stringContaining('is not a time zone I know') } });
    const good = await submit('VSET2', 'America/New_York');
    expect(good.json.response_action).toBe('update');
    expect(blocksText(good.json.view.blocks)).toContain('every day at 08:30');
    const settings = await bot.app.services.getSettings({ actor: PEOPLE.learner2 });
    expect(settings).toMatchObject({ cadence: 'daily', timeOfDay: '08:30', timezone: 'America/New_York' });
  });

  it('with the API failing 30% of calls and answering 429 to 10%, every message arrives exactly once', async () => {
    const nextWeek = new Date(monday.getTime() + WEEK);
    const before = (await bot.app.db.prisma.outboxMessage.findMany({ select: { id: true } })).map((o) => o.id);
    api.failShare('*', { kind: 'http', status: 503 }, 3);
    api.failShare('*', { kind: 'ratelimit', retryAfter: 2 }, 10);
    const callsBefore = api.calls.length;
    await cli('jobs', 'run', 'nudges', '--now', nextWeek.toISOString());
    await cli('jobs', 'run', 'digests', '--now', nextWeek.toISOString());
    await bot.settle();

    const slackPeople = (await bot.app.db.prisma.person.findMany({ where: { platform: 'slack' }, select: { id: true } })).map((p) => p.id);
    const thisPhase = { kind: { in: ['nudge', 'digest'] }, id: { notIn: before }, recipientId: { in: slackPeople } };
    // Run the outbox as the CLI does, an hour later each pass, until every message has gone.
    let at = nextWeek;
    for (let pass = 0; pass < 60 && (await bot.app.db.prisma.outboxMessage.count({ where: { ...thisPhase, status: 'pending' } })) > 0; pass++) {
      at = new Date(at.getTime() + 60 * 60_000);
      await cli('jobs', 'run', 'outbox', '--now', at.toISOString());
    }
    api.clearFaults();
    const chaos = api.calls.slice(callsBefore);
    expect(chaos.filter((c) => c.status === 503).length).toBeGreaterThan(3);
    expect(chaos.filter((c) => c.status === 429).length).toBeGreaterThan(0);

    const slackSent = await bot.app.db.prisma.outboxMessage.findMany({ where: thisPhase });
    expect(slackSent.length).toBeGreaterThanOrEqual(EXTRA + 3); // the extra learners, Lee, Priya, Morgan's digest
    expect(slackSent.every((r) => r.status === 'sent')).toBe(true);

    // Exactly once at Slack: one successful post per message, none twice.
    const delivered = chaos.filter((c) => c.method === 'chat.postMessage' && c.status === 200 && c.response?.ok);
    const bodies = delivered.map((c) => `${c.body.channel}|${JSON.stringify(c.body.blocks)}`);
    expect(new Set(bodies).size).toBe(bodies.length);
    const nudgesThisWeek = delivered.filter((c) => isNudge(c.body));
    const digestsThisWeek = delivered.filter((c) => blocksText(c.body.blocks).includes('Weekly digest'));
    const people = new Map((await bot.app.db.prisma.person.findMany()).map((p) => [p.id, p.externalId]));
    expect([...nudgesThisWeek, ...digestsThisWeek].map((c) => c.body.channel).sort(), JSON.stringify(slackSent.map((r) => [r.dedupeKey, people.get(r.recipientId), r.attempts, r.lastError]))).toEqual(
      slackSent.map((r) => `D${people.get(r.recipientId)!.replace(/^U/, '')}`).sort());
    expect(digestsThisWeek.map((c) => c.body.channel)).toEqual([MORGAN_DM]);
  });
});
