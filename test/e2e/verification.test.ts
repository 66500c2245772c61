// Assessor verification end to end in Slack: the real bot (HTTP, Bolt, database, outbox) in front of
// the fake Slack Web API, driven by signed requests with Slack's payload shapes. What is asserted is
// what people would see: the thread root with its buttons, ephemeral refusals, modals, messages
// updated in place, DMs, and the entry's history.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOBS } from '../../jobs/registry.ts';
import { runCliCommand } from '../../src/cli/commands.ts';
import { PEOPLE } from '../helpers/context.ts';
import { blocksText, buttonsIn, startFakeSlackApi, type FakeSlackApi } from '../helpers/fake-slack-api.ts';
import { startBot, type Bot } from '../helpers/slack-bot.ts';
import { payloads } from '../helpers/slack-payloads.ts';

const EXTRA = readFileSync(fileURLToPath(new URL('../fixtures/verification-roster.csv', import.meta.url)), 'utf8');
const WHO = {
  ...PEOPLE,
  qualified2: { platform: 'slack', workspaceId: 'T0CENTRE', userId: 'U0ASSESS3' },
  otherAssessor: { platform: 'slack', workspaceId: 'T0OTHER', userId: 'U0OTHER1' },
} as const;
type Who = (typeof WHO)[keyof typeof WHO];

let api: FakeSlackApi;
let bot: Bot;

beforeAll(async () => {
  api = await startFakeSlackApi();
  bot = await startBot({ api });
  const r = await bot.app.services.importRoster({ csv: EXTRA });
  expect(r.refused).toEqual([]);
});
afterAll(async () => {
  await bot?.close();
  await api?.close();
});

const dm = (userId: string) => `D${userId.replace(/^U/, '')}`;
const postedTo = (userId: string) => api.posted().filter((m) => m.channel === dm(userId));
const updatesOf = (ts: string) => api.callsTo('chat.update').filter((c) => c.body.ts === ts).map((c) => c.body);
const text = (m: { blocks?: unknown; text?: string }) => `${blocksText(m.blocks)}\n${m.text ?? ''}`;
const statusOf = async (entryId: string) => (await bot.app.ctx.db.entry.findUniqueOrThrow({ where: { id: entryId } })).status;

/** Logs an entry with `/evidence log` and returns it with its thread root in the assessor's DM. */
async function logAndFindRoot(who: Who, assessorId: string, summary: string) {
  const before = postedTo(assessorId).length;
  const res = await bot.command(`log ${summary} #U7:1.1`, { user: who });
  expect(res.status).toBe(200);
  await bot.settle();
  const root = postedTo(assessorId).slice(before).find((m) => text(m).includes(summary))!;
  expect(root).toBeDefined();
  const approve = buttonsIn(root.blocks).find((b) => b.action_id === 'entry.approve')!;
  const entryId = approve.value!.split(':')[0]!;
  // Slack gave the root its ts in the API's answer; the bot recorded it with the entry.
  const posted = await bot.app.ctx.db.postedMessage.findFirstOrThrow({ where: { entryId, purpose: 'entry_root' } });
  return { root: { ...root, ts: posted.messageId } as Record<string, any>, entryId, value: approve.value!, confirmation: res.json };
}

/** Clicks a button in a message and returns what the person was told ephemerally (via response_url). */
async function click(who: Who, actionId: string, value: string) {
  const responseUrl = api.responseUrl();
  const res = await bot.click({ user: who, actionId, value, responseUrl });
  expect(res.status).toBe(200);
  const id = responseUrl.split('/').pop();
  const answers = () => api.callsTo('respond').filter((c) => c.target === id);
  await bot.deliverUntil(() => answers().length > 0);
  await bot.settle();
  return answers().map((c) => c.body);
}

/** Clicks a button that opens a modal; returns the modal Slack was asked to open. */
async function openModal(who: Who, actionId: string, value: string) {
  const before = api.callsTo('views.open').length;
  const res = await bot.click({ user: who, actionId, value, responseUrl: api.responseUrl() });
  expect(res.status).toBe(200);
  const opened = await api.waitFor('views.open', before + 1);
  return opened[before]!.body.view;
}

async function submitModal(who: Who, view: { private_metadata: string }, values: Record<string, unknown>, viewId = `V${Math.random().toString(36).slice(2, 10)}`) {
  return bot.send(payloads.viewSubmission({ user: who, viewId, callbackId: 'verification_form', privateMetadata: view.private_metadata, values }));
}
const typed = (value: string) => ({ value: { value: { type: 'plain_text_input', value } } });
const chosen = (value: string) => ({ value: { value: { type: 'static_select', selected_option: { value, text: { type: 'plain_text', text: value } } } } });

describe('Assessor verification in Slack, end to end', () => {
  it('the assessor\'s thread root arrives with Approve, Request changes and Reject; forged and outside clicks change nothing; the assessor approves and the learner is told', async () => {
    const { root, entryId, value } = await logAndFindRoot(WHO.learner, 'U0ASSESS1', 'Called Sam to check in after placement');
    expect(buttonsIn(root.blocks).map((b) => b.text)).toEqual(['Approve', 'Request changes', 'Reject']);
    expect(text(root)).toContain('Evidence from Lee Learner');

    // The learner forges the assessor's click: same payload, their own user ID.
    const updatesBefore = api.callsTo('chat.update').length;
    const forged = await click(WHO.learner, 'entry.approve', value);
    expect(forged).toHaveLength(1);
    expect(forged[0]!.response_type).toBe('ephemeral');
    expect(text(forged[0]!)).toContain("can't assess your own evidence");
    // An assessor from another workspace, and an unqualified one who is not Lee's.
    expect(text((await click(WHO.otherAssessor, 'entry.approve', value))[0]!)).toContain('another workspace');
    expect(text((await click(WHO.unqualifiedAssessor, 'entry.approve', value))[0]!)).toContain("can't stand in");
    expect(text((await click(WHO.manager, 'entry.reject', value))[0]!)).toContain("Lee Learner's manager");
    expect(await statusOf(entryId)).toBe('pending');
    expect(api.callsTo('chat.update').length).toBe(updatesBefore);

    const learnerBefore = postedTo('U0LEARN1').length;
    const ok = await click(WHO.assessor, 'entry.approve', value);
    expect(text(ok[0]!)).toContain('Approved: recorded, and Lee Learner has been told');
    await bot.settle();
    expect(await statusOf(entryId)).toBe('approved');
    const rootUpdate = updatesOf(root.ts).at(-1)!;
    expect(text(rootUpdate)).toContain('Approved by Ava Assessor');
    expect(buttonsIn(rootUpdate.blocks).map((b) => b.action_id)).toEqual(['entry.history']);
    const told = postedTo('U0LEARN1').slice(learnerBefore);
    expect(told.map(text).join('\n')).toContain('Your evidence was approved');

    // Approve pressed again (a double click): nothing new is posted.
    const posts = api.posted().length;
    const again = await click(WHO.assessor, 'entry.approve', value);
    expect(text(again[0]!)).toContain('nothing more was sent');
    await bot.settle();
    expect(api.posted().length).toBe(posts);
  });

  it('an unqualified assessor\'s approval waits until a qualified one countersigns it', async () => {
    const { entryId, value } = await logAndFindRoot(WHO.learner2, 'U0ASSESS2', 'Wrote a job advert for a resourcer role');
    const priyaBefore = postedTo('U0LEARN2').length;
    const quinnBefore = postedTo('U0ASSESS3').length;
    const r = await click(WHO.unqualifiedAssessor, 'entry.approve', value);
    expect(text(r[0]!)).toContain('takes effect when a qualified assessor countersigns');
    await bot.settle();
    expect(await statusOf(entryId)).toBe('awaiting_countersignature');
    expect(postedTo('U0LEARN2').length).toBe(priyaBefore);

    const request = postedTo('U0ASSESS3').slice(quinnBefore).find((m) => text(m).includes('Countersignature needed'))!;
    const requestTs = (await bot.app.ctx.db.postedMessage.findFirstOrThrow({ where: { entryId, purpose: { startsWith: 'countersign:' }, conversationId: dm('U0ASSESS3') } })).messageId;
    const countersign = buttonsIn(request.blocks).find((b) => b.action_id === 'decision.countersign')!;
    // Umar cannot countersign his own decision.
    expect(text((await click(WHO.unqualifiedAssessor, 'decision.countersign', countersign.value!))[0]!)).toContain('You made this decision');
    expect(await statusOf(entryId)).toBe('awaiting_countersignature');

    const done = await click(WHO.qualified2, 'decision.countersign', countersign.value!);
    expect(text(done[0]!)).toContain('Countersigned');
    await bot.settle();
    expect(await statusOf(entryId)).toBe('approved');
    expect(postedTo('U0LEARN2').slice(priyaBefore).map(text).join('\n')).toContain('Your evidence was approved');
    // Quinn's request lost its buttons; Ava's (also asked) too.
    const closed = api.callsTo('chat.update').map((c) => c.body).filter((b) => b.ts === requestTs || text(b).includes('Countersigned by Quinn Qualified'));
    expect(closed.some((b) => b.ts === requestTs)).toBe(true);
    expect(closed.length).toBeGreaterThanOrEqual(2);
    for (const c of closed) expect(buttonsIn(c.blocks).map((b) => b.action_id)).not.toContain('decision.countersign');
  });

  it('Request changes opens a modal that requires feedback; the learner edits from `/evidence list changes` and the assessor gets fresh buttons in the same thread', async () => {
    const { root, entryId, value } = await logAndFindRoot(WHO.learner, 'U0ASSESS1', 'Met a client about two vacancies');
    const modal = await openModal(WHO.assessor, 'entry.changes', value);
    expect(modal.callback_id).toBe('verification_form');
    expect(modal.title.text).toBe('Request changes');
    expect(blocksText(modal.blocks)).toContain('Met a client about two vacancies');

    const empty = await submitModal(WHO.assessor, modal, typed('   '));
    expect(empty.json).toEqual({ response_action: 'errors', errors: { value: expect.stringContaining('Write the feedback') } });
    expect(await statusOf(entryId)).toBe('pending');
    // The learner posting the assessor's modal (a forged submission) is refused and changes nothing.
    const forged = await submitModal(WHO.learner, modal, typed('self-approved'));
    expect(forged.json.response_action).toBe('update');
    expect(blocksText(forged.json.view.blocks)).toContain("can't assess your own evidence");
    expect(await statusOf(entryId)).toBe('pending');

    const ok = await submitModal(WHO.assessor, modal, typed('Which vacancies? Add the outcome.'));
    expect(ok.json.response_action).toBe('update');
    expect(blocksText(ok.json.view.blocks)).toContain('Changes requested: recorded');
    await bot.settle();
    expect(await statusOf(entryId)).toBe('changes_requested');
    const dmToLee = postedTo('U0LEARN1').at(-1)!;
    expect(text(dmToLee)).toContain('Which vacancies? Add the outcome.');

    const list = await bot.command('list changes', { user: WHO.learner });
    const edit = buttonsIn(list.json.blocks).find((b) => b.action_id === 'entry.edit' && b.value!.startsWith(entryId))!;
    const editModal = await openModal(WHO.learner, 'entry.edit', edit.value!);
    expect(editModal.title.text).toBe('Edit evidence');
    const input = editModal.blocks.find((b: any) => b.block_id === 'value');
    expect(input.element.initial_value).toBe('Met a client about two vacancies #U7:1.1');
    expect(blocksText(editModal.blocks)).toContain('Which vacancies? Add the outcome.');
    const saved = await submitModal(WHO.learner, editModal, typed('Met a client about two resourcer vacancies; agreed to send three CVs by Friday #U7:1.1 #U7:1.2'));
    expect(blocksText(saved.json.view.blocks)).toContain('sent back to your assessor');
    await bot.settle();
    expect(await statusOf(entryId)).toBe('pending');
    const reopened = updatesOf(root.ts).at(-1)!;
    expect(text(reopened)).toContain('Edited by Lee Learner after changes were requested');
    expect(buttonsIn(reopened.blocks).map((b) => b.value)).toEqual([`${entryId}:3`, `${entryId}:3`, `${entryId}:3`]);
    const note = api.posted().filter((m) => m.thread_ts === root.ts).map(text).join('\n');
    expect(note).toContain('Edited by the learner');
  });

  it('the assessor decides by replying in the thread; a learner replying "approve" there is refused ephemerally', async () => {
    const { root, entryId } = await logAndFindRoot(WHO.learner, 'U0ASSESS1', 'Screened four candidates by phone');
    const reply = (who: Who, words: string, ts: string) => bot.send(payloads.eventCallback({
      teamId: who.workspaceId,
      event: { type: 'message', channel: dm('U0ASSESS1'), user: who.userId, text: words, ts, thread_ts: root.ts, channel_type: 'im', event_ts: ts },
    }));
    const ephemeralsBefore = api.callsTo('chat.postEphemeral').length;
    expect((await reply(WHO.learner, 'approve', '1790009999.000001')).status).toBe(200);
    await api.waitFor('chat.postEphemeral', ephemeralsBefore + 1);
    const refusal = api.callsTo('chat.postEphemeral').at(-1)!.body;
    expect(refusal.user).toBe('U0LEARN1');
    expect(text(refusal)).toContain("can't assess your own evidence");
    expect(await statusOf(entryId)).toBe('pending');

    expect((await reply(WHO.assessor, 'Changes: say which roles they were', '1790009999.000002')).status).toBe(200);
    await bot.deliverUntil(() => updatesOf(root.ts).length > 0);
    expect(await statusOf(entryId)).toBe('changes_requested');
    expect(text(updatesOf(root.ts).at(-1)!)).toContain('Changes requested by Ava Assessor');
    // The same event delivered again decides nothing new.
    await reply(WHO.assessor, 'Changes: say which roles they were', '1790009999.000002');
    await bot.settle();
    expect(await bot.app.ctx.db.decision.count({ where: { entryId } })).toBe(1);
  });

  it('a witness statement is requested by the learner, written by the manager, and shown in the assessor\'s thread', async () => {
    const { root, entryId, confirmation } = await logAndFindRoot(WHO.learner, 'U0ASSESS1', 'Ran a candidate open evening');
    const ask = buttonsIn(confirmation.blocks).find((b) => b.action_id === 'entry.witness')!;
    const choose = await openModal(WHO.learner, 'entry.witness', ask.value!);
    const select = choose.blocks.find((b: any) => b.block_id === 'value').element;
    expect(select.initial_option.text.text).toBe('Morgan Manager (your manager)');
    const asked = await submitModal(WHO.learner, choose, chosen(select.initial_option.value));
    expect(blocksText(asked.json.view.blocks)).toContain('Asked Morgan Manager');
    await bot.settle();

    const card = postedTo('U0MANAGE1').find((m) => text(m).includes('Ran a candidate open evening'))!;
    const write = buttonsIn(card.blocks).find((b) => b.action_id === 'witness.write')!;
    // Only Morgan may write it.
    expect(text((await click(WHO.learner, 'witness.write', write.value!))[0]!)).toContain('Only the person who was asked');
    const form = await openModal(WHO.manager, 'witness.write', write.value!);
    const sent = await submitModal(WHO.manager, form, typed('Lee ran the evening and signed up six candidates.'));
    expect(blocksText(sent.json.view.blocks)).toContain('your statement is attached');
    await bot.settle();
    const thread = api.posted().filter((m) => m.thread_ts === root.ts).map(text).join('\n');
    expect(thread).toContain('Witness statement from Morgan Manager (manager)');
    expect(thread).toContain('signed up six candidates');
    const cardTs = (await bot.app.ctx.db.postedMessage.findFirstOrThrow({ where: { entryId, purpose: { startsWith: 'witness_request:' } } })).messageId;
    expect(buttonsIn(updatesOf(cardTs).at(-1)!.blocks)).toEqual([]);

    // The assessor approves it; the history shows every step.
    await click(WHO.assessor, 'entry.approve', `${entryId}:1`);
    const history = await click(WHO.assessor, 'entry.history', entryId);
    const h = text(history[0]!);
    expect(h).toMatch(/Logged by Lee Learner[\s\S]*Witness statement requested by Lee Learner[\s\S]*Witness statement received by Morgan Manager[\s\S]*Approved by Ava Assessor/);
  });

  it('the weekly IQA sample arrives (`jobs run iqa-sampling`) and the IQA confirms it; the assessor is told', async () => {
    const out: string[] = [];
    const nextWeek = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const code = await runCliCommand(['jobs', 'run', 'iqa-sampling', '--now', nextWeek], { ...bot.app, jobs: JOBS, out: (l) => out.push(l), exportDir: bot.dataDir });
    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(/iqa-sampling at .*"sent":[1-9]/);
    await bot.settle();
    const cards = postedTo('U0IQA1').filter((m) => buttonsIn(m.blocks).some((b) => b.action_id === 'iqa.confirm'));
    expect(cards.length).toBeGreaterThan(0);
    expect(text(cards[0]!)).toContain('IQA sample');

    // Nobody but Iris may review it; Iris confirms.
    const confirm = buttonsIn(cards[0]!.blocks).find((b) => b.action_id === 'iqa.confirm')!;
    expect(text((await click(WHO.assessor, 'iqa.confirm', confirm.value!))[0]!)).toContain('Only the IQA this sample was sent to');
    const avaBefore = postedTo('U0ASSESS1').length + postedTo('U0ASSESS2').length;
    expect(text((await click(WHO.iqa, 'iqa.confirm', confirm.value!))[0]!)).toContain('Confirmed');
    await bot.settle();
    const toAssessors = [...postedTo('U0ASSESS1'), ...postedTo('U0ASSESS2'), ...postedTo('U0ASSESS3')].map(text).join('\n');
    expect(toAssessors).toContain('Iris Quality (IQA) confirmed your decision');
    expect(postedTo('U0ASSESS1').length + postedTo('U0ASSESS2').length).toBeGreaterThanOrEqual(avaBefore);

    // A rerun for the same week sends nothing more.
    const posts = api.posted().length;
    const again: string[] = [];
    await runCliCommand(['jobs', 'run', 'iqa-sampling', '--now', nextWeek], { ...bot.app, jobs: JOBS, out: (l) => again.push(l), exportDir: bot.dataDir });
    expect(again.join('\n')).toContain('"alreadyDone":true');
    await bot.settle();
    expect(api.posted().length).toBe(posts);
  });
});
