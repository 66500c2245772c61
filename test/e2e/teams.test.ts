// Teams end to end: the real bot (startApp, embedded database, outbox worker) with a fake Bot
// Framework connector on loopback. Real activity JSON is posted to /api/messages; what people
// would see is read from the calls the bot made to the connector.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/main.ts';
import { quietLogger, ROSTER_CSV } from '../helpers/context.ts';
import {
  activities, cardOf, postActivity, shownText, startFakeConnector, submitActions, TEAMS_USERS, type FakeConnector,
} from '../helpers/teams-harness.ts';

const { learner, assessor, outsider } = TEAMS_USERS;

describe('Teams, end to end with a fake connector', () => {
  let app: App;
  let connector: FakeConnector;
  let dataDir: string;
  let base: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'teams-e2e-'));
    connector = await startFakeConnector();
    app = await startApp({ env: { PORT: '0', DATA_DIR: dataDir, TEAMS_ALLOW_UNAUTHENTICATED: 'true', LOG_LEVEL: 'silent' }, logger: quietLogger(), scheduler: false });
    base = `http://127.0.0.1:${app.port}`;
    await app.services.importRoster({ csv: ROSTER_CSV });
  });

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

  it('politely refuses a tenant that is not on the roster, and stores nothing', async () => {
    const res = await postActivity(base, activities.message(outsider, connector.url, 'log Called Sam #U14:1.1'));
    expect(res.status).toBe(200);
    expect(shownText(connector.postedTo(outsider.conversationId).at(-1)!.body)).toContain("yours isn't on it, so nothing was saved");
  });
});

describe('Teams switched off', () => {
  it('answers 401 on /api/messages without credentials and without the opt-in', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'teams-off-'));
    const app = await startApp({ env: { PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent' }, logger: quietLogger(), scheduler: false });
    try {
      const connector = await startFakeConnector();
      const res = await postActivity(`http://127.0.0.1:${app.port}`, activities.message(learner, connector.url, 'help'));
      expect(res.status).toBe(401);
      expect(connector.calls).toEqual([]);
      await connector.close();
    } finally {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
