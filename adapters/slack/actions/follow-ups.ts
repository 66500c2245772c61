// The buttons on a follow-up reminder (and post-placement check-in): Done opens the logging form
// pre-filled from the entry it was about (the core marks the follow-up done), Snooze reminds again
// a day or three days later. The services check the reminder is the clicker's own.
import { FOLLOW_UP_DONE_ACTION, FOLLOW_UP_SNOOZE_ACTION, reminderHandledMessage } from '../../../src/messages/follow-up-reminder.ts';
import { openForm } from '../forms/index.ts';
import type { SlackActionHandler } from './types.ts';

export const followUpDoneAction: SlackActionHandler = {
  id: FOLLOW_UP_DONE_ACTION,
  async handle(args) {
    const form = await args.deps.services.completeFollowUp({ actor: args.actor, reminderId: args.value });
    // The trigger ID lasts 3 seconds: the form first, then the reminder loses its buttons.
    await openForm(args.client, args.triggerId, form, { origin: 'followup', now: args.deps.services.context.clock.now() });
    await args.reply(reminderHandledMessage('Marked done. Log what happened in the form.'), { replaceOriginal: true });
  },
};

export const followUpSnoozeAction: SlackActionHandler = {
  id: FOLLOW_UP_SNOOZE_ACTION,
  async handle(args) {
    const r = await args.deps.services.snoozeFollowUp({ actor: args.actor, value: args.value });
    await args.reply(r.message, { replaceOriginal: true });
  },
};

export const followUpActions = [followUpDoneAction, followUpSnoozeAction];
