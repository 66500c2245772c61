// Records a relationship review (value, activity level, potential 1-5, a rationale, an action) for
// one of the learner's contacts, and sets the contact's next-contact date. With criteria tags the
// review is also logged as evidence through record-evidence. One request stores one review,
// however often it arrives (ProcessedRequest `review:<request>`).
import { z } from 'zod';
import { parseReviewArgs, REVIEW_ACTIONS, type ReviewDraft } from '../../domain/contact.ts';
import { parseFollowUp, type CriterionTag } from '../../domain/log-grammar.ts';
import { AppError, invalidInput } from '../../lib/errors.ts';
import { addDays, atLocal, localDate } from '../../lib/time.ts';
import { reviewRecordedMessage } from '../../messages/contact-views.ts';
import type { ChatMessage } from '../../ports/message.ts';
import { findOwnContact } from './add-contact.ts';
import type { ActorRef, ServiceContext } from '../kernel/context.ts';
import { identifyLearner, timeZoneOf } from '../kernel/identify-person.ts';
import { followUpInstant, recordEvidence, typedText } from '../evidence/record-evidence.ts';

const score = z.coerce.number({ message: 'Score it from 1 to 5.' }).int('Score it from 1 to 5.').min(1, 'Score it from 1 to 5.').max(5, 'Score it from 1 to 5.');

/** The review form's fields. */
export const ZReviewForm = z.object({
  contactId: z.string().uuid('Choose the contact to review.'),
  value: score,
  activity: score,
  potential: score,
  action: z.enum(REVIEW_ACTIONS, { message: 'Choose keep, strengthen or discontinue.' }),
  rationale: typedText(1500).min(1, 'Say why: a review needs your rationale.').max(1500, 'Keep the rationale under 1,500 characters.'),
  /** YYYY-MM-DD or 7d / 2w; empty: by the action (strengthen 2 weeks, keep 4 weeks, discontinue none). */
  next: typedText(20).max(20, 'Give a date (2026-12-01) or a delay (7d, 2w).').optional(),
  /** Criteria as typed: "#U7:2.1 #U7:2.3" (optional). */
  tags: typedText(500).max(500, 'Keep the criteria under 500 characters.').optional(),
});
export type ReviewForm = z.input<typeof ZReviewForm>;

export interface RecordReviewInput {
  actor: ActorRef;
  /** Stable per request (Slack view ID, Teams activity ID). */
  requestId: string;
  source: 'slack' | 'teams' | 'cli';
  /** The text after `review`, or … */
  text?: string;
  /** … the review form. */
  form?: ReviewForm;
}

export interface RecordReviewResult {
  reviewId: string;
  entryId: string | null;
  duplicate: boolean;
  message: ChatMessage;
}

const DEFAULT_NEXT_DAYS: Record<string, number | null> = { strengthen: 14, keep: 28, discontinue: null };

export async function recordReview(ctx: ServiceContext, input: RecordReviewInput): Promise<RecordReviewResult> {
  const { person } = await identifyLearner(ctx, input.actor);
  const tz = timeZoneOf(ctx, person);
  const key = `review:${input.source}:${input.requestId}`;

  const seen = await ctx.db.processedRequest.findUnique({ where: { key } });
  if (seen) return replay(ctx, seen.result as { reviewId: string }, tz);

  let draft: ReviewDraft;
  let contact;
  if (input.form) {
    const parsed = ZReviewForm.safeParse(input.form);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw invalidInput(issue.message, { field: String(issue.path[0] ?? '') });
    }
    const f = parsed.data;
    contact = await ctx.db.contact.findFirst({ where: { id: f.contactId, ownerId: person.id } });
    if (!contact) throw invalidInput('That contact is no longer in your register, so nothing was saved.', { field: 'contactId' });
    draft = {
      contactName: contact.name, value: f.value, activity: f.activity, potential: f.potential, action: f.action, rationale: f.rationale,
      next: f.next ? fieldOf('next', () => parseFollowUp(f.next!)) : undefined,
      tags: f.tags ? tagsOf(f.tags) : [],
    };
  } else {
    draft = parseReviewArgs(input.text ?? '');
    contact = await findOwnContact(ctx, person.id, draft.contactName);
  }

  const now = ctx.clock.now();
  const defaultDays = DEFAULT_NEXT_DAYS[draft.action];
  const nextContactAt = draft.next
    ? followUpInstant(draft.next, now, tz)
    : defaultDays ? atLocal(addDays(localDate(now, tz), defaultDays), '09:00', tz) : null;
  if (nextContactAt && nextContactAt.getTime() <= now.getTime()) throw invalidInput('The next-contact date has already passed: choose a later date.', { field: 'next' });

  // As evidence first (it validates the tags and refuses, storing nothing, when one is wrong).
  let entryId: string | null = null;
  const warnings: string[] = [];
  if (draft.tags.length) {
    const summary = `Relationship review of ${contact.name}: value ${draft.value}/5, activity level ${draft.activity}/5, potential ${draft.potential}/5. Action: ${draft.action}. Rationale: ${draft.rationale}`;
    const r = await recordEvidence(ctx, {
      actor: input.actor, idempotencyKey: key, source: input.source,
      draft: { summary, tags: draft.tags, contactName: contact.name, kind: 'networking' },
    });
    entryId = r.entry.id;
    warnings.push(...r.warnings);
  }

  const reviewId = crypto.randomUUID();
  try {
    await ctx.db.$transaction(async (tx) => {
      await tx.processedRequest.create({ data: { key, result: { reviewId } } });
      await tx.contactReview.create({
        data: {
          id: reviewId, contactId: contact.id, learnerId: person.id, value: draft.value, activity: draft.activity,
          potential: draft.potential, rationale: draft.rationale, action: draft.action, entryId, createdAt: now,
        },
      });
      // A review is reflection, not contact: keep the last interaction as it was before the evidence was logged.
      await tx.contact.update({ where: { id: contact.id }, data: { nextContactAt, lastInteractionAt: contact.lastInteractionAt } });
    });
  } catch (err) {
    if ((err as { code?: string }).code === 'P2002') {
      const again = await ctx.db.processedRequest.findUniqueOrThrow({ where: { key } });
      return replay(ctx, again.result as { reviewId: string }, tz);
    }
    throw err;
  }
  ctx.log.info({ reviewId, contactId: contact.id, learnerId: person.id, action: draft.action, evidence: entryId !== null }, 'relationship review recorded');
  return {
    reviewId, entryId, duplicate: false,
    message: reviewRecordedMessage({
      contactName: contact.name, value: draft.value, activity: draft.activity, potential: draft.potential, action: draft.action,
      nextContactAt, channel: contact.channel, entryRecorded: entryId !== null, tz, warnings,
    }),
  };
}

async function replay(ctx: ServiceContext, result: { reviewId: string }, tz: string): Promise<RecordReviewResult> {
  const r = await ctx.db.contactReview.findUnique({ where: { id: result.reviewId }, include: { contact: true } });
  if (!r) throw invalidInput('That review was already handled.');
  return {
    reviewId: r.id, entryId: r.entryId, duplicate: true,
    message: reviewRecordedMessage({
      contactName: r.contact.name, value: r.value, activity: r.activity, potential: r.potential, action: r.action,
      nextContactAt: r.contact.nextContactAt, channel: r.contact.channel, entryRecorded: r.entryId !== null, tz,
    }),
  };
}

function fieldOf<T>(field: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof AppError) throw invalidInput(err.userMessage.replace(/follow-up:/g, ''), { field });
    throw err;
  }
}

/** "#U7:2.1 #K/507/0949:1.4" (the # is optional in the form) → tags. */
export function tagsOf(text: string): CriterionTag[] {
  const tags: CriterionTag[] = [];
  for (const raw of text.split(/[\s,;]+/).filter(Boolean)) {
    const m = /^#?([a-z]\/\d{3}\/\d{4}|u\d{1,3}):(\d+\.\d+)\.?$/i.exec(raw);
    if (!m) throw invalidInput(`\`${raw}\` is not a criterion tag: write them like \`#U7:2.1\`.`, { field: 'tags' });
    tags.push({ unit: m[1]!, number: m[2]!, raw });
  }
  return tags;
}
