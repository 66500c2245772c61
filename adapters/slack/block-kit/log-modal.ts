// The logging form as a Slack modal, and the parse of its submission into the core's EvidenceDraft.
// Block IDs name the fields, so a field error from the core (AppError.details.field) goes back
// inline under the right input (`response_action: 'errors'`).
import type { types } from '@slack/bolt';
import { z } from 'zod';
import { isOtjMinutes, MAX_MINUTES, MIN_MINUTES } from '../../../src/domain/otj-minutes.ts';
import { CHANNEL_LABEL, KIND_LABEL } from '../../../src/messages/entry-card.ts';
import { ENTRY_CHANNELS, ENTRY_KINDS, type EvidenceDraft } from '../../../src/services/evidence/record-evidence.ts';
import type { CriterionOption } from '../../../src/services/evidence/search-criteria.ts';
import { escapeAndFit, plainText } from './escape.ts';

type View = types.ModalView;
type Option = types.PlainTextOption;

export const LOG_FORM_CALLBACK_ID = 'evidence_log';
/** The criteria picker's action_id: its options are loaded from /slack/events as the learner types. */
export const CRITERIA_ACTION_ID = 'criteria';

/** Block IDs (and action IDs: each input has one element, named like its block). */
export const FIELD = {
  summary: 'summary',
  occurredAt: 'occurredAt',
  kind: 'kind',
  channel: 'channel',
  outcome: 'outcome',
  criteria: CRITERIA_ACTION_ID,
  followUp: 'followUp',
  minutes: 'minutes',
  flags: 'flags',
} as const;
type FieldId = (typeof FIELD)[keyof typeof FIELD];

/** Slack's limits for a modal. */
export const MODAL_LIMITS = { title: 24, privateMetadata: 3000, optionText: 75, optionValue: 150 } as const;

export const criterionOption = (o: CriterionOption): Option => ({
  text: plainText(o.label, MODAL_LIMITS.optionText),
  value: o.value.slice(0, MODAL_LIMITS.optionValue),
});

const option = (value: string, label: string): Option => ({ text: plainText(label, MODAL_LIMITS.optionText), value });

export interface LogFormOptions {
  /** Criteria already chosen (the "Log 2.1" button under a unit's criteria). */
  criteria?: CriterionOption[];
  /** The contact from the learner's register this is about (a follow-up reminder's button). */
  contactName?: string;
  /** What happened, pre-written (a follow-up reminder's Done: "Followed up: …"). */
  summary?: string;
  /** Where the form was opened from, kept in private_metadata for the logs. */
  origin?: string;
  now: Date;
}

/** What the modal carries from opening to submission (Slack keeps it, at most 3,000 characters). */
const ZLogFormMetadata = z.object({
  v: z.literal(1),
  origin: z.string().max(40).optional(),
  contactName: z.string().max(200).optional(),
});
export type LogFormMetadata = z.infer<typeof ZLogFormMetadata>;

export function parseLogFormMetadata(raw: string | undefined): LogFormMetadata {
  try {
    const parsed = ZLogFormMetadata.safeParse(JSON.parse(raw ?? ''));
    return parsed.success ? parsed.data : { v: 1 };
  } catch {
    return { v: 1 };
  }
}

export function logFormView(o: LogFormOptions): View {
  const meta: LogFormMetadata = { v: 1, origin: (o.origin ?? 'command').slice(0, 40), ...(o.contactName ? { contactName: o.contactName.slice(0, 200) } : {}) };
  const metadata = JSON.stringify(meta);
  if (metadata.length > MODAL_LIMITS.privateMetadata) throw new Error('log form metadata is over Slack\'s 3,000 characters');
  const criteria = (o.criteria ?? []).slice(0, 100).map(criterionOption);
  const about: types.KnownBlock[] = o.contactName
    ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: `With *${escapeAndFit(o.contactName, 200)}* from your contacts.` }] }]
    : [];
  return {
    type: 'modal',
    callback_id: LOG_FORM_CALLBACK_ID,
    title: plainText('Log evidence', MODAL_LIMITS.title),
    submit: plainText('Save', 24),
    close: plainText('Cancel', 24),
    private_metadata: metadata,
    blocks: [
      ...about,
      input(FIELD.summary, 'What happened?', {
        type: 'plain_text_input', action_id: FIELD.summary, multiline: true, max_length: 2500,
        placeholder: plainText('Called Sam a week after their placement to check in…', 150),
        ...(o.summary ? { initial_value: o.summary.slice(0, 2500) } : {}),
      }, { hint: 'In your own words: who, what you did, why it mattered.' }),
      input(FIELD.occurredAt, 'When', {
        type: 'datetimepicker', action_id: FIELD.occurredAt, initial_date_time: Math.floor(o.now.getTime() / 1000),
      }),
      input(FIELD.kind, 'Who with', {
        type: 'static_select', action_id: FIELD.kind, placeholder: plainText('Kind of contact', 150),
        options: ENTRY_KINDS.map((k) => option(k, KIND_LABEL[k] ?? k)),
      }, { optional: true }),
      input(FIELD.channel, 'How', {
        type: 'static_select', action_id: FIELD.channel, placeholder: plainText('Phone, email, video…', 150),
        options: ENTRY_CHANNELS.map((c) => option(c, CHANNEL_LABEL[c] ?? c)),
      }, { optional: true }),
      input(FIELD.outcome, 'Outcome', {
        type: 'plain_text_input', action_id: FIELD.outcome, multiline: true, max_length: 1000,
        placeholder: plainText('What came of it?', 150),
      }, { optional: true }),
      input(FIELD.criteria, 'Criteria this evidences', {
        type: 'multi_external_select', action_id: CRITERIA_ACTION_ID, min_query_length: 1,
        placeholder: plainText('Type U7, 2.1 or a word…', 150),
        ...(criteria.length ? { initial_options: criteria } : {}),
      }, { hint: 'Search your units: a unit (U7), a criterion (U7:2.1) or words from it.' }),
      input(FIELD.followUp, 'Follow up on', {
        type: 'datepicker', action_id: FIELD.followUp, placeholder: plainText('Remind me on…', 150),
      }, { optional: true, hint: 'You get a reminder at 09:00 that day.' }),
      input(FIELD.minutes, 'Minutes spent', {
        type: 'number_input', action_id: FIELD.minutes, is_decimal_allowed: false, min_value: String(MIN_MINUTES), max_value: String(MAX_MINUTES),
      }, { optional: true, hint: 'Counted as off-the-job training time.' }),
      input(FIELD.flags, 'Also', {
        type: 'checkboxes', action_id: FIELD.flags,
        options: [
          { text: plainText('Simulated', 75), value: 'simulated', description: plainText('Allowed only by exception', 75) },
          { text: plainText('Placement', 75), value: 'placement', description: plainText('A candidate was placed: check-ins follow', 75) },
          { text: plainText('Keep personal details as written', 75), value: 'keep_personal', description: plainText('Only if an email or phone number must stay in the text', 75) },
        ],
      }, { optional: true }),
    ],
  };
}

function input(blockId: FieldId, label: string, element: types.InputBlockElement, o: { optional?: boolean; hint?: string } = {}): types.InputBlock {
  return {
    type: 'input',
    block_id: blockId,
    label: plainText(label, 2000),
    element,
    optional: o.optional ?? false,
    ...(o.hint ? { hint: plainText(o.hint, 2000) } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Submission

const ZElementState = z.object({
  value: z.string().nullish(),
  selected_option: z.object({ value: z.string() }).nullish(),
  selected_options: z.array(z.object({ value: z.string() })).nullish(),
  selected_date: z.string().nullish(),
  selected_date_time: z.number().nullish(),
});
export const ZViewStateValues = z.record(z.string(), z.record(z.string(), ZElementState));
export type ViewStateValues = z.infer<typeof ZViewStateValues>;

const CRITERION_VALUE = /^([A-Z]\/\d{3}\/\d{4}):(\d+\.\d+)$/;

export type LogSubmission = { ok: true; draft: EvidenceDraft } | { ok: false; errors: Partial<Record<FieldId, string>> };

/** Reads the submitted form; what Slack's inputs cannot guarantee is checked here, the rest by the core. */
export function parseLogSubmission(values: unknown): LogSubmission {
  const parsed = ZViewStateValues.safeParse(values);
  if (!parsed.success) return { ok: false, errors: { [FIELD.summary]: 'The form arrived incomplete. Please try again.' } };
  const v = parsed.data;
  const get = (f: FieldId) => v[f]?.[f];
  const errors: Partial<Record<FieldId, string>> = {};

  const summary = get(FIELD.summary)?.value?.trim() ?? '';
  if (!summary) errors[FIELD.summary] = 'Say what happened.';

  const at = get(FIELD.occurredAt)?.selected_date_time;
  const occurredAt = typeof at === 'number' ? new Date(at * 1000) : undefined;

  const kind = get(FIELD.kind)?.selected_option?.value;
  const channel = get(FIELD.channel)?.selected_option?.value;
  const outcome = get(FIELD.outcome)?.value?.trim() || undefined;

  const chosen = get(FIELD.criteria)?.selected_options ?? [];
  const tags = chosen.flatMap((o) => {
    const m = CRITERION_VALUE.exec(o.value);
    return m ? [{ unit: m[1]!, number: m[2]!, raw: `#${o.value}` }] : [];
  });
  if (tags.length !== chosen.length) errors[FIELD.criteria] = 'One of those criteria is not valid any more: remove it and choose again.';
  else if (tags.length === 0) errors[FIELD.criteria] = 'Choose at least one criterion: type a unit (U7) or words from the criterion.';

  const followDate = get(FIELD.followUp)?.selected_date ?? undefined;
  if (followDate && !/^\d{4}-\d{2}-\d{2}$/.test(followDate)) errors[FIELD.followUp] = 'Choose a date from the calendar.';

  const minutesText = get(FIELD.minutes)?.value?.trim();
  const minutes = minutesText ? Number(minutesText) : undefined;
  if (minutes !== undefined && !isOtjMinutes(minutes)) {
    errors[FIELD.minutes] = `Whole minutes between ${MIN_MINUTES} and ${MAX_MINUTES}.`;
  }
  const flags = new Set((get(FIELD.flags)?.selected_options ?? []).map((o) => o.value));

  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    draft: {
      summary,
      occurredAt,
      kind: (ENTRY_KINDS as readonly string[]).includes(kind ?? '') ? (kind as EvidenceDraft['kind']) : undefined,
      channel: (ENTRY_CHANNELS as readonly string[]).includes(channel ?? '') ? (channel as EvidenceDraft['channel']) : undefined,
      outcome,
      tags,
      followUp: followDate ? { kind: 'date', date: followDate } : undefined,
      minutes,
      simulated: flags.has('simulated'),
      placement: flags.has('placement'),
      keepPersonalData: flags.has('keep_personal'),
    },
  };
}

/** The core names a field of the draft (AppError.details.field); this is the block it belongs under. */
const CORE_FIELD_TO_BLOCK: Record<string, FieldId> = {
  summary: FIELD.summary,
  occurredAt: FIELD.occurredAt,
  kind: FIELD.kind,
  channel: FIELD.channel,
  outcome: FIELD.outcome,
  tags: FIELD.criteria,
  criteria: FIELD.criteria,
  followUp: FIELD.followUp,
  minutes: FIELD.minutes,
  simulated: FIELD.flags,
  placement: FIELD.flags,
  keepPersonalData: FIELD.flags,
  contactName: FIELD.summary,
};

export function blockForField(field: unknown): FieldId {
  return (typeof field === 'string' && CORE_FIELD_TO_BLOCK[field]) || FIELD.summary;
}
