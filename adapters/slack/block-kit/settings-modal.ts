// The check-in settings as a Slack modal (`/evidence settings`): cadence, day, time, time zone,
// quiet hours and pause, drawn from the core's prefill; and the parse of its submission into the
// changes update-settings takes. Block IDs are the core's field names, so a refusal from the core
// (AppError.details.field) goes back inline under the right input.
import type { types } from '@slack/bolt';
import { z } from 'zod';
import { CADENCES, WEEKDAY_NAMES } from '../../../src/domain/schedule.ts';
import type { SettingsChanges } from '../../../src/domain/settings-args.ts';
import { escapeMrkdwn, plainText } from './escape.ts';
import { MODAL_LIMITS } from './log-modal.ts';

export const SETTINGS_FORM_CALLBACK_ID = 'evidence_settings';

export const SETTINGS_FIELD = {
  cadence: 'cadence',
  dayOfWeek: 'dayOfWeek',
  timeOfDay: 'timeOfDay',
  timezone: 'timezone',
  quietStart: 'quietStart',
  quietEnd: 'quietEnd',
  paused: 'paused',
} as const;
type SettingsField = (typeof SETTINGS_FIELD)[keyof typeof SETTINGS_FIELD];

const CADENCE_LABEL: Record<string, string> = {
  daily: 'Every day', twice_weekly: 'Twice a week', weekly: 'Every week', fortnightly: 'Every other week',
};

/** What the core pre-fills (get-settings' settingsPrefill). */
export const ZSettingsPrefill = z.object({
  cadence: z.string().default('weekly'),
  dayOfWeek: z.number().int().min(0).max(6).default(1),
  timeOfDay: z.string().default('09:00'),
  timezone: z.string().default('Europe/London'),
  quietStart: z.string().nullish(),
  quietEnd: z.string().nullish(),
  paused: z.boolean().default(false),
  nextCheckInText: z.string().nullish(),
}).passthrough();

const option = (value: string, label: string): types.PlainTextOption => ({ text: plainText(label, MODAL_LIMITS.optionText), value });

export function settingsFormView(prefill: Record<string, unknown> | undefined): types.ModalView {
  const parsed = ZSettingsPrefill.safeParse(prefill ?? {});
  const s = parsed.success ? parsed.data : ZSettingsPrefill.parse({});
  const cadences = CADENCES.map((c) => option(c, CADENCE_LABEL[c] ?? c));
  const days = WEEKDAY_NAMES.map((d, i) => option(String(i), d));
  const pausedOption = option('paused', 'Pause check-ins (a break in learning)');
  return {
    type: 'modal',
    callback_id: SETTINGS_FORM_CALLBACK_ID,
    title: plainText('Check-ins', MODAL_LIMITS.title),
    submit: plainText('Save', 24),
    close: plainText('Cancel', 24),
    blocks: [
      { type: 'context', elements: [{ type: 'mrkdwn', text: `When the bot checks in with you. You are only nudged if you have logged nothing since the last check-in.${s.nextCheckInText ? ` Next check-in: ${escapeMrkdwn(s.nextCheckInText)}.` : ''}` }] },
      input(SETTINGS_FIELD.cadence, 'How often', {
        type: 'static_select', action_id: SETTINGS_FIELD.cadence, options: cadences,
        initial_option: cadences.find((o) => o.value === s.cadence) ?? cadences[2]!,
      }),
      input(SETTINGS_FIELD.dayOfWeek, 'On', {
        type: 'static_select', action_id: SETTINGS_FIELD.dayOfWeek, options: days, initial_option: days[s.dayOfWeek]!,
      }, { hint: 'Twice a week: this day and three days later. Every day: ignored.' }),
      input(SETTINGS_FIELD.timeOfDay, 'At', { type: 'timepicker', action_id: SETTINGS_FIELD.timeOfDay, initial_time: s.timeOfDay }),
      input(SETTINGS_FIELD.timezone, 'Time zone', {
        type: 'plain_text_input', action_id: SETTINGS_FIELD.timezone, initial_value: s.timezone, max_length: 64,
      }, { hint: 'An IANA name, such as Europe/London or America/New_York.' }),
      input(SETTINGS_FIELD.quietStart, 'Quiet from', {
        type: 'timepicker', action_id: SETTINGS_FIELD.quietStart, ...(s.quietStart ? { initial_time: s.quietStart } : {}),
        placeholder: plainText('e.g. 21:00', 150),
      }, { optional: true, hint: 'No messages between these times. Leave both empty for none.' }),
      input(SETTINGS_FIELD.quietEnd, 'Quiet until', {
        type: 'timepicker', action_id: SETTINGS_FIELD.quietEnd, ...(s.quietEnd ? { initial_time: s.quietEnd } : {}),
        placeholder: plainText('e.g. 08:00', 150),
      }, { optional: true }),
      input(SETTINGS_FIELD.paused, 'Pause', {
        type: 'checkboxes', action_id: SETTINGS_FIELD.paused, options: [pausedOption], ...(s.paused ? { initial_options: [pausedOption] } : {}),
      }, { optional: true, hint: 'For a few days off, `/evidence snooze 3d` instead.' }),
    ],
  };
}

function input(blockId: SettingsField, label: string, element: types.InputBlockElement, o: { optional?: boolean; hint?: string } = {}): types.InputBlock {
  return {
    type: 'input', block_id: blockId, label: plainText(label, 2000), element, optional: o.optional ?? false,
    ...(o.hint ? { hint: plainText(o.hint, 2000) } : {}),
  };
}

const ZState = z.record(z.string(), z.record(z.string(), z.object({
  value: z.string().nullish(),
  selected_option: z.object({ value: z.string() }).nullish(),
  selected_options: z.array(z.object({ value: z.string() })).nullish(),
  selected_time: z.string().nullish(),
})));

export type SettingsSubmission = { ok: true; changes: SettingsChanges } | { ok: false; errors: Partial<Record<SettingsField, string>> };

/** Reads the submitted modal; the values themselves are checked by the core. */
export function parseSettingsSubmission(values: unknown): SettingsSubmission {
  const parsed = ZState.safeParse(values);
  if (!parsed.success) return { ok: false, errors: { cadence: 'The form arrived incomplete. Please try again.' } };
  const get = (f: SettingsField) => parsed.data[f]?.[f];
  const day = get('dayOfWeek')?.selected_option?.value;
  return {
    ok: true,
    changes: {
      cadence: get('cadence')?.selected_option?.value,
      dayOfWeek: day === undefined ? undefined : Number(day),
      timeOfDay: get('timeOfDay')?.selected_time ?? undefined,
      timezone: get('timezone')?.value?.trim() || undefined,
      // Empty time pickers clear the quiet hours.
      quietStart: get('quietStart')?.selected_time ?? null,
      quietEnd: get('quietEnd')?.selected_time ?? null,
      paused: (get('paused')?.selected_options ?? []).some((o) => o.value === 'paused'),
    },
  };
}

export function settingsBlockFor(field: unknown): SettingsField {
  return typeof field === 'string' && (Object.values(SETTINGS_FIELD) as string[]).includes(field) ? (field as SettingsField) : SETTINGS_FIELD.cadence;
}
