// Every button click arrives here and is routed by its action ID to one handler. To add a button:
// write a SlackActionHandler in this folder and add it to ACTION_HANDLERS — nothing else changes.
// The click is acknowledged first (Slack needs that within 3 s and wants no body for buttons); a
// handler's error becomes a message for the person who clicked, and a log line.
import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import type { ChatMessage } from '../../../src/ports/message.ts';
import { actionIdBase } from '../block-kit/message.ts';
import { noticeView } from '../block-kit/views.ts';
import { ephemeral, failureMessage, sendToDm, slackActor, textMessage, type SlackDeps } from '../listeners/shared.ts';
import { entriesMoreAction } from './entries-more.ts';
import { criterionLogAction, logEvidenceAction } from './open-log-form.ts';
import { verificationActions } from './verification.ts';
import { contactActions } from './contacts.ts';
import { followUpActions } from './follow-ups.ts';
import type { SlackActionArgs, SlackActionHandler } from './types.ts';

export type { SlackActionArgs, SlackActionHandler };

/** The routing table: one line per button. */
export const ACTION_HANDLERS: SlackActionHandler[] = [
  logEvidenceAction,
  criterionLogAction,
  entriesMoreAction,
  ...verificationActions,
  ...contactActions,
  ...followUpActions,
];

export type BlockActionArgs = Pick<SlackActionMiddlewareArgs<BlockAction>, 'ack' | 'body' | 'action'> &
  Partial<Pick<SlackActionMiddlewareArgs<BlockAction>, 'respond'>> & Pick<AllMiddlewareArgs, 'client'>;

const ZButton = z.object({ action_id: z.string().min(1), value: z.string().default('') });

export function blockActions(deps: SlackDeps, handlers: SlackActionHandler[] = ACTION_HANDLERS) {
  const byId = new Map(handlers.map((h) => [h.id, h]));
  return async ({ ack, body, action, respond, client }: BlockActionArgs): Promise<void> => {
    await ack();
    const button = ZButton.safeParse(action);
    const actionId = button.success ? actionIdBase(button.data.action_id) : '';
    const logContext = { action: actionId };
    const reply = async (message: ChatMessage, options: { replaceOriginal?: boolean } = {}) => {
      if (respond && body.response_url) {
        await respond({ ...ephemeral(message), replace_original: options.replaceOriginal ?? false });
      } else if (body.trigger_id) {
        await client.views.open({ trigger_id: body.trigger_id, view: noticeView('Evidence bot', message) })
          .catch(() => sendToDm(deps, body.user.id, message));
      } else {
        await sendToDm(deps, body.user.id, message);
      }
    };
    const handler = byId.get(actionId);
    if (!button.success || !handler) {
      deps.log.warn(logContext, 'a button with no handler was clicked');
      await reply(textMessage('That button is not available here. Type `/evidence help` to see what you can do.')).catch(() => {});
      return;
    }
    const args: SlackActionArgs = {
      actionId, value: button.data.value, actor: slackActor(body.team?.id ?? body.user.team_id, body.user.id),
      triggerId: body.trigger_id, body, client, deps, reply,
    };
    try {
      await handler.handle(args);
    } catch (err) {
      await reply(failureMessage(err, deps.log, logContext)).catch((e: unknown) => deps.log.warn({ ...logContext, err: e }, 'could not answer a button click'));
    }
  };
}
