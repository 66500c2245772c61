// Records one evidence entry, from the `log` grammar or the logging form: resolves the criteria
// against the learner's units (refusing unknown ones with the nearest valid ones, storing nothing),
// writes the entry, its history and the assessor's message in one transaction. The idempotency
// key makes a retried request return the entry it already stored.
import { z } from 'zod';
import {
  criterionKey, findCriterion, findUnit, getQualification, nearestCriteria, type ResolvedCriterion,
} from '../../catalogue/catalogue.ts';
import { MAX_NAME } from '../../domain/contact.ts';
import { enrolledUnits } from '../../domain/progress.ts';
import { parseLogText, type CriterionTag, type FollowUp } from '../../domain/log-grammar.ts';
import { MAX_MINUTES, MIN_MINUTES } from '../../domain/otj-minutes.ts';
import { detectPersonalData } from '../../domain/personal-data.ts';
import { cleanText, MAX_TEXT_INPUT } from '../../domain/text.ts';
import { invalidInput } from '../../lib/errors.ts';
import { addDays, atLocal, localDate } from '../../lib/time.ts';
import { learnerConfirmation, type EntryView } from '../../messages/entry-card.ts';
import { loadEntryView, toEntryView } from './entry-view.ts';
import type { ChatMessage } from '../../ports/message.ts';
import type { ActorRef, ServiceContext } from '../kernel/context.ts';
import { identifyLearner, timeZoneOf } from '../kernel/identify-person.ts';
import { enqueue } from '../outbox/outbox.ts';
import { entryNoticeItems } from '../verification/entry-notices.ts';
import { scheduleEntryReminders } from '../schedules/schedule-reminders.ts';

export const ENTRY_KINDS = ['networking', 'candidate', 'client', 'colleague', 'other'] as const;
export const ENTRY_CHANNELS = ['phone', 'email', 'video', 'face-to-face', 'social', 'event'] as const;

/**
 * A form's free-text field: over MAX_TEXT_INPUT it is refused before anything else reads it (its
 * own, lower limit follows); then it loses control and bidirectional-override characters (text.ts)
 * and surrounding spaces. Also used by the contact form.
 */
export const typedText = (max: number) =>
  z.string()
    .max(MAX_TEXT_INPUT, { abort: true, message: `Keep it under ${max.toLocaleString('en-GB')} characters.` })
    .overwrite(cleanText)
    .trim();

/** A draft from either the text grammar or the form; the form's fields map onto it one to one. */
export const ZEvidenceDraft = z.object({
  summary: typedText(2500).min(1, 'Say what happened.').max(2500, 'Keep it under 2,500 characters.'),
  occurredAt: z.date().optional(),
  /** A day without a time (forms that ask for the day only): midday in the learner's time zone, or now if today. */
  occurredOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Pick the date it happened from the calendar.').optional(),
  kind: z.enum(ENTRY_KINDS).optional(),
  channel: z.enum(ENTRY_CHANNELS).optional(),
  outcome: typedText(1000).max(1000, 'Keep the outcome under 1,000 characters.').optional(),
  tags: z.array(z.object({ unit: z.string(), number: z.string(), raw: z.string() })).min(1, 'Choose at least one criterion.'),
  followUp: z.union([z.object({ kind: z.literal('date'), date: z.string() }), z.object({ kind: z.literal('in'), days: z.number() })]).optional(),
  contactName: typedText(MAX_NAME).min(1).max(MAX_NAME).optional(),
  minutes: z.number().int().min(MIN_MINUTES).max(MAX_MINUTES).optional(),
  simulated: z.boolean().default(false),
  placement: z.boolean().default(false),
  /** The learner ticked "keep personal details as written" (data minimisation, see below). */
  keepPersonalData: z.boolean().default(false),
});
export type EvidenceDraft = z.input<typeof ZEvidenceDraft>;

export interface RecordEvidenceInput {
  actor: ActorRef;
  /** Stable per request: Slack's trigger or view ID, Teams' activity ID. */
  idempotencyKey: string;
  source: 'slack' | 'teams' | 'cli';
  /** `log` text, or … */
  text?: string;
  /** … a form's draft. */
  draft?: EvidenceDraft;
  /**
   * Also send the learner their confirmation through the outbox (a form closes without a reply to
   * show it in); written in the same transaction, so it is sent once however often the form is submitted.
   */
  notifyLearner?: boolean;
}

export interface RecordEvidenceResult {
  entry: EntryView;
  /** The request was seen before: nothing new was stored or sent. */
  duplicate: boolean;
  criteria: ResolvedCriterion[];
  warnings: string[];
  /** The learner's confirmation, ready to render. */
  confirmation: ChatMessage;
}

export async function recordEvidence(ctx: ServiceContext, input: RecordEvidenceInput): Promise<RecordEvidenceResult> {
  const { person, enrolment } = await identifyLearner(ctx, input.actor);
  const tz = timeZoneOf(ctx, person);

  const existing = await ctx.db.entry.findUnique({ where: { idempotencyKey: input.idempotencyKey } });
  if (existing) {
    if (existing.learnerId !== person.id) throw invalidInput('That request was already used. Please send it again.');
    return replay(ctx, existing.id, tz);
  }

  const parsed = input.draft ? ZEvidenceDraft.safeParse(input.draft) : undefined;
  if (parsed && !parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw invalidInput(issue.message, { field: String(issue.path[0] ?? '') });
  }
  const draft = parsed ? parsed.data : { ...parseLogText(input.text ?? ''), occurredAt: undefined, kind: undefined, channel: undefined, outcome: undefined };

  if (parsed && !parsed.data.keepPersonalData) refusePersonalData(parsed.data);

  const q = getQualification(enrolment.qualificationId);
  const criteria = resolveTags(q, draft.tags, enrolledUnits(q, enrolment.optionalUnits).map((u) => u.ref));
  const now = ctx.clock.now();
  const occurredOn = 'occurredOn' in draft ? draft.occurredOn : undefined;
  const occurredAt = draft.occurredAt ?? (occurredOn && occurredOn !== localDate(now, tz) ? atLocal(occurredOn, '12:00', tz) : now);
  if (occurredAt.getTime() > now.getTime() + 5 * 60_000) {
    throw invalidInput('When it happened cannot be in the future.', { field: 'occurredAt' });
  }
  const followUpAt = draft.followUp ? followUpInstant(draft.followUp, now, tz) : undefined;
  if (followUpAt && followUpAt.getTime() <= now.getTime()) {
    throw invalidInput('The follow-up date has already passed: choose a later date.', { field: 'followUp' });
  }

  const warnings: string[] = [];
  let contact: { id: string; name: string; consent: boolean | null } | null = null;
  if (draft.contactName) {
    contact = await ctx.db.contact.findFirst({
      where: { ownerId: person.id, name: { equals: draft.contactName, mode: 'insensitive' } },
      select: { id: true, name: true, consent: true },
    });
    if (!contact) {
      throw invalidInput(
        `There is no contact called "${draft.contactName}" in your register, so nothing was saved. Add them first: \`/evidence contact add "${draft.contactName}" kind:candidate consent:yes\`, or leave out \`with:\`.`,
        { field: 'contactName' },
      );
    }
    if (contact.consent !== true) {
      warnings.push(contact.consent === false
        ? `${contact.name} refused or withdrew consent to keep their details. Keep only what you need, or erase them with \`/evidence forget "${contact.name}"\`.`
        : `No consent is recorded for ${contact.name}. Record it with \`/evidence contact add "${contact.name}" consent:yes notice:yes\` once they have agreed.`);
    }
  }
  if (!enrolment.assessorId) warnings.push('You have no assessor on the roster yet, so nobody has been asked to assess this. Ask your training provider.');

  const entryId = crypto.randomUUID();
  // The stored entry as the learner sees it, built from what was just written (no read-back).
  let view!: EntryView;
  try {
    await ctx.db.$transaction(async (tx) => {
      const row = await tx.entry.create({
        data: {
          id: entryId,
          learnerId: person.id,
          enrolmentId: enrolment.id,
          occurredAt,
          summary: draft.summary,
          kind: draft.kind ?? null,
          channel: draft.channel ?? null,
          outcome: draft.outcome || null,
          minutes: draft.minutes ?? null,
          simulated: draft.simulated ?? false,
          placement: draft.placement ?? false,
          followUpAt: followUpAt ?? null,
          contactId: contact?.id ?? null,
          idempotencyKey: input.idempotencyKey,
          source: input.source,
          criteria: { create: criteria.map((c) => ({ unitRef: c.unitRef, number: c.number })) },
          events: { create: { actorId: person.id, action: 'created', toStatus: 'pending' } },
        },
      });
      view = toEntryView({
        ...row, criteria: criteria.map((c) => ({ unitRef: c.unitRef, number: c.number })), learner: { name: person.name },
        enrolment: { qualificationId: enrolment.qualificationId }, contact: contact ? { name: contact.name } : null,
      });
      // Follow-up and post-placement reminders (sent by the followups job).
      await scheduleEntryReminders(tx, { id: entryId, learnerId: person.id, occurredAt, followUpAt: followUpAt ?? null, placement: draft.placement ?? false }, tz, now);
      if (contact) await tx.contact.update({ where: { id: contact.id }, data: { lastInteractionAt: occurredAt } });
      await enqueue(tx, await entryNoticeItems(tx, entryId, 'created', ctx.defaultTimeZone, { view, assessorId: enrolment.assessorId }));
      if (input.notifyLearner) {
        await enqueue(tx, {
          dedupeKey: `entry:${entryId}:learner_confirmation`,
          recipientId: person.id,
          kind: 'entry_confirmation',
          payload: { message: learnerConfirmation(view, tz, warnings), purpose: 'notice', entryId },
        });
      }
    });
  } catch (err) {
    // Two copies of one request raced past the look-up above: the loser returns the winner's entry.
    if ((err as { code?: string }).code === 'P2002') return replay(ctx, (await ctx.db.entry.findUniqueOrThrow({ where: { idempotencyKey: input.idempotencyKey } })).id, tz);
    throw err;
  }
  ctx.kickOutbox();
  ctx.log.info({ entryId, learnerId: person.id, criteria: criteria.length, source: input.source }, 'evidence recorded');
  return { entry: view, duplicate: false, criteria, warnings, confirmation: learnerConfirmation(view, tz, warnings) };
}

async function replay(ctx: ServiceContext, entryId: string, tz: string): Promise<RecordEvidenceResult> {
  const entry = await loadEntryView(ctx, entryId);
  const q = getQualification(entry.qualificationId);
  const criteria = entry.criteria.map((c) => findCriterion(q, c.unitRef, c.number)!).filter(Boolean);
  return { entry, duplicate: true, criteria, warnings: [], confirmation: learnerConfirmation(entry, tz) };
}

const PERSONAL_DATA_LABEL = { email: 'an email address', phone: 'a phone number', nino: 'a National Insurance number' } as const;

/**
 * Data minimisation for forms (typed `log` asks with buttons instead, minimise-log.ts): contact
 * details in free text are refused inline until the learner removes them or ticks "keep as written".
 */
function refusePersonalData(draft: { summary: string; outcome?: string }) {
  for (const field of ['summary', 'outcome'] as const) {
    const found = detectPersonalData(draft[field] ?? '');
    if (found.length === 0) continue;
    const what = [...new Set(found.map((f) => PERSONAL_DATA_LABEL[f.kind]))].join(' and ');
    throw invalidInput(
      `That looks like ${what}. Keep people's details in your contact register (\`/evidence contact add "NAME" email:… consent:yes\`) and choose the contact instead; or tick "Keep personal details as written" if it must stay. Nothing was saved.`,
      { field },
    );
  }
}

/** Resolves tags to criteria of the learner's units; refuses with the nearest valid ones. */
export function resolveTags(q: ReturnType<typeof getQualification>, tags: CriterionTag[], unitRefs: string[]): ResolvedCriterion[] {
  const out: ResolvedCriterion[] = [];
  for (const tag of tags) {
    const found = findCriterion(q, tag.unit, tag.number);
    if (found && unitRefs.includes(found.unitRef)) {
      if (!out.some((c) => criterionKey(c) === criterionKey(found))) out.push(found);
      continue;
    }
    const unit = findUnit(q, tag.unit);
    const near = nearestCriteria(q, tag.unit, tag.number, { limit: 3, unitRefs });
    const offer = near.length ? ` Did you mean ${near.map((c) => `\`#U${c.unitNumber}:${c.number}\` (${shorten(c.text)})`).join(', ')}?` : '';
    const reason = !unit
      ? `There is no unit \`${tag.unit}\` in this qualification.`
      : !unitRefs.includes(unit.ref)
        ? `You are not enrolled on U${unit.number} ${unit.ref} ${unit.title}.`
        : `U${unit.number} ${unit.ref} has no criterion ${tag.number}.`;
    throw invalidInput(`\`${tag.raw}\` is not one of your criteria: ${reason}${offer} Nothing was saved.`, { field: 'criteria' });
  }
  return out;
}

function shorten(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A follow-up is due at 09:00 in the learner's time zone on the day asked for. */
export function followUpInstant(f: FollowUp, now: Date, tz: string): Date {
  const day = f.kind === 'date' ? f.date : addDays(localDate(now, tz), f.days);
  return atLocal(day, '09:00', tz);
}
