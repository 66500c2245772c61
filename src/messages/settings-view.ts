// The learner's check-in settings as a message: cadence, time zone, quiet hours, pause and snooze,
// and when the next check-in is. Shared by the `settings` and `snooze` replies on every platform.
import { describeSchedule } from '../domain/schedule.ts';
import { formatDateTime } from '../lib/time.ts';
import type { ChatMessage, MessageBlock } from '../ports/message.ts';

export interface SettingsView {
  cadence: string;
  dayOfWeek: number;
  timeOfDay: string;
  timezone: string;
  /** The time zone is the centre's default (TZ_DEFAULT): the learner has not set one. */
  timezoneIsDefault: boolean;
  quietStart: string | null;
  quietEnd: string | null;
  paused: boolean;
  /** Only while the snooze lasts. */
  snoozedUntil: Date | null;
  nextCheckInAt: Date | null;
  /** The enrolment is on a break in learning (set by the centre): no check-ins. */
  onBreak: boolean;
}

export function settingsMessage(s: SettingsView, headline: string): ChatMessage {
  const tz = s.timezone;
  const quiet = s.quietStart && s.quietEnd ? `${s.quietStart}–${s.quietEnd}` : 'none';
  const blocks: MessageBlock[] = [
    { type: 'text', text: headline, bold: true },
    {
      type: 'fields',
      fields: [
        { label: 'Check-ins', value: describeSchedule(s) },
        { label: 'Time zone', value: `${tz}${s.timezoneIsDefault ? ' (default)' : ''}` },
        { label: 'Quiet hours', value: quiet },
        { label: 'Next check-in', value: nextText(s) },
        ...(s.snoozedUntil && !s.paused && !s.onBreak ? [{ label: 'Snoozed until', value: formatDateTime(s.snoozedUntil, s.timezone) }] : []),
      ],
    },
    { type: 'context', text: 'Change them with `/evidence settings`, or `/evidence snooze 3d` for a few days off.' },
  ];
  return { fallback: `${headline} Next check-in: ${nextText(s)}`, blocks };
}

function nextText(s: SettingsView): string {
  if (s.onBreak) return 'none: you are on a break in learning';
  if (s.paused) return 'none: check-ins are paused (`/evidence settings resume`)';
  if (!s.nextCheckInAt) return 'being scheduled';
  return formatDateTime(s.nextCheckInAt, s.timezone);
}
