// The Slack edge end to end: the real bot (HTTP server, Bolt, database, outbox) in front of a fake
// Slack Web API on loopback, driven by correctly signed requests with Slack's real payload shapes.
// Assertions are on what a person would see: the HTTP answers Slack shows them, and what the fake
// Slack API received (messages posted, modals opened, the home published).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PEOPLE } from '../helpers/context.ts';
import { blocksText, buttonsIn, startFakeSlackApi, type FakeSlackApi } from '../helpers/fake-slack-api.ts';
import { startBot, type Bot } from '../helpers/slack-bot.ts';
import { logFormValues, newTriggerId, payloads } from '../helpers/slack-payloads.ts';
import { activities, postActivity, TEAMS_USERS } from '../helpers/teams-harness.ts';

let api: FakeSlackApi;
let bot: Bot;

beforeAll(async () => {
  api = await startFakeSlackApi();
  bot = await startBot({ api });
});
afterAll(async () => {
  await bot?.close();
  await api?.close();
});

const entriesOf = async (who: typeof PEOPLE.learner) => (await bot.app.services.listEntries({ actor: who })).total;
const postedTo = (channel: string) => api.posted().filter((m) => m.channel === channel);
const ASSESSOR_DM = 'D0ASSESS1';
const LEARNER_DM = 'D0LEARN1';

describe('Slack, end to end', () => {
  it('is ready once the token is verified, and every Web API call went to SLACK_API_URL', async () => {
    const ready = await bot.get('/readyz');
    expect(ready.status).toBe(200);
    // The edge's own check beside the database's (a refused token: test/adapters/slack-startup.test.ts).
    expect(ready.json.checks).toContainEqual({ name: 'slack', ok: true, detail: 'token verified' });
    expect(ready.json.checks).toContainEqual({ name: 'database', ok: true });
    expect(api.callsTo('auth.test')[0]?.token).toBe('xoxb-test');
  });

  it('Teams is not configured on this bot: POST /api/messages on the same server answers 401', async () => {
    // What the switched-off edge answers and that it sends nothing: test/adapters/teams-disabled.test.ts.
    const res = await postActivity(bot.url, activities.message(TEAMS_USERS.learner, 'https://smba.example/', 'help'));
    expect(res.status).toBe(401);
  });

  it('`/evidence log` records the entry, answers only the learner, and the assessor gets the thread root with escaped text', async () => {
    const before = await entriesOf(PEOPLE.learner);
    const postsBefore = postedTo(ASSESSOR_DM).length;
    const res = await bot.command('log Called Sam <!channel> <@U0ADMIN1> see <https://evil.example|your bank> & more #U7:2.1 mins:20', { user: PEOPLE.learner });

    expect(res.status).toBe(200);
    expect(res.json.response_type).toBe('ephemeral');
    const seen = blocksText(res.json.blocks);
    expect(seen).toContain('Evidence recorded');
    expect(seen).toContain('U7 K/507/0949 2.1');
    expect(seen).toContain('Called Sam &lt;!channel&gt; &lt;@U0ADMIN1&gt; see &lt;https://evil.example|your bank&gt; &amp; more');
    expect(await entriesOf(PEOPLE.learner)).toBe(before + 1);

    await bot.settle();
    const roots = postedTo(ASSESSOR_DM).slice(postsBefore);
    expect(roots).toHaveLength(1);
    const root = roots[0]!;
    const text = blocksText(root.blocks) + root.text;
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<@U0ADMIN1>');
    expect(text).not.toContain('<https://evil.example');
    expect(buttonsIn(root.blocks).map((b) => b.action_id)).toEqual(['entry.approve', 'entry.changes', 'entry.reject']);
    expect(api.callsTo('conversations.open').some((c) => c.body.users === 'U0ASSESS1')).toBe(true);
  });

  it('a replayed Slack retry (X-Slack-Retry-Num, same body) stores nothing twice and posts nothing twice', async () => {
    const payload = payloads.slashCommand({ user: PEOPLE.learner, text: 'log Reviewed a candidate\'s CV with them #U7:1.1', triggerId: newTriggerId(), responseUrl: api.responseUrl() });
    const before = await entriesOf(PEOPLE.learner);

    const first = await bot.send(payload);
    await bot.settle();
    const postsAfterFirst = api.posted().length;
    const respondsAfterFirst = api.responses().length;

    const retry = await bot.send(payload, { retryNum: 1 });
    await bot.settle();

    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    // Slack shows the retry's answer: the same confirmation, not an error.
    expect(blocksText(retry.json.blocks)).toContain('Evidence recorded');
    expect(await entriesOf(PEOPLE.learner)).toBe(before + 1);
    expect(api.posted().length).toBe(postsAfterFirst);
    expect(api.responses().length).toBe(respondsAfterFirst);
  });

  it('`/evidence list` and `/evidence progress` answer with the entries and text progress bars', async () => {
    const list = await bot.command('list', { user: PEOPLE.learner });
    expect(list.status).toBe(200);
    expect(list.json.response_type).toBe('ephemeral');
    const listed = blocksText(list.json.blocks);
    expect(listed).toContain('Your recent entries');
    expect(listed).toContain('Reviewed a candidate');
    expect(listed).toContain('Waiting for assessment');

    const progress = await bot.command('progress', { user: PEOPLE.learner });
    const shown = blocksText(progress.json.blocks);
    expect(shown).toContain('Progress: Lee Learner');
    expect(shown).toContain('Credits');
    expect(shown).toMatch(/[▓░]{10}/);
    expect(shown).toContain('U7 K/507/0949');
    expect(progress.json.blocks.length).toBeLessThanOrEqual(50);
  });

  it('`/evidence` alone opens the logging modal with the trigger ID', async () => {
    const triggerId = newTriggerId();
    const res = await bot.command('', { user: PEOPLE.learner, triggerId });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');

    const [opened] = await api.waitFor('views.open', (c) => c.body.trigger_id === triggerId);
    const view = opened!.body.view;
    expect(view.type).toBe('modal');
    expect(view.callback_id).toBe('evidence_log');
    expect(view.title.text.length).toBeLessThanOrEqual(24);
    expect(view.private_metadata.length).toBeLessThanOrEqual(3000);
    const criteria = view.blocks.find((b: any) => b.block_id === 'criteria');
    expect(criteria.element.type).toBe('multi_external_select');
    const kinds = view.blocks.find((b: any) => b.block_id === 'kind').element.options.map((o: any) => o.text.text);
    expect(kinds).toEqual(['Networking contact', 'Candidate', 'Client', 'Colleague', 'Other']);
    const channels = view.blocks.find((b: any) => b.block_id === 'channel').element.options.map((o: any) => o.text.text);
    expect(channels).toEqual(['Phone', 'Email', 'Video', 'Face to face', 'Social media', 'Event']);
  });

  it('the criteria picker (block_suggestion) returns the learner\'s matching criteria', async () => {
    const byTag = await bot.suggest({ user: PEOPLE.learner, actionId: 'criteria', value: 'U7:2' });
    expect(byTag.status).toBe(200);
    const values: string[] = byTag.json.options.map((o: any) => o.value);
    expect(values.length).toBeGreaterThan(0);
    expect(values.every((v) => v.startsWith('K/507/0949:2.'))).toBe(true);
    expect(byTag.json.options.every((o: any) => o.text.text.length <= 75)).toBe(true);

    const byWords = await bot.suggest({ user: PEOPLE.learner, actionId: 'criteria', value: 'candidates feedback' });
    expect(byWords.json.options.map((o: any) => o.value)).toContain('K/507/0949:2.1');

    const stranger = await bot.suggest({ user: PEOPLE.stranger, actionId: 'criteria', value: 'U7' });
    expect(stranger.json.options).toEqual([]);
  });

  it('a view_submission records the entry, closes the modal and DMs the confirmation once, however often it is submitted', async () => {
    const before = await entriesOf(PEOPLE.learner);
    const learnerPosts = postedTo(LEARNER_DM).length;
    const assessorPosts = postedTo(ASSESSOR_DM).length;
    const values = logFormValues({
      summary: 'Met <@U0ADMIN1> & a client at the jobs fair <!here>',
      criteria: ['K/507/0949:1.4', 'K/507/0949:2.1'],
      occurredAt: new Date(Date.now() - 3_600_000),
      kind: 'client',
      channel: 'event',
      outcome: 'Two vacancies to follow up',
      minutes: 45,
    });

    const res = await bot.submitLogForm({ user: PEOPLE.learner, viewId: 'V0SUBMIT1', values });
    expect(res.status).toBe(200);
    expect(res.text).toBe(''); // an empty ack closes the modal
    const again = await bot.submitLogForm({ user: PEOPLE.learner, viewId: 'V0SUBMIT1', values });
    expect(again.status).toBe(200);
    await bot.settle();

    expect(await entriesOf(PEOPLE.learner)).toBe(before + 1);
    const confirmations = postedTo(LEARNER_DM).slice(learnerPosts);
    expect(confirmations).toHaveLength(1);
    const confirmation = blocksText(confirmations[0]!.blocks);
    expect(confirmation).toContain('Evidence recorded');
    expect(confirmation).toContain('Met &lt;@U0ADMIN1&gt; &amp; a client at the jobs fair &lt;!here&gt;');
    expect(confirmation).toContain('45 min off-the-job');
    const roots = postedTo(ASSESSOR_DM).slice(assessorPosts);
    expect(roots).toHaveLength(1);
    expect(blocksText(roots[0]!.blocks)).toContain('Client');
    expect(blocksText(roots[0]!.blocks)).not.toContain('<!here>');
  });

  it('field errors come back inline in the modal, and nothing is stored', async () => {
    const before = await entriesOf(PEOPLE.learner);
    const pastFollowUp = await bot.submitLogForm({
      user: PEOPLE.learner, viewId: 'V0ERRORS1',
      values: logFormValues({ summary: 'Called a candidate', criteria: ['K/507/0949:2.1'], followUp: '2020-01-01' }),
    });
    expect(pastFollowUp.json).toEqual({ response_action: 'errors', errors: { followUp: expect.stringContaining('follow-up date has already passed') } });

    const noCriteria = await bot.submitLogForm({ user: PEOPLE.learner, viewId: 'V0ERRORS2', values: logFormValues({ summary: 'Called a candidate', criteria: [] }) });
    expect(noCriteria.json.response_action).toBe('errors');
    expect(noCriteria.json.errors.criteria).toContain('Choose at least one criterion');

    const notMine = await bot.submitLogForm({ user: PEOPLE.learner2, viewId: 'V0ERRORS3', values: logFormValues({ summary: 'Called a candidate', criteria: ['L/506/1788:1.1'] }) });
    // Priya did not choose optional unit U16: the core refuses the criterion, under the criteria input.
    expect(notMine.json.response_action).toBe('errors');
    expect(notMine.json.errors.criteria).toContain('not one of your criteria');

    expect(await entriesOf(PEOPLE.learner)).toBe(before);
  });

  it('a form from an older version of the app (an unknown callback_id) is closed, and nothing is stored', async () => {
    const before = await entriesOf(PEOPLE.learner);
    const res = await bot.send(payloads.viewSubmission({
      user: PEOPLE.learner, viewId: 'V0OLDFORM', callbackId: 'evidence_log_v0', privateMetadata: '',
      values: logFormValues({ summary: 'Called a candidate', criteria: ['K/507/0949:2.1'] }),
    }));
    expect(res.status).toBe(200);
    expect(res.text).toBe(''); // an empty acknowledgement: Slack closes the modal
    expect(await entriesOf(PEOPLE.learner)).toBe(before);
  });

  it('what the bot has no handler for (a closed modal, a shortcut, another command) is acknowledged at once and changes nothing', async () => {
    const before = await entriesOf(PEOPLE.learner);
    const posted = api.posted().length;
    for (const payload of [
      payloads.viewClosed({ user: PEOPLE.learner, viewId: 'V0CLOSED' }),
      payloads.messageShortcut({ user: PEOPLE.learner, callbackId: 'save_as_evidence' }),
      payloads.slashCommand({ user: PEOPLE.learner, text: 'log Called Sam #U7:2.1', command: '/portfolio' }),
    ]) {
      const res = await bot.send(payload);
      expect(res.status, payload.body.slice(0, 60)).toBe(200);
      expect(res.text).toBe('');
    }
    await bot.settle();
    expect(await entriesOf(PEOPLE.learner)).toBe(before);
    expect(api.posted().length).toBe(posted);
  });

  it('unsigned, badly signed and stale requests get 401 and change nothing', async () => {
    await bot.settle();
    const before = await entriesOf(PEOPLE.learner);
    const callsBefore = api.calls.length;
    const text = 'log Forged entry #U7:2.1';

    expect((await bot.command(text, { user: PEOPLE.learner, unsigned: true })).status).toBe(401);
    expect((await bot.command(text, { user: PEOPLE.learner, secret: 'not-the-signing-secret' })).status).toBe(401);
    expect((await bot.command(text, { user: PEOPLE.learner, timestamp: Math.floor(Date.now() / 1000) - 600 })).status).toBe(401);
    expect((await bot.submitLogForm({ user: PEOPLE.learner, viewId: 'V0FORGED', values: logFormValues({ summary: 'x', criteria: ['K/507/0949:2.1'] }), unsigned: true })).status).toBe(401);

    await bot.settle();
    expect(await entriesOf(PEOPLE.learner)).toBe(before);
    expect(api.calls.length).toBe(callsBefore);
  });

  it('someone not on the roster gets the polite message saying who to ask, and nothing is stored', async () => {
    await bot.settle();
    // The refusal itself comes through response_url (a write is acknowledged first); nothing else goes out.
    const apiCalls = () => api.calls.filter((c) => c.method !== 'respond').length;
    const callsBefore = apiCalls();
    const res = await bot.command('log I was never added #U7:2.1', { user: PEOPLE.stranger });
    expect(res.status).toBe(200);
    expect(res.json.response_type).toBe('ephemeral');
    const said = blocksText(res.json.blocks);
    expect(said).toContain("not on the evidence bot's roster");
    expect(said).toContain('Alex Admin');
    await bot.settle();
    expect(apiCalls()).toBe(callsBefore);

    await bot.openHome(PEOPLE.stranger);
    const [home] = await api.waitFor('views.publish', (c) => c.body.user_id === PEOPLE.stranger.userId);
    expect(blocksText(home!.body.view.blocks)).toContain('Alex Admin');
  });

  it('App Home: the learner sees progress, recent entries and "Log evidence"; the assessor sees what waits for them', async () => {
    const published = () => api.callsTo('views.publish');
    const n = published().length;
    await bot.openHome(PEOPLE.learner);
    await api.waitFor('views.publish', n + 1);
    const learnerHome = published()[n]!.body;
    expect(learnerHome.user_id).toBe(PEOPLE.learner.userId);
    expect(learnerHome.view.type).toBe('home');
    expect(learnerHome.view.blocks.length).toBeLessThanOrEqual(100);
    const learnerText = blocksText(learnerHome.view.blocks);
    expect(learnerText).toContain('Credits');
    expect(learnerText).toContain('Recent entries');
    expect(learnerText).toContain('Waiting for assessment');
    expect(buttonsIn(learnerHome.view.blocks).map((b) => b.text)).toContain('Log evidence');

    await bot.openHome(PEOPLE.assessor);
    await api.waitFor('views.publish', n + 2);
    const assessorText = blocksText(published()[n + 1]!.body.view.blocks);
    expect(assessorText).toContain('Waiting for you');
    expect(assessorText).toContain('Lee Learner');
    expect(assessorText).toContain('Needs a decision');
  });

  it('"Log evidence" on the App Home opens the form; "Log 2.1" under `/evidence criteria U7` opens it with 2.1 chosen', async () => {
    const homeTrigger = newTriggerId();
    await bot.click({ user: PEOPLE.learner, actionId: 'evidence.open_form', value: 'home', triggerId: homeTrigger });
    const [homeOpen] = await api.waitFor('views.open', (c) => c.body.trigger_id === homeTrigger);
    expect(homeOpen!.body.view.callback_id).toBe('evidence_log');

    const criteria = await bot.command('criteria U7', { user: PEOPLE.learner });
    const buttons = buttonsIn(criteria.json.blocks);
    const log21 = buttons.find((b) => b.text === 'Log 2.1')!;
    expect(log21.action_id.split('~')[0]).toBe('criterion.log');
    for (const block of criteria.json.blocks.filter((b: any) => b.type === 'actions')) {
      const ids = block.elements.map((e: any) => e.action_id);
      expect(new Set(ids).size).toBe(ids.length); // Slack refuses duplicate action IDs in a block
    }

    const triggerId = newTriggerId();
    await bot.click({ user: PEOPLE.learner, actionId: log21.action_id, value: log21.value!, triggerId, responseUrl: api.responseUrl() });
    const [opened] = await api.waitFor('views.open', (c) => c.body.trigger_id === triggerId);
    const picker = opened!.body.view.blocks.find((b: any) => b.block_id === 'criteria').element;
    expect(picker.initial_options).toEqual([{ text: expect.objectContaining({ text: expect.stringMatching(/^U7 2\.1 /) }), value: 'K/507/0949:2.1' }]);
  });

  it('"More" under `/evidence list` pages the list in place', async () => {
    for (let i = 1; i <= 9; i++) {
      const r = await bot.command(`log Weekly candidate check-in number ${i} #U7:2.1`, { user: PEOPLE.learner });
      expect(blocksText(r.json.blocks)).toContain('Evidence recorded');
    }
    const total = await entriesOf(PEOPLE.learner);
    expect(total).toBeGreaterThan(10);
    const list = await bot.command('list', { user: PEOPLE.learner });
    const more = buttonsIn(list.json.blocks).find((b) => b.action_id === 'entries.more')!;
    expect(more.value).toBe('all:1');

    const responseUrl = api.responseUrl();
    await bot.click({ user: PEOPLE.learner, actionId: 'entries.more', value: more.value!, responseUrl });
    const [answer] = await api.waitFor('respond', (c) => `${api.origin}/respond/${c.target}` === responseUrl);
    const page2 = answer!.body;
    expect(page2.replace_original).toBe(true);
    expect(page2.response_type).toBe('ephemeral');
    expect(blocksText(page2.blocks)).toContain(`(11–${total} of ${total})`);
  });

  it('the assessor\'s message survives Slack rate-limiting it: retried after Retry-After, delivered once', async () => {
    const assessorPosts = postedTo(ASSESSOR_DM).length;
    api.failNext('chat.postMessage', { kind: 'ratelimit', retryAfter: 1 });
    const res = await bot.command('log Followed up a placement by phone #U7:2.1', { user: PEOPLE.learner });
    expect(blocksText(res.json.blocks)).toContain('Evidence recorded');

    await bot.deliverUntil(() => postedTo(ASSESSOR_DM).length > assessorPosts);
    expect(api.callsTo('chat.postMessage').some((c) => c.status === 429)).toBe(true);
    expect(postedTo(ASSESSOR_DM).slice(assessorPosts)).toHaveLength(1);
  });

  it('`/evidence export` uploads the portfolio into the learner\'s DM', async () => {
    const res = await bot.command('export', { user: PEOPLE.learner });
    expect(blocksText(res.json.blocks)).toContain('Sending your evidence portfolio');
    const [complete] = await api.waitFor('files.completeUploadExternal', 1);
    expect(complete!.body.channel_id).toBe(LEARNER_DM);
    const upload = api.callsTo('upload').at(-1)!;
    expect(upload.body.content).toContain('K/507/0949');
    expect(api.callsTo('files.getUploadURLExternal').at(-1)!.body.filename).toMatch(/^portfolio-lee-learner\.html$/);
  });
});
