// Changes a learner's check-ins (the settings form, or `settings key:value …`): cadence, day, time,
// time zone, quiet hours, pause. Bad values are refused with a message naming the field and how to
// fix it, and nothing is changed; good ones reschedule the next check-in at once.
import { z } from 'zod';
import { CADENCES, canonicalTimeZone, nextCheckIn, quietHoursOf } from '../../domain/schedule.ts';
import type { SettingsChanges } from '../../domain/settings-args.ts';
import { invalidInput } from '../../lib/errors.ts';
import { parseHm } from '../../lib/time.ts';
import { settingsMessage, type SettingsView } from '../../messages/settings-view.ts';
import type { ChatMessage } from '../../ports/message.ts';
import type { ActorRef, ServiceContext } from '../kernel/context.ts';
import { scheduleOf, settingsView } from './get-settings.ts';
import { identifyLearner } from '../kernel/identify-person.ts';

const hm = (field: string) =>
  z.string().trim().transform((v, c) => {
    const t = parseHm(v);
    if (!t) {
      c.addIssue({ code: 'custom', message: `${field} should be a 24-hour time like 09:00 or 17:30, not "${v}".` });
      return z.NEVER;
    }
    return `${String(t.hour).padStart(2, '0')}:${String(t.minute).padStart(2, '0')}`;
  });

export const ZSettingsChanges = z.object({
  cadence: z.enum(CADENCES, { error: 'Cadence should be daily, twice_weekly, weekly or fortnightly.' }).optional(),
  dayOfWeek: z.number({ error: 'Day should be a day of the week.' }).int().min(0).max(6).optional(),
  timeOfDay: hm('The check-in time').optional(),
  timezone: z.string().transform((v, c) => {
    const tz = canonicalTimeZone(v);
    if (!tz) {
      c.addIssue({ code: 'custom', message: `"${v}" is not a time zone I know. Use an IANA name like Europe/London, Europe/Dublin or America/New_York.` });
      return z.NEVER;
    }
    return tz;
  }).optional(),
  quietStart: hm('Quiet hours start').nullable().optional(),
  quietEnd: hm('Quiet hours end').nullable().optional(),
  paused: z.boolean().optional(),
});

export interface UpdateSettingsResult {
  settings: SettingsView;
  message: ChatMessage;
}

export async function updateSettings(ctx: ServiceContext, input: { actor: ActorRef; changes: SettingsChanges }): Promise<UpdateSettingsResult> {
  const parsed = ZSettingsChanges.safeParse(input.changes);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw invalidInput(`${issue.message} Nothing was changed.`, { field: String(issue.path[0] ?? '') });
  }
  const c = parsed.data;
  const { person, enrolment } = await identifyLearner(ctx, input.actor);
  const current = await ctx.db.learnerSettings.upsert({ where: { personId: person.id }, create: { personId: person.id }, update: {} });

  const quietStart = c.quietStart !== undefined ? c.quietStart : current.quietStart;
  const quietEnd = c.quietEnd !== undefined ? c.quietEnd : current.quietEnd;
  if ((quietStart === null) !== (quietEnd === null)) {
    throw invalidInput('Quiet hours need both a start and an end (e.g. 21:00 to 08:00), or neither. Nothing was changed.', { field: quietStart === null ? 'quietStart' : 'quietEnd' });
  }
  const next = {
    cadence: c.cadence ?? current.cadence,
    dayOfWeek: c.dayOfWeek ?? current.dayOfWeek,
    timeOfDay: c.timeOfDay ?? current.timeOfDay,
    quietStart, quietEnd,
    paused: c.paused ?? current.paused,
  };
  if (quietHoursOf(next) && quietHoursOf(next)!.start === quietHoursOf(next)!.end) {
    throw invalidInput('Quiet hours cannot start and end at the same time. Nothing was changed.', { field: 'quietEnd' });
  }
  const timezone = c.timezone ?? person.timezone;
  const tz = timezone ?? ctx.defaultTimeZone;
  const now = ctx.clock.now();
  const snoozedUntil = current.snoozedUntil && current.snoozedUntil > now ? current.snoozedUntil : null;
  // Paused: no check-in at all until resumed. Otherwise the next one after now (or after the snooze).
  const nextCheckInAt = next.paused ? null : nextCheckIn(scheduleOf(next), tz, snoozedUntil ?? now);

  const saved = await ctx.db.$transaction(async (tx) => {
    if (c.timezone !== undefined && c.timezone !== person.timezone) await tx.person.update({ where: { id: person.id }, data: { timezone: c.timezone } });
    return tx.learnerSettings.update({ where: { personId: person.id }, data: { ...next, snoozedUntil, nextCheckInAt } });
  });
  ctx.log.info({ personId: person.id, cadence: next.cadence, paused: next.paused }, 'check-in settings changed');
  const view = settingsView(ctx, { timezone }, saved, enrolment.status);
  return { settings: view, message: settingsMessage(view, next.paused ? 'Check-ins paused. Resume any time with `/evidence settings resume`.' : 'Check-in settings saved.') };
}
