// `/evidence …`: hand the text to the core, acknowledge, render what it returns. A write (`log …`,
// `contact add …`) is committed to the core's inbox first and acknowledged empty; its answer comes
// through response_url from whichever replica does it. Anything else is answered directly: a reply
// ready within the ack budget travels in the acknowledgement itself, a slower one through
// response_url.
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import type { ChatMessage } from '../../../src/ports/message.ts';
import type { CommandResult } from '../../../src/services/commands/handle-command.ts';
import { escapeMrkdwn } from '../block-kit/escape.ts';
import { openForm } from '../forms/index.ts';
import {
  ACK_BUDGET_MS, ephemeral, failureMessage, settle, settleWithin, slackActor, textMessage, type Settled, type SlackDeps, type WebClient,
} from './shared.ts';

export type CommandArgs = Pick<SlackCommandMiddlewareArgs, 'command' | 'ack' | 'respond'> & Pick<AllMiddlewareArgs, 'client' | 'context'>;

const ZCommand = z.object({
  team_id: z.string().default(''),
  user_id: z.string().min(1),
  text: z.string().default(''),
  trigger_id: z.string().min(1),
  response_url: z.string().url().optional(),
});

export function evidenceCommand(deps: SlackDeps) {
  return async ({ command, ack, respond, client, context }: CommandArgs): Promise<void> => {
    const parsed = ZCommand.safeParse(command);
    if (!parsed.success) {
      await ack(ephemeral(textMessage('That command arrived incomplete. Please try again.')));
      return;
    }
    const c = parsed.data;
    const actor = slackActor(c.team_id, c.user_id);
    const logContext = { command: 'evidence', requestId: c.trigger_id, retryNum: context.retryNum };
    if (context.retryNum) deps.log.info(logContext, 'slack retried a command');

    const input = { actor, text: c.text, requestId: c.trigger_id, source: 'slack' as const, ...(c.response_url ? { replyUrl: c.response_url } : {}) };
    let acked = false;
    /** The first answer rides on the acknowledgement; later ones go through response_url. */
    const reply = async (message: ChatMessage) => {
      if (!acked) {
        acked = true;
        await ack(ephemeral(message));
        return;
      }
      await respond(ephemeral(message)).catch((err: unknown) => deps.log.warn({ ...logContext, err }, 'could not respond to a command'));
    };
    const ackEmpty = async () => {
      if (!acked) {
        acked = true;
        await ack();
      }
    };

    // A write is committed to the inbox, then acknowledged; its answer comes through response_url
    // (src/services/commands/inbox.ts). A retry of it (another replica, X-Slack-Retry-Num) meets
    // the stored request: answered from its result, or acknowledged while it is still being done.
    const accepting = deps.services.acceptCommand(input);
    let intake = await settleWithin(accepting, ACK_BUDGET_MS);
    if (intake.state === 'pending') {
      await ackEmpty();
      intake = await settle(accepting);
    }
    if (intake.state === 'failed') {
      await reply(failureMessage(intake.error, deps.log, logContext));
      return;
    }
    const { value } = intake;
    if (value.state === 'accepted' || value.state === 'in-progress') {
      await ackEmpty();
      return;
    }
    if (value.state === 'answered') {
      await reply(value.message);
      return;
    }

    const work = deps.services.handleCommand(input);
    let outcome = await settleWithin(work, ACK_BUDGET_MS);
    if (outcome.state === 'pending') {
      await ackEmpty();
      outcome = await settle(work);
    }
    await show(deps, { command: c, client, logContext, reply, ackEmpty }, outcome);
  };
}

interface Answering {
  command: z.infer<typeof ZCommand>;
  client: WebClient;
  logContext: Record<string, unknown>;
}

/** Shows a command's outcome: a message, a form, a file, or what went wrong. */
async function show(
  deps: SlackDeps,
  a: Answering & { reply(message: ChatMessage): Promise<void>; ackEmpty(): Promise<void> },
  outcome: Settled<CommandResult>,
): Promise<void> {
  const { command: c, client, logContext, reply, ackEmpty } = a;
  if (outcome.state === 'failed') {
    await reply(failureMessage(outcome.error, deps.log, logContext));
    return;
  }
  const result = outcome.value;
  switch (result.kind) {
    case 'message':
      await reply(result.message);
      return;
    case 'form':
      await ackEmpty();
      try {
        const opened = await openForm(client, c.trigger_id, result, { origin: 'command', now: deps.services.context.clock.now() });
        if (!opened) await reply(textMessage(`That form is not available in Slack yet. Type \`/evidence help\` for the one-line commands.`));
      } catch (err) {
        failureMessage(err, deps.log, { ...logContext, step: 'views.open', form: result.form });
        await reply(textMessage(result.form === 'log'
          ? 'I could not open the form just now. Try again, or log in one line: `/evidence log Called Sam to check in #U7:2.1`'
          : 'I could not open the form just now. Please try again.'));
      }
      return;
    case 'file':
      await reply(textMessage(`Sending ${result.title.toLowerCase()} to your messages with me…`));
      try {
        await sendFile(deps, client, c.user_id, result);
      } catch (err) {
        await reply(failureMessage(err, deps.log, { ...logContext, step: 'files.uploadV2' }));
      }
      return;
  }
}

/** Uploads a file into the person's DM with the bot, with the message as its comment. */
async function sendFile(deps: SlackDeps, client: WebClient, userId: string, file: Extract<CommandResult, { kind: 'file' }>): Promise<void> {
  const channel = await deps.chat.openDm(userId);
  const comment = file.message.blocks.flatMap((b) => (b.type === 'text' || b.type === 'context' ? [b.text] : [])).join('\n');
  await client.files.uploadV2({
    channel_id: channel,
    file: Buffer.from(file.content, 'utf8'),
    filename: file.fileName,
    title: file.title,
    initial_comment: escapeMrkdwn(comment || file.message.fallback),
  });
}
