// Slack listeners called directly with fake ack/respond: each one acks, parses, calls one service
// and renders. The services are stubs here; single Web API calls are spied on a real WebClient, so
// nothing goes over the network.
import { Writable } from 'node:stream';
import { webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { blockActions } from '../../adapters/slack/actions/index.ts';
import type { SlackActionHandler } from '../../adapters/slack/actions/types.ts';
import { logFormSubmission } from '../../adapters/slack/forms/log-form.ts';
import { appHomeOpened } from '../../adapters/slack/listeners/app-home.ts';
import { evidenceCommand } from '../../adapters/slack/listeners/command.ts';
import { criteriaOptions } from '../../adapters/slack/listeners/criteria-options.ts';
import { ACK_BUDGET_MS, type SlackDeps } from '../../adapters/slack/listeners/shared.ts';
import { AppError, invalidInput, TRY_AGAIN } from '../../src/lib/errors.ts';
import { createLogger } from '../../src/lib/logger.ts';
import type { ChatMessage } from '../../src/ports/message.ts';
import type { Services } from '../../src/services/index.ts';
import { blocksText } from '../helpers/fake-slack-api.ts';
import { logFormValues } from '../helpers/slack-payloads.ts';

const text = (t: string): ChatMessage => ({ fallback: t, blocks: [{ type: 'text', text: t }] });
const notOnRoster = () => new AppError('not_on_roster', "You're not on the evidence bot's roster yet. Please ask Alex Admin to add you.");

let logLines: string[];
let client: webApi.WebClient;
let services: Record<string, ReturnType<typeof vi.fn>> & { context: { clock: { now(): Date } } };
let deps: SlackDeps;

beforeEach(() => {
  logLines = [];
  const sink = new Writable({ write(chunk, _enc, done) { logLines.push(String(chunk)); done(); } });
  client = new webApi.WebClient('xoxb-test', { slackApiUrl: 'http://127.0.0.1:9/api/', retryConfig: { retries: 0 } });
  vi.spyOn(client.views, 'open').mockResolvedValue({ ok: true });
  vi.spyOn(client.views, 'publish').mockResolvedValue({ ok: true });
  vi.spyOn(client.files, 'uploadV2').mockResolvedValue({ ok: true, files: [] } as never);
  services = {
    context: { clock: { now: () => new Date('2026-11-23T10:00:00Z') } },
    handleCommand: vi.fn(), acceptCommand: vi.fn(async () => ({ state: 'direct' })), recordEvidence: vi.fn(), searchCriteria: vi.fn(), prepareLogForm: vi.fn(),
    openLogForm: vi.fn(), listEntries: vi.fn(), getHome: vi.fn(),
  } as never;
  deps = {
    services: services as unknown as Services,
    log: createLogger('info', sink),
    chat: { platform: 'slack', send: vi.fn(async () => ({ conversationId: 'D0LEARN1', messageId: '1.1' })), update: vi.fn(), openDm: vi.fn(async () => 'D0LEARN1'), respond: vi.fn() },
  };
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('/evidence', () => {
  const command = (t: string) => ({ team_id: 'T0CENTRE', user_id: 'U0LEARN1', text: t, trigger_id: 'trig-1', response_url: 'https://hooks.example/r', command: '/evidence', channel_id: 'C1' });
  const run = async (t: string, retryNum?: number) => {
    const ack = vi.fn(async () => {});
    const respond = vi.fn(async () => ({}) as never);
    await evidenceCommand(deps)({ command: command(t) as never, ack, respond, client, context: { retryNum } as never });
    return { ack, respond };
  };

  it('answers a message ephemerally in the acknowledgement, escaped, having asked the core with the trigger ID', async () => {
    services.handleCommand!.mockResolvedValue({ kind: 'message', message: text('Recorded: <!channel>') });
    const { ack, respond } = await run('log Called Sam <!channel> #U7:2.1');
    expect(services.handleCommand).toHaveBeenCalledWith({
      actor: { platform: 'slack', workspaceId: 'T0CENTRE', userId: 'U0LEARN1' }, text: 'log Called Sam <!channel> #U7:2.1', requestId: 'trig-1', source: 'slack',
      replyUrl: 'https://hooks.example/r',
    });
    expect(ack).toHaveBeenCalledTimes(1);
    expect(ack).toHaveBeenCalledWith({ response_type: 'ephemeral', text: 'Recorded: &lt;!channel&gt;', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Recorded: &lt;!channel&gt;' } }] });
    expect(respond).not.toHaveBeenCalled();
  });

  it("shows an AppError's own message, and nothing else", async () => {
    services.handleCommand!.mockRejectedValue(invalidInput('`#U7:9.9` is not one of your criteria. Did you mean `#U7:2.1`?'));
    const { ack } = await run('log x #U7:9.9');
    expect(blocksText((ack.mock.calls[0] as unknown[])[0] as never)).toContain('is not one of your criteria');
  });

  it('turns an unexpected failure into a short "try again" and logs the error, not the person\'s text', async () => {
    services.handleCommand!.mockRejectedValue(new Error('connection reset by database'));
    const { ack } = await run('log secret summary #U7:2.1');
    expect(ack).toHaveBeenCalledWith(expect.objectContaining({ response_type: 'ephemeral', text: TRY_AGAIN }));
    const logged = logLines.join('');
    expect(logged).toContain('connection reset by database');
    expect(logged).not.toContain('secret summary');
  });

  it('opens the logging modal with the trigger ID after an empty acknowledgement', async () => {
    services.handleCommand!.mockResolvedValue({ kind: 'form', form: 'log' });
    const { ack } = await run('');
    expect(ack).toHaveBeenCalledWith();
    expect(client.views.open).toHaveBeenCalledWith(expect.objectContaining({ trigger_id: 'trig-1', view: expect.objectContaining({ callback_id: 'evidence_log' }) }));
  });

  it('when the modal cannot open, says so through response_url with the one-line alternative', async () => {
    services.handleCommand!.mockResolvedValue({ kind: 'form', form: 'log' });
    vi.mocked(client.views.open).mockRejectedValue(Object.assign(new Error('expired'), { code: 'slack_webapi_platform_error', data: { ok: false, error: 'expired_trigger_id' } }));
    const { respond } = await run('');
    expect(blocksText((respond.mock.calls[0] as unknown[])[0] as never)).toContain('/evidence log');
  });

  it('sends a file into the DM with the bot, after telling the person it is on its way', async () => {
    services.handleCommand!.mockResolvedValue({ kind: 'file', fileName: 'portfolio-lee.html', content: '<html>', title: 'Your evidence portfolio', message: text('Your portfolio: all 150 criteria') });
    const { ack } = await run('export');
    expect(blocksText((ack.mock.calls[0] as unknown[])[0] as never)).toContain('Sending your evidence portfolio');
    expect(deps.chat.openDm).toHaveBeenCalledWith('U0LEARN1');
    expect(client.files.uploadV2).toHaveBeenCalledWith(expect.objectContaining({ channel_id: 'D0LEARN1', filename: 'portfolio-lee.html', initial_comment: 'Your portfolio: all 150 criteria' }));
  });

  it('acknowledges within the budget when the core is slow, then answers through response_url', async () => {
    vi.useFakeTimers();
    let finish!: (v: unknown) => void;
    services.handleCommand!.mockReturnValue(new Promise((r) => { finish = r; }));
    const ack = vi.fn(async () => {});
    const respond = vi.fn(async () => ({}) as never);
    const done = evidenceCommand(deps)({ command: command('progress') as never, ack, respond, client, context: {} as never });
    await vi.advanceTimersByTimeAsync(ACK_BUDGET_MS);
    expect(ack).toHaveBeenCalledWith();
    finish({ kind: 'message', message: text('Progress: Lee') });
    await done;
    expect(respond).toHaveBeenCalledWith(expect.objectContaining({ response_type: 'ephemeral', text: 'Progress: Lee' }));
  });

  it('a write the core has committed is acknowledged empty; its answer is left to the core (the outbox)', async () => {
    services.acceptCommand!.mockResolvedValue({ state: 'accepted', run: { key: 'slack:T0CENTRE:U0LEARN1:trig-1' } });
    const { ack, respond } = await run('log Called Sam #U7:2.1');
    expect(services.acceptCommand).toHaveBeenCalledWith(expect.objectContaining({ text: 'log Called Sam #U7:2.1', requestId: 'trig-1', replyUrl: 'https://hooks.example/r' }));
    expect(ack).toHaveBeenCalledWith();
    expect(respond).not.toHaveBeenCalled();
    expect(services.handleCommand).not.toHaveBeenCalled();
  });

  it('a retry of a write already done is answered in its acknowledgement from the stored result', async () => {
    services.acceptCommand!.mockResolvedValue({ state: 'answered', message: text('Evidence recorded') });
    const { ack, respond } = await run('log Called Sam #U7:2.1', 1);
    expect(ack).toHaveBeenCalledWith(expect.objectContaining({ text: 'Evidence recorded' }));
    expect(respond).not.toHaveBeenCalled();
    expect(services.handleCommand).not.toHaveBeenCalled();
  });

  it('a retry of a write still being done is acknowledged empty, and answered once by the first', async () => {
    services.acceptCommand!.mockResolvedValue({ state: 'in-progress' });
    const { ack, respond } = await run('log Called Sam #U7:2.1', 1);
    expect(ack).toHaveBeenCalledWith();
    expect(respond).not.toHaveBeenCalled();
    expect(services.handleCommand).not.toHaveBeenCalled();
  });

  it('when the write cannot be committed (database down), says try again in the acknowledgement', async () => {
    services.acceptCommand!.mockRejectedValue(new Error('connection refused'));
    const { ack } = await run('log Called Sam #U7:2.1');
    expect(blocksText((ack.mock.calls[0] as unknown[])[0] as never)).toContain(TRY_AGAIN);
    expect(services.handleCommand).not.toHaveBeenCalled();
  });
});

describe('the logging form submission', () => {
  const submit = async (values: Record<string, unknown>, metadata = '{"v":1,"origin":"command"}') => {
    const ack = vi.fn(async () => {});
    const body = { type: 'view_submission', team: { id: 'T0CENTRE' }, user: { id: 'U0LEARN1', team_id: 'T0CENTRE' } };
    const view = { id: 'V123', callback_id: 'evidence_log', private_metadata: metadata, state: { values } };
    await logFormSubmission(deps)({ ack, body: body as never, view: view as never });
    return ack;
  };
  const good = logFormValues({ summary: 'Called Sam', criteria: ['K/507/0949:2.1'] });

  it('records the draft keyed on the view ID, asks for the DM confirmation, and closes the form', async () => {
    services.recordEvidence!.mockResolvedValue({ duplicate: false });
    const ack = await submit(good, '{"v":1,"origin":"nudge","contactName":"Sam Taylor"}');
    expect(services.recordEvidence).toHaveBeenCalledWith({
      actor: { platform: 'slack', workspaceId: 'T0CENTRE', userId: 'U0LEARN1' }, idempotencyKey: 'slack:view:V123', source: 'slack', notifyLearner: true,
      draft: expect.objectContaining({ summary: 'Called Sam', contactName: 'Sam Taylor', tags: [{ unit: 'K/507/0949', number: '2.1', raw: '#K/507/0949:2.1' }] }),
    });
    expect(ack).toHaveBeenCalledWith();
  });

  it('answers an incomplete form inline without calling the core', async () => {
    const ack = await submit(logFormValues({ summary: '', criteria: [] }));
    expect(ack).toHaveBeenCalledWith({ response_action: 'errors', errors: { summary: 'Say what happened.', criteria: expect.any(String) } });
    expect(services.recordEvidence).not.toHaveBeenCalled();
  });

  it("puts the core's field error under its input", async () => {
    services.recordEvidence!.mockRejectedValue(invalidInput('The follow-up date has already passed: choose a later date.', { field: 'followUp' }));
    expect(await submit(good)).toHaveBeenCalledWith({ response_action: 'errors', errors: { followUp: 'The follow-up date has already passed: choose a later date.' } });
  });

  it('replaces the form with the polite refusal for someone not on the roster', async () => {
    services.recordEvidence!.mockRejectedValue(notOnRoster());
    const ack = await submit(good);
    const answer = (ack.mock.calls[0] as unknown[])[0] as { response_action: string; view: { blocks: unknown } };
    expect(answer.response_action).toBe('update');
    expect(blocksText(answer.view.blocks)).toContain('Alex Admin');
  });

  it('keeps the form open with a "try again" when the failure is ours', async () => {
    services.recordEvidence!.mockRejectedValue(new Error('db down'));
    expect(await submit(good)).toHaveBeenCalledWith({ response_action: 'errors', errors: { summary: TRY_AGAIN } });
  });
});

describe('the criteria picker options', () => {
  const load = async () => {
    const ack = vi.fn(async () => {});
    const body = { type: 'block_suggestion', action_id: 'criteria', value: 'U7:2', team: { id: 'T0CENTRE' }, user: { id: 'U0LEARN1', team_id: 'T0CENTRE' } };
    await criteriaOptions(deps)({ ack, body: body as never });
    return ack;
  };

  it("offers the learner's matching criteria as options", async () => {
    services.searchCriteria!.mockResolvedValue([{ value: 'K/507/0949:2.1', label: 'U7 2.1 Identify new ways of helping candidates' }]);
    const ack = await load();
    expect(services.searchCriteria).toHaveBeenCalledWith({ actor: { platform: 'slack', workspaceId: 'T0CENTRE', userId: 'U0LEARN1' }, query: 'U7:2' });
    expect(ack).toHaveBeenCalledWith({ options: [{ text: { type: 'plain_text', text: 'U7 2.1 Identify new ways of helping candidates', emoji: true }, value: 'K/507/0949:2.1' }] });
  });

  it('offers nothing (and logs why) when the person may not log', async () => {
    services.searchCriteria!.mockRejectedValue(notOnRoster());
    expect(await load()).toHaveBeenCalledWith({ options: [] });
  });
});

describe('buttons', () => {
  const click = async (actionId: string, value: string, o: { responseUrl?: string; handlers?: SlackActionHandler[] } = {}) => {
    const ack = vi.fn(async () => {});
    const respond = vi.fn(async () => ({}) as never);
    const body = {
      type: 'block_actions', trigger_id: 'trig-2', team: { id: 'T0CENTRE' }, user: { id: 'U0LEARN1', team_id: 'T0CENTRE' },
      ...(o.responseUrl ? { response_url: o.responseUrl } : {}), actions: [{ action_id: actionId, value, type: 'button' }],
    };
    const listener = blockActions(deps, o.handlers);
    await listener({ ack, body: body as never, action: { action_id: actionId, value, type: 'button' } as never, respond: o.responseUrl ? respond : undefined, client });
    return { ack, respond };
  };

  it('routes a click to the handler with its id, whatever ~n suffix kept it apart in its block', async () => {
    const handle = vi.fn(async () => {});
    const { ack } = await click('entry.approve~2', 'e1:3', { handlers: [{ id: 'entry.approve', handle }] });
    expect(ack).toHaveBeenCalledWith();
    expect(handle).toHaveBeenCalledWith(expect.objectContaining({ actionId: 'entry.approve', value: 'e1:3', actor: { platform: 'slack', workspaceId: 'T0CENTRE', userId: 'U0LEARN1' }, triggerId: 'trig-2' }));
  });

  it('"Log 2.1" opens the form with that criterion chosen', async () => {
    services.prepareLogForm!.mockResolvedValue({ criteria: [{ value: 'K/507/0949:2.1', label: 'U7 2.1 Identify new ways' }], timeZone: 'Europe/London' });
    await click('criterion.log~3', 'K/507/0949:2.1', { responseUrl: 'https://hooks.example/r' });
    expect(services.prepareLogForm).toHaveBeenCalledWith({ actor: expect.any(Object), criteria: ['K/507/0949:2.1'] });
    const view = (vi.mocked(client.views.open).mock.calls[0]![0] as { view: { blocks: { block_id?: string; element?: { initial_options?: unknown } }[] } }).view;
    expect(view.blocks.find((b) => b.block_id === 'criteria')!.element!.initial_options).toEqual([
      { text: { type: 'plain_text', text: 'U7 2.1 Identify new ways', emoji: true }, value: 'K/507/0949:2.1' },
    ]);
  });

  it('"More" replaces the list with its next page', async () => {
    services.listEntries!.mockResolvedValue({ entries: [], total: 0, page: 1, filter: 'pending', tz: 'Europe/London' });
    const { respond } = await click('entries.more', 'pending:1', { responseUrl: 'https://hooks.example/r' });
    expect(services.listEntries).toHaveBeenCalledWith({ actor: expect.any(Object), filter: 'pending', page: 1 });
    expect(respond).toHaveBeenCalledWith(expect.objectContaining({ replace_original: true, response_type: 'ephemeral' }));
  });

  it("tells the person a refusal under the message they clicked in", async () => {
    services.prepareLogForm!.mockRejectedValue(new AppError('forbidden', 'Only learners enrolled on the qualification can log evidence.'));
    const { respond } = await click('criterion.log', 'K/507/0949:2.1', { responseUrl: 'https://hooks.example/r' });
    expect(respond).toHaveBeenCalledWith(expect.objectContaining({ response_type: 'ephemeral', replace_original: false, text: 'Only learners enrolled on the qualification can log evidence.' }));
    expect(client.views.open).not.toHaveBeenCalled();
  });

  it('on the App Home (no message to answer under), a refusal opens as a small modal', async () => {
    services.openLogForm!.mockRejectedValue(notOnRoster());
    await click('evidence.open_form', 'home');
    const view = (vi.mocked(client.views.open).mock.calls[0]![0] as { view: { blocks: unknown } }).view;
    expect(blocksText(view.blocks)).toContain('Alex Admin');
  });

  it('a button nobody handles is acknowledged and explained, not left to time out', async () => {
    const { ack, respond } = await click('something.retired', 'x', { responseUrl: 'https://hooks.example/r' });
    expect(ack).toHaveBeenCalled();
    expect(blocksText((respond.mock.calls[0] as unknown[])[0] as never)).toContain('not available here');
  });
});

describe('App Home', () => {
  it('publishes what the core says this person\'s home shows', async () => {
    services.getHome!.mockResolvedValue(text('Your evidence, Lee'));
    await appHomeOpened(deps)({ event: { type: 'app_home_opened', user: 'U0LEARN1', tab: 'home' } as never, body: { team_id: 'T0CENTRE' } as never, client });
    expect(services.getHome).toHaveBeenCalledWith({ actor: { platform: 'slack', workspaceId: 'T0CENTRE', userId: 'U0LEARN1' } });
    expect(client.views.publish).toHaveBeenCalledWith({ user_id: 'U0LEARN1', view: { type: 'home', blocks: [expect.objectContaining({ type: 'section' })] } });
  });

  it('does nothing when the Messages tab is opened', async () => {
    await appHomeOpened(deps)({ event: { type: 'app_home_opened', user: 'U0LEARN1', tab: 'messages' } as never, body: { team_id: 'T0CENTRE' } as never, client });
    expect(services.getHome).not.toHaveBeenCalled();
  });
});
