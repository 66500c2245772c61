// Parses `/evidence settings key:value …` (the typed alternative to the settings form):
// `cadence:daily day:thu time:08:30 timezone:Europe/Paris quiet:21:00-08:00 quiet:off pause resume`.
// Pure: values are checked again, with the form's rules, by the update-settings service.
import { invalidInput } from '../lib/errors.ts';
import { splitArgs } from './command.ts';
import { parseWeekday } from './schedule.ts';

export interface SettingsChanges {
  cadence?: string;
  dayOfWeek?: number;
  timeOfDay?: string;
  timezone?: string;
  /** null clears quiet hours. */
  quietStart?: string | null;
  quietEnd?: string | null;
  paused?: boolean;
}

export const SETTINGS_USAGE =
  'Change check-ins with `/evidence settings`, or type them: `/evidence settings cadence:weekly day:mon time:09:00 timezone:Europe/London quiet:21:00-08:00` (cadence: daily, twice_weekly, weekly, fortnightly; `quiet:off`; `pause` / `resume`).';

export function parseSettingsArgs(text: string): SettingsChanges {
  const out: SettingsChanges = {};
  for (const token of splitArgs(text)) {
    const lower = token.toLowerCase();
    if (lower === 'pause' || lower === 'paused') { out.paused = true; continue; }
    if (lower === 'resume' || lower === 'unpause') { out.paused = false; continue; }
    const m = /^([a-z_-]+):(.*)$/i.exec(token);
    if (!m) throw invalidInput(`I don't understand \`${token}\`. ${SETTINGS_USAGE}`);
    const key = m[1]!.toLowerCase();
    const value = m[2]!.trim();
    switch (key) {
      case 'cadence':
      case 'every':
        out.cadence = value.toLowerCase().replace(/-/g, '_');
        break;
      case 'day': {
        const d = parseWeekday(value);
        if (d === undefined) throw invalidInput(`\`${token}\`: say a day of the week, like \`day:mon\` or \`day:thursday\`.`);
        out.dayOfWeek = d;
        break;
      }
      case 'time':
        out.timeOfDay = value;
        break;
      case 'tz':
      case 'timezone':
      case 'zone':
        out.timezone = value;
        break;
      case 'quiet': {
        if (['off', 'none', 'no'].includes(value.toLowerCase())) {
          out.quietStart = null;
          out.quietEnd = null;
          break;
        }
        const q = /^(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})$/.exec(value);
        if (!q) throw invalidInput(`\`${token}\`: give quiet hours as \`quiet:21:00-08:00\` (from, to), or \`quiet:off\`.`);
        out.quietStart = q[1]!;
        out.quietEnd = q[2]!;
        break;
      }
      case 'pause':
      case 'paused': {
        const v = value.toLowerCase();
        if (!['yes', 'no', 'on', 'off', 'true', 'false'].includes(v)) throw invalidInput(`\`${token}\`: use \`pause:yes\` or \`pause:no\`.`);
        out.paused = ['yes', 'on', 'true'].includes(v);
        break;
      }
      default:
        throw invalidInput(`\`${key}\` is not a setting. ${SETTINGS_USAGE}`);
    }
  }
  return out;
}
