// When the bot may speak to a learner: their check-in cadence (daily, twice weekly, weekly,
// fortnightly) at a local time of day in their IANA time zone, moved out of their quiet hours.
// Pure: every function takes the instant to reason from; DST is handled by lib/time (a time that
// does not exist on a spring-forward day resolves forwards).
import { addDays, atLocal, localDate, localParts, parseHm } from '../lib/time.ts';

export const CADENCES = ['daily', 'twice_weekly', 'weekly', 'fortnightly'] as const;
export type Cadence = (typeof CADENCES)[number];

export const CADENCE_LABEL: Record<Cadence, string> = {
  daily: 'every day', twice_weekly: 'twice a week', weekly: 'every week', fortnightly: 'every other week',
};

export const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

export interface QuietHours {
  /** HH:MM local; the window is [start, end) and may run over midnight (21:00–08:00). */
  start: string;
  end: string;
}

export interface CheckInSchedule {
  cadence: string;
  /** 0 = Sunday … 6 = Saturday (ignored for daily). */
  dayOfWeek: number;
  /** HH:MM local. */
  timeOfDay: string;
  quiet?: QuietHours | null;
}

/** Used for catch-up messages to someone who set no quiet hours: nobody is messaged at night. */
export const DEFAULT_NIGHT: QuietHours = { start: '21:00', end: '08:00' };

/** The IANA name properly cased ("europe/london" → "Europe/London"), or undefined when it is not one. */
export function canonicalTimeZone(tz: string): string | undefined {
  const t = tz.trim();
  if (!/^[A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)*$/.test(t)) return undefined;
  try {
    const resolved = new Intl.DateTimeFormat('en-GB', { timeZone: t }).resolvedOptions().timeZone;
    // ICU may answer with an older alias (America/Buenos_Aires): keep a correctly typed name as typed.
    return resolved.toLowerCase() === t.toLowerCase() || !/[A-Z]/.test(t) ? resolved : t;
  } catch {
    return undefined;
  }
}

export function quietHoursOf(s: { quietStart: string | null; quietEnd: string | null }): QuietHours | null {
  return s.quietStart && s.quietEnd && s.quietStart !== s.quietEnd ? { start: s.quietStart, end: s.quietEnd } : null;
}

const minutesOf = (hm: string) => {
  const t = parseHm(hm);
  return t ? t.hour * 60 + t.minute : 0;
};

/** Whether local time `hm` falls inside the quiet window. */
export function inQuietHours(hm: string, quiet: QuietHours | null | undefined): boolean {
  if (!quiet) return false;
  const t = minutesOf(hm);
  const s = minutesOf(quiet.start);
  const e = minutesOf(quiet.end);
  if (s === e) return false;
  return s < e ? t >= s && t < e : t >= s || t < e;
}

/** `at`, or the end of the quiet hours it falls in (the same local morning or the next). */
export function outOfQuietHours(at: Date, tz: string, quiet: QuietHours | null | undefined): Date {
  if (!quiet) return at;
  const p = localParts(at, tz);
  const hm = `${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
  if (!inQuietHours(hm, quiet)) return at;
  const today = localDate(at, tz);
  // Inside an over-midnight window before its end: the end is today; otherwise tomorrow.
  const endToday = minutesOf(hm) < minutesOf(quiet.end);
  return atLocal(endToday ? today : addDays(today, 1), quiet.end, tz);
}

/** Whole days since 1970-01-01 for a YYYY-MM-DD date. */
const dayNumber = (ymd: string) => Math.round(new Date(`${ymd}T00:00:00Z`).getTime() / 86_400_000);
const weekdayOf = (ymd: string) => new Date(`${ymd}T00:00:00Z`).getUTCDay();

/** Whether the cadence has a check-in on this local date. Fortnightly weeks are the even Monday-weeks since 1970. */
export function isCheckInDay(s: Pick<CheckInSchedule, 'cadence' | 'dayOfWeek'>, ymd: string): boolean {
  const wd = weekdayOf(ymd);
  switch (s.cadence) {
    case 'daily':
      return true;
    case 'twice_weekly':
      return wd === s.dayOfWeek || wd === (s.dayOfWeek + 3) % 7;
    case 'fortnightly':
      // 1970-01-01 was a Thursday; +3 makes weeks start on Monday.
      return wd === s.dayOfWeek && Math.floor((dayNumber(ymd) + 3) / 7) % 2 === 0;
    default:
      return wd === s.dayOfWeek;
  }
}

/** The first check-in strictly after `after`, in UTC, at the local time moved out of quiet hours. */
export function nextCheckIn(s: CheckInSchedule, tz: string, after: Date): Date {
  const start = addDays(localDate(after, tz), -1); // a quiet-hours shift can carry yesterday's slot past midnight
  for (let i = 0; i < 16; i++) {
    const day = addDays(start, i);
    if (!isCheckInDay(s, day)) continue;
    const at = outOfQuietHours(atLocal(day, s.timeOfDay, tz), tz, s.quiet);
    if (at.getTime() > after.getTime()) return at;
  }
  // Unreachable for valid settings (every cadence has a day within two weeks).
  throw new Error(`no check-in found for cadence ${s.cadence}`);
}

/** A reminder due on a local date: 09:00 that morning, or the end of quiet hours when 09:00 is quiet. */
export function morningOf(ymd: string, tz: string, quiet: QuietHours | null | undefined): Date {
  return outOfQuietHours(atLocal(ymd, '09:00', tz), tz, quiet);
}

/** Adds calendar months to a YYYY-MM-DD date, keeping the day or the month's last day (31 Jan + 1 → 28/29 Feb). */
export function addMonths(ymd: string, months: number): string {
  const [y, m, d] = ymd.split('-').map(Number) as [number, number, number];
  const total = (y * 12 + (m - 1)) + months;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${year}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

/** "weekly on Monday at 09:00" */
export function describeSchedule(s: CheckInSchedule): string {
  const day = WEEKDAY_NAMES[s.dayOfWeek] ?? 'Monday';
  switch (s.cadence) {
    case 'daily':
      return `every day at ${s.timeOfDay}`;
    case 'twice_weekly':
      return `twice a week, on ${day} and ${WEEKDAY_NAMES[(s.dayOfWeek + 3) % 7]} at ${s.timeOfDay}`;
    case 'fortnightly':
      return `every other ${day} at ${s.timeOfDay}`;
    default:
      return `every ${day} at ${s.timeOfDay}`;
  }
}

/** "mon", "Monday", "1" → 1. */
export function parseWeekday(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  if (/^[0-6]$/.test(t)) return Number(t);
  const i = WEEKDAY_NAMES.findIndex((d) => t.length >= 2 && d.toLowerCase().startsWith(t));
  return i >= 0 ? i : undefined;
}

/** The digest slot at or before `now`: the latest `weekday` `hm` in tz (default Monday 09:00). */
export function latestWeeklySlot(now: Date, tz: string, weekday = 1, hm = '09:00'): Date {
  const today = localDate(now, tz);
  const back = (weekdayOf(today) - weekday + 7) % 7;
  const slot = atLocal(addDays(today, -back), hm, tz);
  return slot.getTime() <= now.getTime() ? slot : atLocal(addDays(today, -back - 7), hm, tz);
}

/** An outbox notBefore: the instant when it is later than `now`, else nothing (due at once). */
export function deferredUntil(at: Date, now: Date): Date | undefined {
  return at.getTime() > now.getTime() ? at : undefined;
}
