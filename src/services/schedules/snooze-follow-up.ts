// The reminder's Snooze buttons: remind again in the learner's morning one or three days from now.
// Pressing it twice lands on the same morning. Only the learner it belongs to may press it.
import { morningOf, quietHoursOf } from '../../domain/schedule.ts';
import { conflict, forbidden, invalidInput } from '../../lib/errors.ts';
import { addDays, formatDateTime, localDate } from '../../lib/time.ts';
import { reminderHandledMessage } from '../../messages/follow-up-reminder.ts';
import type { ChatMessage } from '../../ports/message.ts';
import type { ActorRef, ServiceContext } from '../kernel/context.ts';
import { identifyLearner, timeZoneOf } from '../kernel/identify-person.ts';

/** `value` is the button's: "<reminder id>:1d" or "<reminder id>:3d". */
export async function snoozeFollowUp(ctx: ServiceContext, input: { actor: ActorRef; value: string }): Promise<{ dueAt: Date; message: ChatMessage }> {
  const m = /^([0-9a-f-]{36}):(\d{1,2})d$/i.exec(input.value.trim());
  const days = m ? Number(m[2]) : NaN;
  if (!m || days < 1 || days > 14) throw invalidInput('That snooze button is not one I know. Use the buttons on the reminder.');
  const { person } = await identifyLearner(ctx, input.actor);
  const reminder = await ctx.db.followUpReminder.findUnique({ where: { id: m[1]! } });
  if (!reminder || reminder.learnerId !== person.id) throw forbidden('That reminder is not one of yours, so nothing was changed.');
  if (reminder.doneAt) throw conflict('That follow-up is already marked done.');
  const tz = timeZoneOf(ctx, person);
  const settings = await ctx.db.learnerSettings.findUnique({ where: { personId: person.id }, select: { quietStart: true, quietEnd: true } });
  const dueAt = morningOf(addDays(localDate(ctx.clock.now(), tz), days), tz, settings ? quietHoursOf(settings) : null);
  await ctx.db.followUpReminder.update({ where: { id: reminder.id }, data: { dueAt, remindedAt: null, snoozeCount: { increment: 1 } } });
  ctx.log.info({ reminderId: reminder.id, days }, 'follow-up snoozed');
  return { dueAt, message: reminderHandledMessage(`Snoozed: I'll remind you again ${formatDateTime(dueAt, tz)}.`) };
}
