// Teams end to end: the real bot (startApp, embedded database, outbox worker) with a fake Bot
// Framework connector on loopback. Real activity JSON is posted to /api/messages; what people
// would see is read from the calls the bot made to the connector. (Teams switched off, the 401 on
// /api/messages, needs no bot: test/adapters/teams-disabled.test.ts.)
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/main.ts';
import { quietLogger, ROSTER_CSV } from '../helpers/context.ts';
import { migratedDataDir } from '../helpers/data-dir.ts';
import {
  activities, cardOf, postActivity, shownText, startFakeConnector, submitActions, TEAMS_USERS, type FakeConnector,
} from '../helpers/teams-harness.ts';

const { learner, assessor, outsider } = TEAMS_USERS;
/** Starting the whole bot (embedded database, migrations) is slow on a busy 2-core machine. */
const STARTUP_TIMEOUT = 180_000;

describe('Teams, end to end with a fake connector', () => {
  let app: App;
  let connector: FakeConnector;
  let dataDir: string;
  let base: string;

  beforeAll(async () => {
    dataDir = migratedDataDir('teams-e2e-');
    connector = await startFakeConnector();
    app = await startApp({ env: { PORT: '0', DATA_DIR: dataDir, TEAMS_ALLOW_UNAUTHENTICATED: 'true', LOG_LEVEL: 'silent' }, logger: quietLogger(), scheduler: false });
    base = `http://127.0.0.1:${app.port}`;
    await app.services.importRoster({ csv: ROSTER_CSV });
  }, STARTUP_TIMEOUT);

  afterAll(async () => {
    await app?.close();
    await connector?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('welcomes the assessor by name when they install the app', async () => {
    const res = await postActivity(base, activities.install(assessor, connector.url));
    expect(res.status).toBe(200);
    const [welcome] = connector.postedTo(assessor.conversationId);
    expect(shownText(welcome!.body)).toContain('Hi Ben Assessor');
  });

  it("confirms a learner's log in their chat, and the assessor gets the entry as a card with actions", async () => {
    const res = await postActivity(base, activities.message(learner, connector.url, 'log Screened three candidates for the warehouse role by phone #U14:1.1'));
    expect(res.status).toBe(200);
    const confirmation = connector.postedTo(learner.conversationId).at(-1)!;
    expect(shownText(confirmation.body)).toContain('Evidence recorded and sent to your assessor.');
    expect(shownText(confirmation.body)).toContain('Screened three candidates for the warehouse role by phone');

    await app.outbox.drain();
    const card = connector.postedTo(assessor.conversationId).at(-1)!;
    expect(cardOf(card.body)).toBeDefined();
    expect(shownText(card.body)).toContain('Evidence from Tess Teams');
    expect(shownText(card.body)).toContain('Screened three candidates');
    expect(submitActions(card.body).map((a) => a.title)).toEqual(['Approve', 'Request changes', 'Reject']);
    // A proactive message: a new message in the chat, not a reply to anything.
    expect(card.activityId).toBeUndefined();
  });

  it('lets the assessor decide from the card: the card is updated in place and the learner is told', async () => {
    const card = connector.postedTo(assessor.conversationId).at(-1)!;
    const buttons = submitActions(card.body);
    const changes = buttons.find((b) => b.title === 'Request changes')!;

    // Request changes with the feedback box left empty: refused, saying what to write; nothing changes.
    await postActivity(base, activities.submit(assessor, connector.url, { ...changes.data, feedback: '' }, card.id));
    expect(shownText(connector.postedTo(assessor.conversationId).at(-1)!.body)).toContain('Write the feedback the learner will see');

    // The learner forging a click on their own entry's Approve changes nothing either.
    const approve = buttons.find((b) => b.title === 'Approve')!;
    const learnerSeen = connector.postedTo(learner.conversationId).length;
    await postActivity(base, activities.submit(learner, connector.url, { ...approve.data, feedback: '' }, card.id));
    expect(connector.postedTo(learner.conversationId)).toHaveLength(learnerSeen + 1);
    expect(shownText(connector.postedTo(learner.conversationId).at(-1)!.body)).toContain("You can't assess your own evidence");

    await postActivity(base, activities.submit(assessor, connector.url, { ...approve.data, feedback: 'Good, clear record.' }, card.id));
    await app.outbox.drain();
    const [update] = connector.updatesOf(assessor.conversationId);
    expect(update).toMatchObject({ method: 'PUT', activityId: card.id });
    expect(submitActions(update!.body).map((a) => a.title)).not.toContain('Approve');
    const told = shownText(connector.postedTo(learner.conversationId).at(-1)!.body);
    expect(told).toContain('Your evidence was approved');
    expect(told).toContain('Good, clear record.');
    expect(shownText(update!.body)).toContain('Approved by Ben Assessor');
  });

  it('answers typed commands with the same words as Slack, progress as a card', async () => {
    await postActivity(base, activities.message(learner, connector.url, 'evidence progress'));
    const progress = connector.postedTo(learner.conversationId).at(-1)!;
    expect(cardOf(progress.body)).toBeDefined();
    expect(shownText(progress.body)).toContain('Progress: Tess Teams');

    await postActivity(base, activities.message(learner, connector.url, '<at>Evidence</at> wizardry'));
    expect(shownText(connector.postedTo(learner.conversationId).at(-1)!.body)).toContain("I don't know `wizardry`");
  });

  it('sends the logging form for "log" alone, and a submitted form is recorded once', async () => {
    await postActivity(base, activities.message(learner, connector.url, 'log'));
    const form = connector.postedTo(learner.conversationId).at(-1)!;
    expect(shownText(form.body)).toContain('What happened?');
    const [save] = submitActions(form.body);
    expect(save!.title).toBe('Save evidence');

    // A field error comes back as the form again, filled in, saying what to fix; nothing stored.
    const bad = { ...save!.data, summary: 'Ran a client call', criteria: '#U14:9.9', occurredOn: '', simulated: 'false', placement: 'false' };
    await postActivity(base, activities.submit(learner, connector.url, bad, form.id));
    const retry = connector.postedTo(learner.conversationId).at(-1)!;
    expect(shownText(retry.body)).toContain('is not one of your criteria');
    expect(shownText(retry.body)).toContain('Nothing was saved');

    const good = { ...bad, criteria: 'U14:1.2' };
    const before = connector.postedTo(assessor.conversationId).length;
    await postActivity(base, activities.submit(learner, connector.url, good, form.id));
    await postActivity(base, activities.submit(learner, connector.url, good, form.id)); // a double click
    expect(shownText(connector.postedTo(learner.conversationId).at(-1)!.body)).toContain('Evidence recorded');
    await app.outbox.drain();
    expect(connector.postedTo(assessor.conversationId).length).toBe(before + 1);
  });

  it('takes a request for changes with feedback; the learner edits from their card and the assessor sees it again', async () => {
    const card = connector.postedTo(assessor.conversationId).at(-1)!;
    expect(shownText(card.body)).toContain('Ran a client call');
    const changes = submitActions(card.body).find((b) => b.title === 'Request changes')!;
    await postActivity(base, activities.submit(assessor, connector.url, { ...changes.data, feedback: 'Say which client and what you agreed.' }, card.id));
    await app.outbox.drain();

    const notice = connector.postedTo(learner.conversationId).at(-1)!;
    expect(shownText(notice.body)).toContain('Say which client and what you agreed.');
    const edit = submitActions(notice.body).find((b) => b.title === 'Edit')!;
    await postActivity(base, activities.submit(learner, connector.url, edit.data, notice.id));
    const editCard = connector.postedTo(learner.conversationId).at(-1)!;
    expect(shownText(editCard.body)).toContain('Your assessor asked: Say which client and what you agreed.');
    const save = submitActions(editCard.body)[0]!;
    await postActivity(base, activities.submit(learner, connector.url, { ...save.data, text: 'Ran a client call with Acme Ltd and agreed a two-week shortlist #U14:1.2' }, editCard.id));
    await app.outbox.drain();

    const assessorSees = connector.postedTo(assessor.conversationId).map((c) => shownText(c.body)).join('\n');
    expect(assessorSees).toContain('Acme Ltd');
    const entryId = String(changes.data.value).split(':')[0];
    const history = connector.updatesOf(assessor.conversationId).flatMap((c) => submitActions(c.body)).find((b) => b.title === 'History' && b.data.value === entryId)!;
    await postActivity(base, activities.submit(assessor, connector.url, history.data));
    expect(shownText(connector.postedTo(assessor.conversationId).at(-1)!.body)).toContain('Say which client and what you agreed.');
  });

  it('politely refuses a tenant that is not on the roster, and stores nothing', async () => {
    const res = await postActivity(base, activities.message(outsider, connector.url, 'log Called Sam #U14:1.1'));
    expect(res.status).toBe(200);
    expect(shownText(connector.postedTo(outsider.conversationId).at(-1)!.body)).toContain("yours isn't on it, so nothing was saved");
  });
});
