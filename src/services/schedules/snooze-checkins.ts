// `snooze 3d`: no check-in nudges for a while (hours, days or weeks); `snooze off` ends it early.
// The next check-in moves to the first one after the snooze.
import { parseDuration } from '../../domain/command.ts';
import { nextCheckIn } from '../../domain/schedule.ts';
import { invalidInput } from '../../lib/errors.ts';
import { formatDateTime } from '../../lib/time.ts';
import { settingsMessage, type SettingsView } from '../../messages/settings-view.ts';
import type { ChatMessage } from '../../ports/message.ts';
import type { ActorRef, ServiceContext } from '../kernel/context.ts';
import { scheduleOf, settingsView } from './get-settings.ts';
import { identifyLearner, timeZoneOf } from '../kernel/identify-person.ts';

/** Longer than this is a break, not a snooze. */
export const MAX_SNOOZE_MS = 8 * 7 * 86_400_000;

const USAGE = 'Snooze check-ins with a number of hours, days or weeks: `/evidence snooze 12h`, `/evidence snooze 3d`, `/evidence snooze 2w`; `/evidence snooze off` ends it.';

export async function snoozeCheckins(ctx: ServiceContext, input: { actor: ActorRef; duration: string }): Promise<{ settings: SettingsView; message: ChatMessage }> {
  const text = input.duration.trim();
  const off = ['off', 'stop', 'end', 'none', 'cancel'].includes(text.toLowerCase());
  const ms = off ? 0 : parseDuration(text);
  if (!off && ms === undefined) throw invalidInput(text ? `\`${text}\` is not a duration. ${USAGE}` : USAGE);
  if (ms !== undefined && ms > MAX_SNOOZE_MS) {
    throw invalidInput('You can snooze for up to 8 weeks. For a longer break, pause check-ins: `/evidence settings pause`.');
  }
  const { person, enrolment } = await identifyLearner(ctx, input.actor);
  const tz = timeZoneOf(ctx, person);
  const now = ctx.clock.now();
  const current = await ctx.db.learnerSettings.upsert({ where: { personId: person.id }, create: { personId: person.id }, update: {} });
  const snoozedUntil = off ? null : new Date(now.getTime() + ms!);
  const nextCheckInAt = current.paused ? null : nextCheckIn(scheduleOf(current), tz, snoozedUntil ?? now);
  const saved = await ctx.db.learnerSettings.update({ where: { personId: person.id }, data: { snoozedUntil, nextCheckInAt } });
  ctx.log.info({ personId: person.id, snoozedUntil }, off ? 'check-in snooze ended' : 'check-ins snoozed');
  const view = settingsView(ctx, person, saved, enrolment.status);
  const headline = off ? 'Snooze ended: check-ins are back on.' : `Check-ins snoozed until ${formatDateTime(snoozedUntil!, tz)}.`;
  return { settings: view, message: settingsMessage(view, headline) };
}
