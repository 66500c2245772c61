// A learner's check-in settings (the `settings` form's prefill and the replies to `settings` and
// `snooze`). Creates the default row for a learner who has none yet.
import { quietHoursOf, type CheckInSchedule } from '../../domain/schedule.ts';
import { formatDateTime } from '../../lib/time.ts';
import type { SettingsView } from '../../messages/settings-view.ts';
import type { ActorRef, ServiceContext } from '../kernel/context.ts';
import { identifyLearner, timeZoneOf } from '../kernel/identify-person.ts';

export async function getSettings(ctx: ServiceContext, input: { actor: ActorRef }): Promise<SettingsView> {
  const { person, enrolment } = await identifyLearner(ctx, input.actor);
  const settings = await ctx.db.learnerSettings.upsert({ where: { personId: person.id }, create: { personId: person.id }, update: {} });
  return settingsView(ctx, person, settings, enrolment.status);
}

type SettingsRow = { cadence: string; dayOfWeek: number; timeOfDay: string; quietStart: string | null; quietEnd: string | null; paused: boolean; snoozedUntil: Date | null; nextCheckInAt: Date | null };

export function settingsView(ctx: ServiceContext, person: { timezone: string | null }, s: SettingsRow, enrolmentStatus: string): SettingsView {
  const now = ctx.clock.now();
  return {
    cadence: s.cadence, dayOfWeek: s.dayOfWeek, timeOfDay: s.timeOfDay,
    timezone: timeZoneOf(ctx, person), timezoneIsDefault: !person.timezone,
    quietStart: s.quietStart, quietEnd: s.quietEnd, paused: s.paused,
    snoozedUntil: s.snoozedUntil && s.snoozedUntil > now ? s.snoozedUntil : null,
    nextCheckInAt: s.nextCheckInAt, onBreak: enrolmentStatus === 'break',
  };
}

export function scheduleOf(s: Omit<SettingsRow, 'paused' | 'snoozedUntil' | 'nextCheckInAt'>): CheckInSchedule {
  return { cadence: s.cadence, dayOfWeek: s.dayOfWeek, timeOfDay: s.timeOfDay, quiet: quietHoursOf(s) };
}

/** What the settings form opens with (field names match update-settings' input). */
export function settingsPrefill(s: SettingsView): Record<string, unknown> {
  return {
    cadence: s.cadence, dayOfWeek: s.dayOfWeek, timeOfDay: s.timeOfDay, timezone: s.timezone,
    quietStart: s.quietStart, quietEnd: s.quietEnd, paused: s.paused,
    snoozedUntil: s.snoozedUntil?.toISOString() ?? null, nextCheckInAt: s.nextCheckInAt?.toISOString() ?? null,
    nextCheckInText: s.paused ? 'paused' : s.nextCheckInAt ? formatDateTime(s.nextCheckInAt, s.timezone) : null,
  };
}
