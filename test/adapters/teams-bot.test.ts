// Teams turns through botbuilder's TestAdapter, on a real test database: what a person in Teams
// types or presses, and what the bot answers.
import { TestAdapter } from 'botbuilder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeamsBot, NOT_ON_ROSTER_TENANT, turnErrorHandler } from '../../adapters/teams/bot.ts';
import { createServices, type Services } from '../../src/services/index.ts';
import { createTestContext, loadRoster, quietLogger, type TestContext } from '../helpers/context.ts';
import { shownText, submitActions, TEAMS_USERS, type TeamsUser } from '../helpers/teams-harness.ts';

describe('Teams turns', () => {
  let t: TestContext;
  let services: Services;

  beforeAll(async () => {
    t = await createTestContext();
    await loadRoster(t.ctx);
    services = createServices(t.ctx);
  });
  afterAll(() => t.db.destroy());

  /** A TestAdapter whose every activity comes from `user` in their tenant, as Teams sends it. */
  function as(user: TeamsUser) {
    const adapter = new TestAdapter(createTeamsBot({ services, log: quietLogger() }), {
      channelId: 'msteams',
      from: { id: user.id, name: user.name, aadObjectId: user.aadObjectId },
      conversation: { id: user.conversationId, conversationType: 'personal', tenantId: user.tenantId, isGroup: false, name: '' },
      channelData: { tenant: { id: user.tenantId } },
    });
    adapter.onTurnError = turnErrorHandler(quietLogger());
    // Teams gives every activity an ID of its own; TestAdapter numbers each instance's from 0, and
    // the inbox rightly answers a repeated ID from what it stored. Each adapter starts further on.
    (adapter as unknown as { _nextId: number })._nextId = ++adapters * 1_000;
    return adapter;
  }
  let adapters = 0;
  const { learner, assessor, outsider } = TEAMS_USERS;

  it('answers help with the same usage as Slack, as plain text', async () => {
    await as(learner).send('help').assertReply((r) => {
      expect(r.textFormat).toBe('plain');
      expect(r.text).toContain('Log evidence the moment it happens');
    });
  });

  it('strips the @mention and the leading "evidence"', async () => {
    await as(learner).send('<at>Evidence</at> evidence list').assertReply((r) => expect(r.text).toContain('You have not logged any evidence yet'));
  });

  it('tells the person what was wrong and that nothing was saved', async () => {
    await as(learner).send('log Called Sam #U14:9.9').assertReply((r) => {
      expect(r.text).toContain('is not one of your criteria');
      expect(r.text).toContain('Nothing was saved');
    });
    expect(await t.ctx.db.entry.count()).toBe(0);
  });

  it('refuses a tenant that is not on the roster, politely', async () => {
    await as(outsider).send('progress').assertReply((r) => expect(r.text).toBe(NOT_ON_ROSTER_TENANT));
  });

  it('refuses someone in a known tenant who is not on the roster, naming who can add them', async () => {
    const stranger = { ...learner, aadObjectId: '00000000-0000-0000-0000-00000000dead', id: '29:stranger' };
    await as(stranger).send('progress').assertReply((r) => expect(r.text).toContain("You're not on the evidence bot's roster yet"));
  });

  it('stores where to reach the person when they install the app, and welcomes them', async () => {
    await as(assessor)
      .send({ type: 'installationUpdate', action: 'add', serviceUrl: 'https://smba.example/emea/' })
      .assertReply((r) => expect(r.text).toContain('Hi Ben Assessor'));
    const person = await t.ctx.db.person.findFirstOrThrow({ where: { externalId: assessor.aadObjectId } });
    const ref = await services.getConversationRef({ personId: person.id });
    expect(ref).toMatchObject({ serviceUrl: 'https://smba.example/emea/', conversation: { id: assessor.conversationId, tenantId: 'tenant-1' } });
    expect(ref).not.toHaveProperty('activityId');
  });

  it("sends the logging form for 'log' alone, for a nudge's Log evidence, and a criterion's Log button fills the criterion in", async () => {
    await as(learner).send('log').assertReply((r) => expect(submitActions(r).map((a) => a.title)).toEqual(['Save evidence']));
    await as(learner)
      .send({ type: 'message', value: { action: 'evidence.open_form', value: 'nudge' } })
      .assertReply((r) => expect(submitActions(r).map((a) => a.title)).toEqual(['Save evidence']));
    await as(learner)
      .send({ type: 'message', value: { action: 'criterion.log', value: 'K/507/0949:2.1' } })
      .assertReply((r) => expect(JSON.stringify(r.attachments)).toContain('"value":"#K/507/0949:2.1"'));
  });

  it('records a submitted form and confirms it', async () => {
    const form = { action: 'form.log', summary: 'Briefed a client on the shortlist', criteria: '#U14:1.1', occurredOn: '', kind: 'client', channel: 'video', simulated: 'false', placement: 'false' };
    await as(learner).send({ type: 'message', value: form, replyToId: 'form-card-1' }).assertReply((r) => expect(shownText(r)).toContain('Evidence recorded and sent to your assessor.'));
    const entry = await t.ctx.db.entry.findFirstOrThrow({ where: { idempotencyKey: 'teams:form:form-card-1' } });
    expect(entry).toMatchObject({ summary: 'Briefed a client on the shortlist', kind: 'client', channel: 'video', source: 'teams' });
  });

  it('offers a witness picker from the confirmation card, and asks for a choice before sending anything', async () => {
    const entry = await t.ctx.db.entry.findFirstOrThrow({ where: { idempotencyKey: 'teams:form:form-card-1' } });
    await as(learner)
      .send({ type: 'message', value: { action: 'entry.witness', value: entry.id } })
      .assertReply((r) => {
        expect(shownText(r)).toContain('Who saw or heard it?');
        expect(submitActions(r)).toEqual([{ title: 'Ask them', data: { action: 'entry.witness.ask', value: entry.id } }]);
      });
    await as(learner)
      .send({ type: 'message', value: { action: 'entry.witness.ask', value: entry.id, witness: '' } })
      .assertReply((r) => expect(r.text).toBe('Choose who should write the statement. Nothing was sent.'));
    expect(await t.ctx.db.witnessRequest.count()).toBe(0);
  });

  it("routes the contact register's buttons to the contact services", async () => {
    await as(learner).send('contact add "Sam Taylor" kind:candidate consent:yes').assertReply((r) => expect(shownText(r)).toContain('Sam Taylor'));
    await as(learner).send({ type: 'message', value: { action: 'contacts.more', value: '0' } }).assertReply((r) => {
      expect(shownText(r)).toContain('Sam Taylor');
      expect(shownText(r)).not.toContain('not one I know');
    });
  });

  it('says so when a card button is not one it knows', async () => {
    await as(learner).send({ type: 'message', value: { action: 'entry.teleport', value: 'x' } }).assertReply((r) => expect(r.text).toContain('not one I know'));
  });
});
