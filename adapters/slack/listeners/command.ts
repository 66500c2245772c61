// `/evidence …`: acknowledge, hand the text to the core's command dispatcher, render what it
// returns. A reply ready within the ack budget travels in the acknowledgement itself (so a Slack
// retry of the same request is simply answered again: nothing is posted through the API, and the
// core keys `log` on the trigger ID so it stores once); a slower one is sent through response_url.
// A write (`log …`) is journaled by the core and acknowledged at once, whatever the load; its
// answer always comes through response_url.
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
    // A write is journaled and acknowledged at once, and answered through response_url when done
    // (src/services/command-inbox.ts). A Slack retry takes the direct path: it is answered in its
    // acknowledgement, and the core stores the entry once.
    const intake = context.retryNum ? undefined : deps.services.acceptCommand(input);
    if (intake?.accepted) {
      await ack();
      // The running bot: the worker thread answers through response_url. Nothing is kept here.
      if (intake.answeredElsewhere) return;
      // The listener returns now: the answer is awaited apart from the request, holding only what
      // it needs (a burst's waiting writes must not each keep their whole request in memory).
      void answerLater(deps, { command: c, respond, client, logContext }, intake.result)
        .catch((err: unknown) => deps.log.error({ ...logContext, err }, 'answering a command failed'))
        .finally(intake.finished);
      return;
    }

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

/** A journaled command's answer, once it is done: always through response_url (it was acknowledged empty). */
async function answerLater(deps: SlackDeps, a: Answering & { respond: CommandArgs['respond'] }, result: Promise<CommandResult>): Promise<void> {
  const reply = async (message: ChatMessage) => {
    await a.respond(ephemeral(message)).catch((err: unknown) => deps.log.warn({ ...a.logContext, err }, 'could not respond to a command'));
  };
  await show(deps, { ...a, reply, ackEmpty: async () => {} }, await settle(result));
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
