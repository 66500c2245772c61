// The acknowledgement budget, in one helper (answerWithinAckBudget): an outcome ready in time is
// answered at once; a slower one is acknowledged empty and answered afterwards. The verification
// buttons and modal use it: a form that comes back after the trigger ID's life is not opened on a
// dead trigger, and a slow modal submission closes the modal and tells a late failure by DM.
import { Writable } from 'node:stream';
import { webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TOO_SLOW_FOR_FORM, verificationActions } from '../../adapters/slack/actions/verification.ts';
import type { SlackActionArgs } from '../../adapters/slack/actions/types.ts';
import { verificationModal } from '../../adapters/slack/block-kit/verification-modal.ts';
import { verificationFormSubmission } from '../../adapters/slack/forms/verification-form.ts';
import { ACK_BUDGET_MS, answerWithinAckBudget, type SlackDeps } from '../../adapters/slack/listeners/shared.ts';
import { forbidden } from '../../src/lib/errors.ts';
import { createLogger } from '../../src/lib/logger.ts';
import type { Services } from '../../src/services/index.ts';
import type { VerificationForm } from '../../src/services/verification/verification-forms.ts';

const ENTRY = '0b6f5c1e-2f0a-4c55-9d3e-1a2b3c4d5e6f';
const form: VerificationForm = {
  target: { kind: 'decision', entryId: ENTRY, version: 2, outcome: 'changes' },
  title: 'Request changes', submitLabel: 'Request changes',
  intro: { fallback: 'x', blocks: [{ type: 'text', text: 'Evidence from Lee' }] },
  field: { type: 'text', label: 'Feedback for the learner', maxLength: 3000 },
};

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

let services: Record<string, ReturnType<typeof vi.fn>>;
let deps: SlackDeps;
let client: webApi.WebClient;
beforeEach(() => {
  vi.useFakeTimers();
  const sink = new Writable({ write(_c, _e, done) { done(); } });
  client = new webApi.WebClient('xoxb-test', { slackApiUrl: 'http://127.0.0.1:9/api/', retryConfig: { retries: 0 } });
  vi.spyOn(client.views, 'open').mockResolvedValue({ ok: true });
  services = { handleVerificationAction: vi.fn(), submitVerificationForm: vi.fn() };
  deps = {
    services: services as unknown as Services,
    log: createLogger('info', sink),
    chat: { platform: 'slack', send: vi.fn(async () => ({ conversationId: 'D1', messageId: '1.1' })), update: vi.fn(), openDm: vi.fn(async () => 'D1'), respond: vi.fn() },
  };
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('answerWithinAckBudget', () => {
  const calls = () => {
    const seen: string[] = [];
    return {
      seen,
      answer: {
        inTime: vi.fn(async (o: { state: string }) => void seen.push(`inTime:${o.state}`)),
        ackEmpty: vi.fn(async () => void seen.push('ackEmpty')),
        later: vi.fn(async (o: { state: string }) => void seen.push(`later:${o.state}`)),
      },
    };
  };

  it('answers an outcome that settles within the budget at once, success or failure', async () => {
    const a = calls();
    expect(await answerWithinAckBudget(Promise.resolve(1), a.answer)).toBe('in_time');
    expect(a.answer.inTime).toHaveBeenCalledWith({ state: 'done', value: 1 });
    const b = calls();
    const err = new Error('boom');
    expect(await answerWithinAckBudget(Promise.reject(err), b.answer)).toBe('in_time');
    expect(b.answer.inTime).toHaveBeenCalledWith({ state: 'failed', error: err });
    expect([...a.seen, ...b.seen]).toEqual(['inTime:done', 'inTime:failed']);
  });

  it('acknowledges empty when the budget runs out, and answers the outcome afterwards', async () => {
    const a = calls();
    const work = deferred<number>();
    const answered = answerWithinAckBudget(work.promise, a.answer);
    await vi.advanceTimersByTimeAsync(ACK_BUDGET_MS - 1);
    expect(a.seen).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(a.seen).toEqual(['ackEmpty']);
    work.resolve(7);
    expect(await answered).toBe('later');
    expect(a.seen).toEqual(['ackEmpty', 'later:done']);
    expect(a.answer.later).toHaveBeenCalledWith({ state: 'done', value: 7 });
  });
});

describe('verification buttons within the budget', () => {
  const press = (id: string) => {
    const reply = vi.fn(async () => {});
    const handler = verificationActions.find((h) => h.id === id)!;
    const done = handler.handle({
      actionId: id, value: `${ENTRY}:2`, actor: { platform: 'slack', workspaceId: 'T0CENTRE', userId: 'U0ASSESS1' },
      triggerId: 'trig-1', body: {} as never, client, deps, reply,
    } as SlackActionArgs);
    return { reply, done };
  };

  it('opens the form as a modal when the core answers in time', async () => {
    services.handleVerificationAction!.mockResolvedValue({ kind: 'form', form });
    const { reply, done } = press('entry.changes');
    await done;
    expect(client.views.open).toHaveBeenCalledWith({ trigger_id: 'trig-1', view: verificationModal(form) });
    expect(reply).not.toHaveBeenCalled();
  });

  it('asks the person to click again, instead of opening on an expired trigger, when the form comes too late', async () => {
    const work = deferred<unknown>();
    services.handleVerificationAction!.mockReturnValue(work.promise);
    const { reply, done } = press('entry.changes');
    await vi.advanceTimersByTimeAsync(ACK_BUDGET_MS + 500);
    work.resolve({ kind: 'form', form });
    await done;
    expect(client.views.open).not.toHaveBeenCalled();
    expect(reply).toHaveBeenCalledWith({ fallback: TOO_SLOW_FOR_FORM, blocks: [{ type: 'text', text: TOO_SLOW_FOR_FORM }] });
  });

  it('still answers a slow message, and lets a slow refusal reach the routing table', async () => {
    const work = deferred<unknown>();
    services.handleVerificationAction!.mockReturnValue(work.promise);
    const slow = press('entry.approve');
    await vi.advanceTimersByTimeAsync(ACK_BUDGET_MS + 500);
    const message = { fallback: 'ok', blocks: [{ type: 'text' as const, text: 'Approved: recorded' }] };
    work.resolve({ kind: 'message', message });
    await slow.done;
    expect(slow.reply).toHaveBeenCalledWith(message);

    const refused = deferred<unknown>();
    services.handleVerificationAction!.mockReturnValue(refused.promise);
    const late = press('entry.approve');
    const settled = late.done.then(() => undefined, (e: unknown) => e);
    await vi.advanceTimersByTimeAsync(ACK_BUDGET_MS + 500);
    refused.reject(forbidden("You can't assess your own evidence."));
    expect(await settled).toMatchObject({ code: 'forbidden' });
  });
});

describe('verification modal submission past the budget', () => {
  it('closes the modal at the budget, and tells a late failure by DM', async () => {
    const work = deferred<unknown>();
    services.submitVerificationForm!.mockReturnValue(work.promise);
    const ack = vi.fn(async () => {});
    const view = verificationModal(form);
    const done = verificationFormSubmission(deps)({
      ack,
      body: { user: { id: 'U0ASSESS1', team_id: 'T0CENTRE' }, team: { id: 'T0CENTRE' } } as never,
      view: { ...view, id: 'V9', state: { values: { value: { value: { type: 'plain_text_input', value: 'Add the outcome' } } } } } as never,
    });
    await vi.advanceTimersByTimeAsync(ACK_BUDGET_MS);
    expect(ack).toHaveBeenCalledWith();
    work.reject(forbidden('This entry changed since that message was sent.'));
    await done;
    expect(ack).toHaveBeenCalledTimes(1);
    expect(deps.chat.send).toHaveBeenCalledWith(expect.objectContaining({ userExternalId: 'U0ASSESS1' }), expect.objectContaining({ fallback: 'This entry changed since that message was sent.' }));
  });
});
