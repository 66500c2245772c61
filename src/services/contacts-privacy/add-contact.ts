// Adds a contact to the learner's register, or updates the one with that name (case does not
// matter): `contact add NAME key:value …` or the contact form. Only the fields given change, and
// consent and privacy-notice times are set when their state changes, so sending the same request
// twice changes nothing the second time.
import { z } from 'zod';
import {
  CONTACT_CHANNELS, CONTACT_KINDS, MAX_NAME, normaliseEmail, normalisePhone, parseContactArgs, type ContactDraft,
} from '../../domain/contact.ts';
import { parseFollowUp } from '../../domain/log-grammar.ts';
import { AppError, invalidInput } from '../../lib/errors.ts';
import { contactSavedMessage, type ContactView } from '../../messages/contact-views.ts';
import type { ChatMessage } from '../../ports/message.ts';
import type { ActorRef, ServiceContext } from '../kernel/context.ts';
import { identifyLearner, timeZoneOf } from '../kernel/identify-person.ts';
import { followUpInstant, typedText } from '../evidence/record-evidence.ts';

/**
 * The contact form's fields as submitted (strings; empty means "not given"). Free text is refused
 * when far too long before anything reads it, and cleaned (typedText); email and phone then meet
 * their own rules, length first.
 */
export const ZContactForm = z.object({
  name: typedText(MAX_NAME).min(1, "Give the contact's name.").max(MAX_NAME, `Keep the name under ${MAX_NAME} characters.`),
  org: typedText(200).max(200, 'Keep the organisation under 200 characters.').optional(),
  kind: z.enum(CONTACT_KINDS).optional(),
  email: typedText(254).optional(),
  phone: typedText(40).optional(),
  channel: z.union([z.enum(CONTACT_CHANNELS), z.literal('')]).optional(),
  availability: typedText(200).max(200, 'Keep availability under 200 characters.').optional(),
  consent: z.enum(['yes', 'no', '']).optional(),
  consentMethod: typedText(200).max(200, 'Keep how consent was given under 200 characters.').optional(),
  notice: z.enum(['yes', 'no', '']).optional(),
  /** YYYY-MM-DD or 7d / 2w */
  next: typedText(20).max(20, 'Give a date (2026-12-01) or a delay (7d, 2w).').optional(),
  /** A log waiting for the learner's minimisation choice (see minimise-log.ts): its key. */
  pendingLog: z.string().max(300).optional(),
});
export type ContactForm = z.input<typeof ZContactForm>;

/** Form values → a draft, with the field named in errors so a form can show them in place. */
export function contactDraftFromForm(values: ContactForm): ContactDraft {
  const parsed = ZContactForm.safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw invalidInput(issue.message, { field: String(issue.path[0] ?? '') });
  }
  const v = parsed.data;
  const withField = <T>(field: string, f: () => T): T => {
    try {
      return f();
    } catch (err) {
      if (err instanceof AppError) throw invalidInput(err.userMessage.replace(/`/g, ''), { field });
      throw err;
    }
  };
  // An empty field leaves what the register holds (the form may be saving over an existing contact).
  return {
    name: v.name.replace(/\s+/g, ' '),
    org: v.org || undefined,
    kind: v.kind,
    email: v.email ? withField('email', () => normaliseEmail(v.email!)) : undefined,
    phone: v.phone ? withField('phone', () => normalisePhone(v.phone!)) : undefined,
    channel: v.channel || undefined,
    availability: v.availability || undefined,
    consent: v.consent === 'yes' ? true : v.consent === 'no' ? false : undefined,
    consentMethod: v.consentMethod || undefined,
    notice: v.notice === 'yes' ? true : v.notice === 'no' ? false : undefined,
    next: v.next ? withField('next', () => parseFollowUp(v.next!)) : undefined,
  };
}

export interface AddContactInput {
  actor: ActorRef;
  /** The text after `contact add`, or … */
  text?: string;
  /** … the contact form's values. */
  form?: ContactForm;
}

export interface AddContactResult {
  contact: ContactView;
  created: boolean;
  message: ChatMessage;
}

export async function addContact(ctx: ServiceContext, input: AddContactInput): Promise<AddContactResult> {
  const { person } = await identifyLearner(ctx, input.actor);
  const draft = input.form ? contactDraftFromForm(input.form) : parseContactArgs(input.text ?? '');
  const tz = timeZoneOf(ctx, person);
  const { contact, created } = await saveContact(ctx, person.id, draft, tz);
  ctx.log.info({ contactId: contact.id, ownerId: person.id, created }, created ? 'contact added' : 'contact updated');
  return { contact, created, message: contactSavedMessage(contact, created, tz, contactNotes(contact)) };
}

/** What the learner still has to do for this contact to count as a well-kept record. */
export function contactNotes(c: ContactView): string[] {
  const notes: string[] = [];
  if (c.consent === null) notes.push(`Ask ${c.name} for consent to keep their details, then record it: \`contact add "${c.name}" consent:yes consent-method:"verbal on call"\`.`);
  else if (c.consent === false) notes.push(`Without consent, keep no more than you need, or erase them: \`forget "${c.name}"\`.`);
  else if (!c.consentMethod) notes.push(`Say how consent was given: \`contact add "${c.name}" consent-method:"email reply"\`.`);
  if (c.consent === true && !c.noticeSentAt) notes.push(`Send ${c.name} your privacy notice and record it: \`contact add "${c.name}" notice:yes\`.`);
  return notes;
}

/** Creates or updates one contact of `ownerId` by name; idempotent. */
export async function saveContact(ctx: ServiceContext, ownerId: string, draft: ContactDraft, tz: string): Promise<{ contact: ContactView; created: boolean }> {
  const now = ctx.clock.now();
  for (let attempt = 0; ; attempt++) {
    const existing = await ctx.db.contact.findFirst({ where: { ownerId, name: { equals: draft.name, mode: 'insensitive' } } });
    const data: Record<string, unknown> = {};
    if (draft.org !== undefined) data.org = draft.org;
    if (draft.kind !== undefined) data.kind = draft.kind;
    if (draft.email !== undefined) data.email = draft.email;
    if (draft.phone !== undefined) data.phone = draft.phone;
    if (draft.channel !== undefined) data.channel = draft.channel;
    if (draft.availability !== undefined) data.availability = draft.availability;
    if (draft.consent !== undefined && existing?.consent !== draft.consent) {
      data.consent = draft.consent;
      data.consentAt = now;
      if (draft.consentMethod === undefined) data.consentMethod = null; // the old "how" belonged to the old answer
    }
    if (draft.consentMethod !== undefined) data.consentMethod = draft.consentMethod;
    if (draft.notice === true && !existing?.noticeSentAt) data.noticeSentAt = now;
    if (draft.notice === false) data.noticeSentAt = null;
    if (draft.next !== undefined) data.nextContactAt = draft.next ? followUpInstant(draft.next, now, tz) : null;
    if (data.nextContactAt instanceof Date && data.nextContactAt.getTime() <= now.getTime()) {
      throw invalidInput('The next-contact date has already passed: choose a later date.', { field: 'next' });
    }
    try {
      if (existing) {
        const changed = Object.keys(data).length > 0;
        const row = changed ? await ctx.db.contact.update({ where: { id: existing.id }, data }) : existing;
        return { contact: await withLastReview(ctx, row), created: false };
      }
      const row = await ctx.db.contact.create({ data: { ...data, ownerId, name: draft.name, createdAt: now } as never });
      return { contact: { ...row, lastReviewAt: null }, created: true };
    } catch (err) {
      // The same name was added at the same moment (a retry racing the original): update instead.
      if ((err as { code?: string }).code === 'P2002' && attempt === 0) continue;
      throw err;
    }
  }
}

async function withLastReview(ctx: ServiceContext, row: Omit<ContactView, 'lastReviewAt'>): Promise<ContactView> {
  const last = await ctx.db.contactReview.findFirst({ where: { contactId: row.id }, orderBy: { createdAt: 'desc' }, select: { createdAt: true } });
  return { ...row, lastReviewAt: last?.createdAt ?? null };
}

/** A learner's contact by name (case does not matter), or a refusal saying how to add them. */
export async function findOwnContact(ctx: ServiceContext, ownerId: string, name: string) {
  const c = await ctx.db.contact.findFirst({ where: { ownerId, name: { equals: name.trim(), mode: 'insensitive' } } });
  if (!c) {
    throw invalidInput(`There is no contact called "${name}" in your register. See them with \`/evidence contacts\`, or add them: \`/evidence contact add "${name}" kind:candidate consent:yes\`.`);
  }
  return c;
}
