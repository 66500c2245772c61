// An assessor's reply in an entry's thread (Events API `message` in the DM or assessor channel):
// `approve`, `changes: …`, `reject: …` decide through the core, which finds the entry from the
// thread root and checks who may decide. Anything else in a thread is conversation and is left
// alone. A refused or malformed decision is answered with an ephemeral note in the thread. The
// reply's own ts is the request ID, so a redelivered event decides once.
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { renderReply } from '../block-kit/message.ts';
import { failureMessage, slackActor, type SlackDeps } from './shared.ts';

export type MessageEventArgs = Pick<SlackEventMiddlewareArgs<'message'>, 'event' | 'body'> & Pick<AllMiddlewareArgs, 'client'>;

const ZThreadReply = z.object({
  type: z.literal('message'),
  subtype: z.undefined().optional(),
  bot_id: z.undefined().optional(),
  user: z.string().min(1),
  text: z.string().default(''),
  channel: z.string().min(1),
  ts: z.string().min(1),
  thread_ts: z.string().min(1),
});

export function threadReply(deps: SlackDeps) {
  return async ({ event, body, client }: MessageEventArgs): Promise<void> => {
    const parsed = ZThreadReply.safeParse(event);
    if (!parsed.success || parsed.data.thread_ts === parsed.data.ts) return; // not a human's reply in a thread
    const e = parsed.data;
    const teamId = (body as { team_id?: string }).team_id;
    const logContext = { event: 'thread_reply', channel: e.channel, ts: e.ts };
    try {
      await deps.services.decideFromThreadReply({
        actor: slackActor(teamId, e.user), platform: 'slack', conversationId: e.channel, threadMessageId: e.thread_ts, text: e.text, requestId: e.ts,
      });
    } catch (err) {
      const message = failureMessage(err, deps.log, logContext);
      await client.chat.postEphemeral({ channel: e.channel, user: e.user, thread_ts: e.thread_ts, ...renderReply(message) })
        .catch((postErr: unknown) => deps.log.warn({ ...logContext, err: postErr }, 'could not answer a thread reply'));
    }
  };
}
