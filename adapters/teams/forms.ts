// The logging form as an Adaptive Card (inputs and one Action.Submit), and the submitted values
// back into the core's evidence draft. The form maps one to one onto ZEvidenceDraft; the service
// validates it again, so this file only turns card strings into typed values.
import { z } from 'zod';
import { parseLogText } from '../../src/domain/log-grammar.ts';
import { isOtjMinutes, MAX_MINUTES, MIN_MINUTES } from '../../src/domain/otj-minutes.ts';
import { invalidInput, userMessageOf } from '../../src/lib/errors.ts';
import { CHANNEL_LABEL, KIND_LABEL } from '../../src/messages/entry-card.ts';
import type { EvidenceDraft } from '../../src/services/evidence/record-evidence.ts';
import { card, paragraph, type AdaptiveCard, type CardElement } from './cards.ts';

export const LOG_FORM_ACTION = 'form.log';

/** What the inputs hold when the form comes back (all strings, as Teams sends them). */
export const ZLogFormValues = z.object({
  summary: z.string().optional(),
  criteria: z.string().optional(),
  occurredOn: z.string().optional(),
  kind: z.string().optional(),
  channel: z.string().optional(),
  outcome: z.string().optional(),
  contactName: z.string().optional(),
  minutes: z.string().optional(),
  followUpOn: z.string().optional(),
  simulated: z.string().optional(),
  placement: z.string().optional(),
  keepPersonalData: z.string().optional(),
});
export type LogFormValues = z.infer<typeof ZLogFormValues>;

const choices = (labels: Record<string, string>) => Object.entries(labels).map(([value, title]) => ({ title, value }));

/** The form. `values` refills it (after an error, or from a criterion's Log button); `error` says what to fix. */
export function logFormCard(options: { values?: LogFormValues; error?: { message: string; field?: string }; today: string }): AdaptiveCard {
  const v = options.values ?? {};
  // The service names the draft's field ('tags' is the criteria input); that input's label is marked.
  const bad = options.error?.field === 'tags' ? 'criteria' : options.error?.field;
  const label = (field: string, text: string) => (bad === field ? `${text} ⚠` : text);
  const body: CardElement[] = [...paragraph('Log evidence', { weight: 'Bolder', size: 'Large' })];
  if (options.error) body.push(...paragraph(`${options.error.message} Nothing was saved; fix it and submit again.`, { color: 'Attention', weight: 'Bolder' }));
  body.push(
    { type: 'Input.Text', id: 'summary', label: label('summary', 'What happened?'), isMultiline: true, maxLength: 2500, isRequired: true, errorMessage: 'Say what happened.', placeholder: 'Called Sam a week after placement to check in…', value: v.summary ?? '' },
    { type: 'Input.Text', id: 'criteria', label: label('criteria', 'Criteria it proves'), isRequired: true, errorMessage: 'Choose at least one criterion.', placeholder: '#U7:2.1 #U14:1.1 (type "criteria" to browse them)', value: v.criteria ?? '' },
    { type: 'Input.Date', id: 'occurredOn', label: label('occurredAt', 'When'), value: v.occurredOn || options.today, max: options.today },
    {
      type: 'ColumnSet',
      columns: [
        { type: 'Column', width: 'stretch', items: [{ type: 'Input.ChoiceSet', id: 'kind', label: 'Kind', style: 'compact', placeholder: 'Choose…', choices: choices(KIND_LABEL), value: v.kind ?? '' }] },
        { type: 'Column', width: 'stretch', items: [{ type: 'Input.ChoiceSet', id: 'channel', label: 'Channel', style: 'compact', placeholder: 'Choose…', choices: choices(CHANNEL_LABEL), value: v.channel ?? '' }] },
      ],
    },
    { type: 'Input.Text', id: 'outcome', label: 'Outcome (optional)', maxLength: 1000, value: v.outcome ?? '' },
    { type: 'Input.Text', id: 'contactName', label: label('contactName', 'With (a contact in your register, optional)'), value: v.contactName ?? '' },
    {
      type: 'ColumnSet',
      columns: [
        { type: 'Column', width: 'stretch', items: [{ type: 'Input.Number', id: 'minutes', label: label('minutes', 'Minutes (off-the-job)'), min: MIN_MINUTES, max: MAX_MINUTES, value: v.minutes ? Number(v.minutes) : undefined }] },
        { type: 'Column', width: 'stretch', items: [{ type: 'Input.Date', id: 'followUpOn', label: label('followUp', 'Follow up on (optional)'), min: options.today, value: v.followUpOn ?? '' }] },
      ],
    },
    { type: 'Input.Toggle', id: 'simulated', title: 'Simulated (allowed only by exception)', value: v.simulated === 'true' ? 'true' : 'false' },
    { type: 'Input.Toggle', id: 'placement', title: 'A placement (schedules post-placement check-ins)', value: v.placement === 'true' ? 'true' : 'false' },
    { type: 'Input.Toggle', id: 'keepPersonalData', title: 'Keep personal details (an email or phone number) as written', value: v.keepPersonalData === 'true' ? 'true' : 'false' },
  );
  return card(body, [{ type: 'Action.Submit', title: 'Save evidence', style: 'positive', data: { action: LOG_FORM_ACTION } }]);
}

/** The form's values as the core's draft; a bad value is refused naming its field. */
export function draftFromForm(values: LogFormValues, options: { timeZone: string; now: Date }): EvidenceDraft {
  const tags = parseCriteria(values.criteria ?? '');
  const on = values.occurredOn?.trim();
  if (on && !/^\d{4}-\d{2}-\d{2}$/.test(on)) throw invalidInput('Pick the date it happened from the calendar.', { field: 'occurredAt' });
  const minutes = values.minutes?.trim() ? Number(values.minutes) : undefined;
  if (minutes !== undefined && !isOtjMinutes(minutes)) {
    throw invalidInput(`Minutes must be a whole number from ${MIN_MINUTES} to ${MAX_MINUTES}.`, { field: 'minutes' });
  }
  const follow = values.followUpOn?.trim();
  if (follow && !/^\d{4}-\d{2}-\d{2}$/.test(follow)) throw invalidInput('Pick the follow-up date from the calendar.', { field: 'followUp' });
  return {
    summary: values.summary ?? '',
    tags,
    // The form asks for the day only: the core reads it in the learner's own time zone.
    occurredOn: on || undefined,
    kind: oneOf(values.kind, Object.keys(KIND_LABEL)) as EvidenceDraft['kind'],
    channel: oneOf(values.channel, Object.keys(CHANNEL_LABEL)) as EvidenceDraft['channel'],
    outcome: values.outcome?.trim() || undefined,
    contactName: values.contactName?.trim() || undefined,
    minutes,
    followUp: follow ? { kind: 'date', date: follow } : undefined,
    simulated: values.simulated === 'true',
    placement: values.placement === 'true',
    keepPersonalData: values.keepPersonalData === 'true',
  };
}

/** `#U7:2.1 U14:1.1, k/507/0949:1.4` → tags, by the same grammar as `log`. */
export function parseCriteria(text: string) {
  const tokens = text.split(/[\s,;]+/).filter(Boolean).map((t) => (t.startsWith('#') ? t : `#${t}`));
  if (tokens.length === 0) return [];
  let parsed;
  try {
    parsed = parseLogText(`criteria ${tokens.join(' ')}`);
  } catch (err) {
    throw invalidInput(userMessageOf(err), { field: 'criteria' });
  }
  // Anything left besides our placeholder word was not a criterion.
  if (parsed.summary !== 'criteria') throw invalidInput('Write criteria as unit and number, like `#U7:2.1 #U14:1.1`.', { field: 'criteria' });
  return parsed.tags;
}

function oneOf(value: string | undefined, allowed: string[]): string | undefined {
  const v = value?.trim();
  return v && allowed.includes(v) ? v : undefined;
}
