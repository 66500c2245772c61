// Check-in times as a learner sees them: the cadence, their local time in their own time zone
// (through daylight-saving changes), never inside their quiet hours; the settings they can type.
import { describe, expect, it } from 'vitest';
import {
  addMonths, canonicalTimeZone, isCheckInDay, latestWeeklySlot, nextCheckIn, outOfQuietHours, type CheckInSchedule,
} from '../../src/domain/schedule.ts';
import { parseSettingsArgs } from '../../src/domain/settings-args.ts';
import { AppError } from '../../src/lib/errors.ts';

const weekly: CheckInSchedule = { cadence: 'weekly', dayOfWeek: 1, timeOfDay: '09:00' };
const at = (iso: string) => new Date(iso);
const iso = (d: Date) => d.toISOString();

describe('next check-in', () => {
  it('weekly: the coming Monday at 09:00 London time, or the one after once it has passed', () => {
    expect(iso(nextCheckIn(weekly, 'Europe/London', at('2026-11-21T23:00:00Z')))).toBe('2026-11-23T09:00:00.000Z');
    expect(iso(nextCheckIn(weekly, 'Europe/London', at('2026-11-23T09:00:00Z')))).toBe('2026-11-30T09:00:00.000Z');
  });

  it('is in the learner’s own time zone', () => {
    expect(iso(nextCheckIn(weekly, 'America/New_York', at('2026-11-21T23:00:00Z')))).toBe('2026-11-23T14:00:00.000Z');
    expect(iso(nextCheckIn(weekly, 'Asia/Kolkata', at('2026-11-21T23:00:00Z')))).toBe('2026-11-23T03:30:00.000Z');
  });

  it('keeps the local time across daylight saving (London: GMT in March, BST after the 28th)', () => {
    expect(iso(nextCheckIn(weekly, 'Europe/London', at('2027-03-22T10:00:00Z')))).toBe('2027-03-29T08:00:00.000Z');
    // Autumn: BST on Monday 19 October, GMT on Monday 26 October.
    expect(iso(nextCheckIn(weekly, 'Europe/London', at('2026-10-12T10:00:00Z')))).toBe('2026-10-19T08:00:00.000Z');
    expect(iso(nextCheckIn(weekly, 'Europe/London', at('2026-10-19T10:00:00Z')))).toBe('2026-10-26T09:00:00.000Z');
  });

  it('a time that does not exist on the spring-forward night happens an hour later, not a day later', () => {
    const sunday: CheckInSchedule = { cadence: 'weekly', dayOfWeek: 0, timeOfDay: '01:30' };
    expect(iso(nextCheckIn(sunday, 'Europe/London', at('2027-03-27T12:00:00Z')))).toBe('2027-03-28T01:30:00.000Z'); // 02:30 BST
  });

  it('daily, twice weekly (the day and three days later), fortnightly (every other week)', () => {
    const from = at('2026-11-23T10:00:00Z'); // Monday
    expect(iso(nextCheckIn({ ...weekly, cadence: 'daily' }, 'Europe/London', from))).toBe('2026-11-24T09:00:00.000Z');
    const twice = { ...weekly, cadence: 'twice_weekly' };
    const thu = nextCheckIn(twice, 'Europe/London', from);
    expect(iso(thu)).toBe('2026-11-26T09:00:00.000Z');
    expect(iso(nextCheckIn(twice, 'Europe/London', thu))).toBe('2026-11-30T09:00:00.000Z');
    const fortnightly = { ...weekly, cadence: 'fortnightly' };
    const first = nextCheckIn(fortnightly, 'Europe/London', from);
    const second = nextCheckIn(fortnightly, 'Europe/London', first);
    expect(second.getTime() - first.getTime()).toBe(14 * 86_400_000);
    expect(isCheckInDay(fortnightly, '2026-11-23') !== isCheckInDay(fortnightly, '2026-11-30')).toBe(true);
  });

  it('moves out of quiet hours, also when they run over midnight', () => {
    const early = { ...weekly, timeOfDay: '07:00', quiet: { start: '21:00', end: '08:00' } };
    expect(iso(nextCheckIn(early, 'Europe/London', at('2026-11-21T23:00:00Z')))).toBe('2026-11-23T08:00:00.000Z');
    const late = { ...weekly, timeOfDay: '23:30', quiet: { start: '22:00', end: '07:00' } };
    expect(iso(nextCheckIn(late, 'Europe/London', at('2026-11-21T23:00:00Z')))).toBe('2026-11-24T07:00:00.000Z');
    const lunch = { ...weekly, timeOfDay: '12:15', quiet: { start: '12:00', end: '13:00' } };
    expect(iso(nextCheckIn(lunch, 'Europe/London', at('2026-11-21T23:00:00Z')))).toBe('2026-11-23T13:00:00.000Z');
  });

  it('a message due at night waits for the end of the quiet hours', () => {
    const quiet = { start: '21:00', end: '08:00' };
    expect(iso(outOfQuietHours(at('2026-11-23T23:10:00Z'), 'Europe/London', quiet))).toBe('2026-11-24T08:00:00.000Z');
    expect(iso(outOfQuietHours(at('2026-11-24T03:00:00Z'), 'Europe/London', quiet))).toBe('2026-11-24T08:00:00.000Z');
    expect(iso(outOfQuietHours(at('2026-11-24T10:00:00Z'), 'Europe/London', quiet))).toBe('2026-11-24T10:00:00.000Z');
  });
});

describe('weekly digest slot', () => {
  it('is the latest Monday 09:00 in the manager’s zone at or before now', () => {
    expect(iso(latestWeeklySlot(at('2026-11-30T09:00:00Z'), 'Europe/London'))).toBe('2026-11-30T09:00:00.000Z');
    expect(iso(latestWeeklySlot(at('2026-11-30T08:59:00Z'), 'Europe/London'))).toBe('2026-11-23T09:00:00.000Z');
    expect(iso(latestWeeklySlot(at('2026-12-03T18:00:00Z'), 'Europe/London'))).toBe('2026-11-30T09:00:00.000Z');
    expect(iso(latestWeeklySlot(at('2026-11-30T09:00:00Z'), 'America/Los_Angeles'))).toBe('2026-11-23T17:00:00.000Z');
  });
});

describe('calendar months', () => {
  it('keeps the day, or the last day of a shorter month', () => {
    expect(addMonths('2026-11-23', 1)).toBe('2026-12-23');
    expect(addMonths('2026-11-23', 3)).toBe('2027-02-23');
    expect(addMonths('2027-01-31', 1)).toBe('2027-02-28');
    expect(addMonths('2027-12-15', 1)).toBe('2028-01-15');
  });
});

describe('typed settings', () => {
  it('reads cadence, day, time, time zone, quiet hours and pause', () => {
    expect(parseSettingsArgs('cadence:twice-weekly day:thu time:08:30 timezone:Europe/Paris quiet:21:00-07:30 pause')).toEqual({
      cadence: 'twice_weekly', dayOfWeek: 4, timeOfDay: '08:30', timezone: 'Europe/Paris', quietStart: '21:00', quietEnd: '07:30', paused: true,
    });
    expect(parseSettingsArgs('quiet:off resume')).toEqual({ quietStart: null, quietEnd: null, paused: false });
  });

  it('refuses what it does not understand, saying how to write it', () => {
    const msg = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as AppError).userMessage;
      }
      return '';
    };
    expect(msg(() => parseSettingsArgs('day:someday'))).toContain('day:mon');
    expect(msg(() => parseSettingsArgs('quiet:late'))).toContain('quiet:21:00-08:00');
    expect(msg(() => parseSettingsArgs('colour:blue'))).toContain('is not a setting');
  });

  it('knows IANA time zones, whatever their case', () => {
    expect(canonicalTimeZone('europe/london')).toBe('Europe/London');
    expect(canonicalTimeZone('America/Argentina/Buenos_Aires')).toBe('America/Argentina/Buenos_Aires');
    expect(canonicalTimeZone('Mars/Olympus_Mons')).toBeUndefined();
    expect(canonicalTimeZone('+01:00')).toBeUndefined();
  });
});
