// The contact form and the relationship-review form as Slack modals, and the parse of their
// submissions into the core's ContactForm / ReviewForm. Block IDs name the core's fields, so an
// AppError's details.field goes back inline under the right input.
import type { types } from '@slack/bolt';
import { z } from 'zod';
import { CONTACT_CHANNELS, CONTACT_KINDS, REVIEW_ACTIONS } from '../../../src/domain/contact.ts';
import { CONTACT_KIND_LABEL } from '../../../src/messages/contact-views.ts';
import { CHANNEL_LABEL } from '../../../src/messages/entry-card.ts';
import type { ContactForm } from '../../../src/services/contacts-privacy/add-contact.ts';
import type { ReviewForm } from '../../../src/services/contacts-privacy/record-review.ts';
import { escapeAndFit, plainText } from './escape.ts';
import { MODAL_LIMITS, ZViewStateValues } from './log-modal.ts';

export const CONTACT_FORM_CALLBACK_ID = 'evidence_contact';
export const REVIEW_FORM_CALLBACK_ID = 'evidence_review';

const CONTACT_FIELDS = ['name', 'org', 'kind', 'email', 'phone', 'channel', 'availability', 'consent', 'consentMethod', 'notice', 'next'] as const;
const REVIEW_FIELDS = ['value', 'activity', 'potential', 'action', 'rationale', 'next', 'tags'] as const;
type ContactField = (typeof CONTACT_FIELDS)[number];
type ReviewField = (typeof REVIEW_FIELDS)[number];

type Option = types.PlainTextOption;
const option = (value: string, label: string): Option => ({ text: plainText(label, MODAL_LIMITS.optionText), value });

function input(blockId: string, label: string, element: types.InputBlockElement, o: { optional?: boolean; hint?: string } = {}): types.InputBlock {
  return {
    type: 'input', block_id: blockId, label: plainText(label, 2000), element, optional: o.optional ?? false,
    ...(o.hint ? { hint: plainText(o.hint, 2000) } : {}),
  };
}

const text = (id: string, o: { initial?: string; placeholder?: string; multiline?: boolean; max?: number } = {}): types.PlainTextInput => ({
  type: 'plain_text_input', action_id: id, ...(o.multiline ? { multiline: true } : {}), ...(o.max ? { max_length: o.max } : {}),
  ...(o.initial ? { initial_value: o.initial } : {}), ...(o.placeholder ? { placeholder: plainText(o.placeholder, 150) } : {}),
});

/** What the contact modal carries to its submission: a log held for the minimisation choice. */
const ZContactMeta = z.object({ v: z.literal(1), pendingLog: z.string().max(300).optional() });

export function contactFormView(prefill: { name?: string; email?: string; phone?: string; pendingLog?: string } = {}): types.ModalView {
  const meta = JSON.stringify({ v: 1, ...(prefill.pendingLog ? { pendingLog: prefill.pendingLog } : {}) });
  const intro: types.KnownBlock[] = prefill.pendingLog
    ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: 'Who are these details for? Saving adds them to your register and stores your evidence with the details replaced by a neutral marker.' }] }]
    : [];
  return {
    type: 'modal',
    callback_id: CONTACT_FORM_CALLBACK_ID,
    title: plainText('Add a contact', MODAL_LIMITS.title),
    submit: plainText('Save', 24),
    close: plainText('Cancel', 24),
    private_metadata: meta,
    blocks: [
      ...intro,
      input('name', 'Name', text('name', { initial: prefill.name, placeholder: 'Sam Taylor', max: 100 }), { hint: 'Adding a name already in your register updates that contact.' }),
      input('org', 'Organisation', text('org', { max: 200 }), { optional: true }),
      input('kind', 'Kind', { type: 'static_select', action_id: 'kind', options: CONTACT_KINDS.map((k) => option(k, CONTACT_KIND_LABEL[k] ?? k)) }, { optional: true }),
      input('email', 'Email', { type: 'email_text_input', action_id: 'email', ...(prefill.email ? { initial_value: prefill.email } : {}) }, { optional: true }),
      input('phone', 'Phone', text('phone', { initial: prefill.phone, placeholder: '07700 900123', max: 30 }), { optional: true }),
      input('channel', 'Preferred channel', { type: 'static_select', action_id: 'channel', options: CONTACT_CHANNELS.map((c) => option(c, CHANNEL_LABEL[c] ?? c)) }, { optional: true }),
      input('availability', 'Availability', text('availability', { placeholder: 'Weekday mornings', max: 200 }), { optional: true }),
      input('consent', 'Consent to keep their details', {
        type: 'radio_buttons', action_id: 'consent',
        options: [option('yes', 'Given'), option('no', 'Refused or withdrawn')],
      }, { optional: true, hint: 'Recorded with today\'s date.' }),
      input('consentMethod', 'How consent was given', text('consentMethod', { placeholder: 'Verbal, on a call', max: 200 }), { optional: true }),
      input('notice', 'Privacy notice', {
        type: 'checkboxes', action_id: 'notice', options: [option('yes', 'Sent to them')],
      }, { optional: true }),
      input('next', 'Next contact', { type: 'datepicker', action_id: 'next' }, { optional: true, hint: 'You get a reminder at 09:00 that day.' }),
    ],
  };
}

const get = (values: z.infer<typeof ZViewStateValues>, f: string) => values[f]?.[f];

export type Parsed<T, F extends string> = { ok: true; values: T; meta: Record<string, string | undefined> } | { ok: false; errors: Partial<Record<F, string>> };

export function parseContactSubmission(state: unknown, privateMetadata: string | undefined): Parsed<ContactForm, ContactField> {
  const parsed = ZViewStateValues.safeParse(state);
  if (!parsed.success) return { ok: false, errors: { name: 'The form arrived incomplete. Please try again.' } };
  const v = parsed.data;
  const str = (f: ContactField) => get(v, f)?.value?.trim() || undefined;
  const name = str('name');
  if (!name) return { ok: false, errors: { name: "Give the contact's name." } };
  const consent = get(v, 'consent')?.selected_option?.value;
  const notice = (get(v, 'notice')?.selected_options ?? []).some((o) => o.value === 'yes');
  const kind = get(v, 'kind')?.selected_option?.value;
  const channel = get(v, 'channel')?.selected_option?.value;
  let meta: z.infer<typeof ZContactMeta> = { v: 1 };
  try {
    const m = ZContactMeta.safeParse(JSON.parse(privateMetadata ?? ''));
    if (m.success) meta = m.data;
  } catch {
    // a modal without metadata: nothing held
  }
  return {
    ok: true,
    meta: { pendingLog: meta.pendingLog },
    values: {
      name,
      org: str('org'),
      kind: (CONTACT_KINDS as readonly string[]).includes(kind ?? '') ? (kind as ContactForm['kind']) : undefined,
      email: str('email'),
      phone: str('phone'),
      channel: (CONTACT_CHANNELS as readonly string[]).includes(channel ?? '') ? (channel as ContactForm['channel']) : undefined,
      availability: str('availability'),
      consent: consent === 'yes' || consent === 'no' ? consent : undefined,
      consentMethod: str('consentMethod'),
      // An unticked box says nothing: it never clears a notice recorded before.
      notice: notice ? 'yes' : undefined,
      next: get(v, 'next')?.selected_date ?? undefined,
      ...(meta.pendingLog ? { pendingLog: meta.pendingLog } : {}),
    },
  };
}

const ZReviewMeta = z.object({ v: z.literal(1), contactId: z.string().uuid() });
const SCORE_LABEL = ['1 · low', '2', '3', '4', '5 · high'];

export function reviewFormView(prefill: { contactId: string; contactName: string }): types.ModalView {
  const score = (id: 'value' | 'activity' | 'potential', label: string, hint: string) =>
    input(id, label, { type: 'static_select', action_id: id, options: SCORE_LABEL.map((l, i) => option(String(i + 1), l)) }, { hint });
  return {
    type: 'modal',
    callback_id: REVIEW_FORM_CALLBACK_ID,
    title: plainText('Relationship review', MODAL_LIMITS.title),
    submit: plainText('Save', 24),
    close: plainText('Cancel', 24),
    private_metadata: JSON.stringify({ v: 1, contactId: prefill.contactId }),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `Reviewing *${escapeAndFit(prefill.contactName, 200)}*` } },
      score('value', 'Value', 'What this relationship has brought: placements, referrals, insight.'),
      score('activity', 'Activity level', 'How often you are in touch.'),
      score('potential', 'Potential', 'What it could bring from here.'),
      input('action', 'Action', { type: 'radio_buttons', action_id: 'action', options: REVIEW_ACTIONS.map((a) => option(a, a[0]!.toUpperCase() + a.slice(1))) }),
      input('rationale', 'Why', text('rationale', { multiline: true, max: 1500, placeholder: 'Placed twice this year; prefers calls; worth a monthly check-in.' })),
      input('next', 'Next contact', { type: 'datepicker', action_id: 'next' }, { optional: true, hint: 'Empty: in 2 weeks to strengthen, 4 weeks to keep, none to discontinue.' }),
      input('tags', 'Criteria (makes it evidence)', text('tags', { placeholder: '#U7:2.1 #U7:2.3', max: 300 }), { optional: true }),
    ],
  };
}

export function parseReviewSubmission(state: unknown, privateMetadata: string | undefined): Parsed<ReviewForm, ReviewField> | { ok: false; stale: true } {
  let meta: z.infer<typeof ZReviewMeta>;
  try {
    const m = ZReviewMeta.safeParse(JSON.parse(privateMetadata ?? ''));
    if (!m.success) return { ok: false, stale: true };
    meta = m.data;
  } catch {
    return { ok: false, stale: true };
  }
  const parsed = ZViewStateValues.safeParse(state);
  if (!parsed.success) return { ok: false, errors: { rationale: 'The form arrived incomplete. Please try again.' } };
  const v = parsed.data;
  return {
    ok: true,
    meta: {},
    values: {
      contactId: meta.contactId,
      value: get(v, 'value')?.selected_option?.value ?? '',
      activity: get(v, 'activity')?.selected_option?.value ?? '',
      potential: get(v, 'potential')?.selected_option?.value ?? '',
      action: (get(v, 'action')?.selected_option?.value ?? '') as ReviewForm['action'],
      rationale: get(v, 'rationale')?.value ?? '',
      next: get(v, 'next')?.selected_date ?? undefined,
      tags: get(v, 'tags')?.value?.trim() || undefined,
    },
  };
}

/** The core's field (AppError.details.field) → the block to show its error under. */
export function contactBlockFor(field: unknown): ContactField {
  return (CONTACT_FIELDS as readonly string[]).includes(String(field)) ? (field as ContactField) : 'name';
}
export function reviewBlockFor(field: unknown): ReviewField {
  return (REVIEW_FIELDS as readonly string[]).includes(String(field)) ? (field as ReviewField) : 'rationale';
}
