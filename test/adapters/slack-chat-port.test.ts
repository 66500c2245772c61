// The Slack chat port against a fake Slack Web API on loopback, with the adapter's own client
// settings: where messages go (DM, channel, thread), that they are escaped and split to fit, and
// that every failure comes back at once — no hidden retries — as the right ChatError for the outbox.
import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSlackChatPort } from '../../adapters/slack/chat-port.ts';
import { toChatError } from '../../adapters/slack/errors.ts';
import { webClientOptions } from '../../adapters/slack/index.ts';
import { boltLogger } from '../../adapters/slack/logger.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { PermanentChatError, RateLimitedError, TransientChatError, type ChatRecipient } from '../../src/ports/chat.ts';
import type { ChatMessage, MessageBlock } from '../../src/ports/message.ts';
import { blocksText, startFakeSlackApi, type FakeSlackApi } from '../helpers/fake-slack-api.ts';

const assessor: ChatRecipient = { personId: 'p1', platform: 'slack', workspaceExternalId: 'T0CENTRE', userExternalId: 'U0ASSESS1' };
const message = (t: string): ChatMessage => ({ fallback: t, blocks: [{ type: 'text', text: t }] });

let api: FakeSlackApi;
let port: ReturnType<typeof createSlackChatPort>;

beforeAll(async () => {
  api = await startFakeSlackApi();
});
afterAll(async () => {
  await api.close();
});
beforeEach(() => {
  api.reset();
  api.clearFaults();
  port = createSlackChatPort(new webApi.WebClient('xoxb-test', { ...webClientOptions(api.url, 1_000), logger: boltLogger(createLogger('silent')) }));
});

describe('sending', () => {
  it("posts to the person's DM, opened once and remembered", async () => {
    const ref = await port.send(assessor, message('New evidence from <!channel>'));
    await port.send(assessor, message('Another'));
    expect(api.callsTo('conversations.open').map((c) => c.body.users)).toEqual(['U0ASSESS1']);
    const [first] = api.posted();
    expect(first).toMatchObject({ channel: 'D0ASSESS1', text: 'New evidence from &lt;!channel&gt;' });
    expect(blocksText(first!.blocks)).toBe('New evidence from &lt;!channel&gt;');
    expect(ref).toEqual({ conversationId: 'D0ASSESS1', messageId: expect.stringMatching(/^\d+\.\d+$/) });
  });

  it('replies in a thread, and posts to a given channel without opening a DM', async () => {
    await port.send(assessor, message('Approved'), { threadOf: { conversationId: 'C0ASSESSORS', messageId: '1790000000.000001' } });
    await port.send(assessor, message('New entry'), { conversationId: 'C0ASSESSORS' });
    expect(api.callsTo('conversations.open')).toHaveLength(0);
    expect(api.posted()).toEqual([
      expect.objectContaining({ channel: 'C0ASSESSORS', thread_ts: '1790000000.000001' }),
      expect.not.objectContaining({ thread_ts: expect.anything() }),
    ]);
  });

  it('splits a message over 50 blocks into several posts and returns the first', async () => {
    const blocks: MessageBlock[] = Array.from({ length: 70 }, (_, i) => ({ type: 'text', text: `Line ${i}` }));
    const ref = await port.send(assessor, { fallback: 'Long', blocks });
    const posted = api.posted();
    expect(posted.map((p) => p.blocks.length)).toEqual([50, 20]);
    expect(ref.messageId).toBe(api.callsTo('chat.postMessage')[0]!.response!.ts);
  });

  it('updates a posted message in place', async () => {
    await port.update({ conversationId: 'D0ASSESS1', messageId: '1790000000.000009' }, message('Approved by Ava'));
    expect(api.callsTo('chat.update')[0]!.body).toMatchObject({ channel: 'D0ASSESS1', ts: '1790000000.000009', text: 'Approved by Ava' });
  });
});

describe('failures come back at once, as the ChatError the outbox acts on', () => {
  it('429: rate limited, with Slack\'s Retry-After, after a single attempt', async () => {
    api.failNext('chat.postMessage', { kind: 'ratelimit', retryAfter: 7 });
    const err = await port.send(assessor, message('x'), { conversationId: 'C1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterSeconds).toBe(7);
    expect(api.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('5xx and Slack outages: transient, after a single attempt', async () => {
    api.failNext('chat.postMessage', { kind: 'http', status: 503 });
    await expect(port.send(assessor, message('x'), { conversationId: 'C1' })).rejects.toBeInstanceOf(TransientChatError);
    api.failNext('chat.postMessage', { kind: 'error', error: 'internal_error' });
    await expect(port.send(assessor, message('x'), { conversationId: 'C1' })).rejects.toBeInstanceOf(TransientChatError);
    expect(api.callsTo('chat.postMessage')).toHaveLength(2);
  });

  it('a Slack that does not answer: transient, once the client times out', async () => {
    api.failNext('chat.postMessage', { kind: 'hang' });
    await expect(port.send(assessor, message('x'), { conversationId: 'C1' })).rejects.toBeInstanceOf(TransientChatError);
  });

  it.each(['user_not_found', 'account_inactive', 'not_authed', 'invalid_auth', 'channel_not_found'])('%s: permanent', async (error) => {
    api.failNext('*', { kind: 'error', error });
    await expect(port.send({ ...assessor, userExternalId: 'U0GONE' }, message('x'))).rejects.toBeInstanceOf(PermanentChatError);
  });

  it('maps errors that did not come from the Web API client to transient, so nothing is dropped', () => {
    expect(toChatError(new TypeError('boom'))).toBeInstanceOf(TransientChatError);
    expect(toChatError({ code: 'slack_webapi_rate_limited_error', retryAfter: undefined })).toMatchObject({ retryAfterSeconds: 30 });
    expect(toChatError({ code: 'slack_webapi_http_error', statusCode: 429, headers: { 'retry-after': '12' } })).toMatchObject({ retryAfterSeconds: 12 });
    expect(toChatError({ code: 'slack_webapi_http_error', statusCode: 404 })).toBeInstanceOf(PermanentChatError);
  });
});
