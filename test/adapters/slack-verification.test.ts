// The Slack side of verification, called directly with fake ack and a spied WebClient: the modal
// built from a core form, its submission (inline errors, refusals, success), and thread replies.
import { Writable } from 'node:stream';
import { webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseVerificationSubmission, verificationModal } from '../../adapters/slack/block-kit/verification-modal.ts';
import { verificationFormSubmission } from '../../adapters/slack/forms/verification-form.ts';
import { threadReply } from '../../adapters/slack/listeners/thread-reply.ts';
import type { SlackDeps } from '../../adapters/slack/listeners/shared.ts';
import { AppError, forbidden, invalidInput } from '../../src/lib/errors.ts';
import { createLogger } from '../../src/lib/logger.ts';
import type { Services } from '../../src/services/index.ts';
import type { VerificationForm } from '../../src/services/verification/verification-forms.ts';
import { blocksText } from '../helpers/fake-slack-api.ts';

const ENTRY = '0b6f5c1e-2f0a-4c55-9d3e-1a2b3c4d5e6f';
const form: VerificationForm = {
  target: { kind: 'decision', entryId: ENTRY, version: 2, outcome: 'changes' },
  title: 'Request changes from a rather long title',
  submitLabel: 'Request changes',
  intro: { fallback: 'x', blocks: [{ type: 'text', text: 'Called Sam <!channel> <https://evil|bank>' }] },
  field: { type: 'text', label: 'Feedback for the learner', maxLength: 3000, placeholder: 'What should they change?' },
};

let services: Record<string, ReturnType<typeof vi.fn>>;
let deps: SlackDeps;
let client: webApi.WebClient;
beforeEach(() => {
  const sink = new Writable({ write(_c, _e, done) { done(); } });
  client = new webApi.WebClient('xoxb-test', { slackApiUrl: 'http://127.0.0.1:9/api/', retryConfig: { retries: 0 } });
  vi.spyOn(client.chat, 'postEphemeral').mockResolvedValue({ ok: true });
  services = { submitVerificationForm: vi.fn(), decideFromThreadReply: vi.fn() };
  deps = {
    services: services as unknown as Services,
    log: createLogger('info', sink),
    chat: { platform: 'slack', send: vi.fn(async () => ({ conversationId: 'D1', messageId: '1.1' })), update: vi.fn(), openDm: vi.fn(async () => 'D1'), respond: vi.fn() },
  };
});
afterEach(() => vi.restoreAllMocks());

describe('verification modal', () => {
  it('fits Slack\'s limits, escapes the entry text, and carries the target back untouched', () => {
    const view = verificationModal(form);
    expect(view.callback_id).toBe('verification_form');
    expect(view.title.text.length).toBeLessThanOrEqual(24);
    const shown = blocksText(view.blocks);
    expect(shown).toContain('&lt;!channel&gt;');
    expect(shown).not.toContain('<!channel>');
    const input = view.blocks.at(-1) as { block_id: string; element: { type: string; max_length: number } };
    expect(input.block_id).toBe('value');
    expect(input.element).toMatchObject({ type: 'plain_text_input', max_length: 3000 });
    const values = { value: { value: { type: 'plain_text_input', value: 'Add the outcome' } } };
    expect(parseVerificationSubmission(view.private_metadata, values)).toEqual({ target: form.target, value: 'Add the outcome' });
    expect(parseVerificationSubmission('not json', values)).toBeUndefined();
  });

  it('offers a choice as a select with the manager first', () => {
    const view = verificationModal({
      ...form, target: { kind: 'witness_request', entryId: ENTRY },
      field: { type: 'choice', label: 'Who saw it?', choices: [{ value: 'p1', label: 'Morgan Manager (your manager)' }, { value: 'p2', label: 'Priya Patel' }], initial: 'p1' },
    });
    const el = (view.blocks.at(-1) as { element: { type: string; initial_option: { value: string }; options: unknown[] } }).element;
    expect(el.type).toBe('static_select');
    expect(el.initial_option.value).toBe('p1');
    expect(el.options).toHaveLength(2);
  });
});

describe('verification form submission', () => {
  const submit = async (value: string) => {
    const view = verificationModal(form);
    const ack = vi.fn(async () => {});
    await verificationFormSubmission(deps)({
      ack,
      body: { user: { id: 'U0ASSESS1', team_id: 'T0CENTRE' }, team: { id: 'T0CENTRE' } } as never,
      view: { ...view, id: 'V123', state: { values: { value: { value: { type: 'plain_text_input', value } } } } } as never,
    });
    return ack;
  };

  it('hands the value to the core keyed on the view ID and shows the outcome in the modal', async () => {
    services.submitVerificationForm!.mockResolvedValue({ reply: { fallback: 'ok', blocks: [{ type: 'text', text: 'Changes requested: recorded' }] } });
    const ack = await submit('Add the outcome');
    expect(services.submitVerificationForm).toHaveBeenCalledWith({
      actor: { platform: 'slack', workspaceId: 'T0CENTRE', userId: 'U0ASSESS1' }, target: form.target, value: 'Add the outcome', requestId: 'slack:view:V123',
    });
    const answer = (ack.mock.calls[0] as unknown[])[0] as { response_action: string; view: { blocks: unknown } };
    expect(answer.response_action).toBe('update');
    expect(blocksText(answer.view.blocks)).toContain('Changes requested: recorded');
  });

  it('puts a missing feedback error under the field, and a refusal in place of the form', async () => {
    services.submitVerificationForm!.mockRejectedValueOnce(invalidInput('Write the feedback the learner will see.', { field: 'feedback' }));
    expect((await submit(' ')).mock.calls[0]).toEqual([{ response_action: 'errors', errors: { value: 'Write the feedback the learner will see.' } }]);
    services.submitVerificationForm!.mockRejectedValueOnce(forbidden("You can't assess your own evidence."));
    const refused = (await submit('x')).mock.calls[0] as unknown[];
    expect(refused[0]).toMatchObject({ response_action: 'update' });
    expect(blocksText((refused[0] as { view: { blocks: unknown } }).view.blocks)).toContain("can't assess your own evidence");
  });
});

describe('thread replies', () => {
  const event = (o: Record<string, unknown>) => ({ type: 'message', channel: 'D0ASSESS1', user: 'U0ASSESS1', text: 'approve', ts: '2.0', thread_ts: '1.0', ...o });
  const run = (e: Record<string, unknown>) => threadReply(deps)({ event: e as never, body: { team_id: 'T0CENTRE' } as never, client });

  it('passes a human reply in a thread to the core with its ts as the request ID', async () => {
    services.decideFromThreadReply!.mockResolvedValue({ kind: 'ignored' });
    await run(event({}));
    expect(services.decideFromThreadReply).toHaveBeenCalledWith({
      actor: { platform: 'slack', workspaceId: 'T0CENTRE', userId: 'U0ASSESS1' }, platform: 'slack', conversationId: 'D0ASSESS1', threadMessageId: '1.0', text: 'approve', requestId: '2.0',
    });
  });

  it('ignores the bot\'s own messages, edits and messages outside threads', async () => {
    await run(event({ bot_id: 'B0BOT' }));
    await run(event({ subtype: 'message_changed' }));
    await run(event({ thread_ts: undefined }));
    await run(event({ thread_ts: '2.0' })); // the root itself
    expect(services.decideFromThreadReply).not.toHaveBeenCalled();
  });

  it('answers a refusal ephemerally in the thread, to that person only', async () => {
    services.decideFromThreadReply!.mockRejectedValue(new AppError('forbidden', "You can't assess your own evidence."));
    await run(event({ user: 'U0LEARN1' }));
    expect(client.chat.postEphemeral).toHaveBeenCalledWith(expect.objectContaining({ channel: 'D0ASSESS1', user: 'U0LEARN1', thread_ts: '1.0', text: "You can't assess your own evidence." }));
  });
});
