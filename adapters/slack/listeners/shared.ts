// What every Slack listener shares: its dependencies, the 3-second acknowledgement budget, turning
// an error into what the person sees (and the log gets), and opening the logging form.
import type { webApi } from '@slack/bolt';
import { AppError, userMessageOf } from '../../../src/lib/errors.ts';
import type { Logger } from '../../../src/lib/logger.ts';
import type { ChatMessage } from '../../../src/ports/message.ts';
import type { ActorRef } from '../../../src/services/kernel/context.ts';
import type { Services } from '../../../src/services/index.ts';
import { renderReply } from '../block-kit/message.ts';
import type { SlackChatPort } from '../chat-port.ts';
import { slackErrorCode } from '../errors.ts';

export type WebClient = webApi.WebClient;

export interface SlackDeps {
  services: Services;
  log: Logger;
  chat: SlackChatPort;
}

/**
 * Slack wants the HTTP answer within 3 seconds (then the person sees "failed"). A reply that is
 * ready within this budget goes back in the acknowledgement itself; a slower one is acknowledged
 * empty and delivered afterwards.
 */
export const ACK_BUDGET_MS = 2000;

export type Settled<T> = { state: 'done'; value: T } | { state: 'failed'; error: unknown };

export function settle<T>(work: Promise<T>): Promise<Settled<T>> {
  return work.then((value) => ({ state: 'done' as const, value }), (error: unknown) => ({ state: 'failed' as const, error }));
}

/** The work's outcome if it settles within `ms`, else `pending` (the work carries on). */
export async function settleWithin<T>(work: Promise<T>, ms: number): Promise<Settled<T> | { state: 'pending' }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<{ state: 'pending' }>((resolve) => {
    timer = setTimeout(() => resolve({ state: 'pending' }), ms);
  });
  try {
    return await Promise.race([settle(work), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** How a request is answered around its acknowledgement (answerWithinAckBudget). */
export interface AckBudgetAnswer<T> {
  /**
   * The outcome, settled within the budget: answer now, in the acknowledgement itself (a modal
   * submission, a command), or while the request's trigger ID is still valid (a button).
   */
  inTime(outcome: Settled<T>): Promise<void>;
  /** The budget ran out first: acknowledge now with no body; the work carries on. A no-op where the request was acknowledged on arrival. */
  ackEmpty(): Promise<void>;
  /** The outcome, after the budget ran out: answer it another way (response_url, a DM). */
  later(outcome: Settled<T>): Promise<void>;
}

/**
 * Answers a Slack request within its acknowledgement budget: when `work` settles within `budgetMs`
 * (ACK_BUDGET_MS) its outcome goes to `inTime`; otherwise `ackEmpty` runs at the budget and the
 * outcome, once settled, goes to `later`. Exactly one of `inTime` or `ackEmpty` then `later` runs;
 * resolves once the answer is given (an error thrown by a callback rejects it), saying which way.
 */
export async function answerWithinAckBudget<T>(work: Promise<T>, answer: AckBudgetAnswer<T>, budgetMs = ACK_BUDGET_MS): Promise<'in_time' | 'later'> {
  const outcome = await settleWithin(work, budgetMs);
  if (outcome.state !== 'pending') {
    await answer.inTime(outcome);
    return 'in_time';
  }
  await answer.ackEmpty();
  await answer.later(await settle(work));
  return 'later';
}

export const textMessage = (text: string): ChatMessage => ({ fallback: text, blocks: [{ type: 'text', text }] });

/** A reply only the person sees: as a slash command's ack body, or through respond(). */
export const ephemeral = (message: ChatMessage) => ({ response_type: 'ephemeral' as const, ...renderReply(message) });

/**
 * What the person sees when something failed: an AppError's own message; anything else a short
 * "try again", with the error in the log (never in the chat).
 */
export function failureMessage(err: unknown, log: Logger, context: Record<string, unknown>): ChatMessage {
  if (err instanceof AppError) log.info({ ...context, code: err.code }, 'request refused');
  else log.error({ ...context, err, slackError: slackErrorCode(err) }, 'slack request failed');
  return textMessage(userMessageOf(err));
}

/** Who is acting, as Slack says: team and user IDs. The services look them up in the roster. */
export function slackActor(teamId: string | undefined | null, userId: string): ActorRef {
  return { platform: 'slack', workspaceId: teamId ?? '', userId };
}

/** A message in the person's DM with the bot: for answers when there is nothing to reply to. */
export async function sendToDm(deps: SlackDeps, userId: string, message: ChatMessage): Promise<void> {
  await deps.chat.send({ personId: '', platform: 'slack', workspaceExternalId: '', userExternalId: userId }, message);
}
