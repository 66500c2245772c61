// A learner edits an entry their assessor asked them to change, and it goes back for assessment:
// status pending, version + 1 (so the old buttons are dead), history 'edited', the assessor's root
// re-rendered with fresh buttons and a note in the thread. The edit is the `log` grammar (or the
// logging form's draft): summary, criteria, minutes and simulation are restated in full; the
// follow-up date, contact and placement change only when given.
import { criterionKey, getQualification } from '../../catalogue/catalogue.ts';
import { parseLogText } from '../../domain/log-grammar.ts';
import { enrolledUnits } from '../../domain/progress.ts';
import { forbidden, invalidInput } from '../../lib/errors.ts';
import { editedThreadNote, reopenedRootMessage } from '../../messages/decision-notices.ts';
import { STATUS_LABEL, criteriaLines, type EntryView } from '../../messages/entry-card.ts';
import type { ChatMessage } from '../../ports/message.ts';
import { cleanText, isUniqueViolation, LostRace, markProcessed, processedKey, replayOf, staleEntry } from '../verification/assessment-access.ts';
import type { ActorRef, ServiceContext } from '../kernel/context.ts';
import { entryNoticeItems, entryStepItems, rootHolder } from '../verification/entry-notices.ts';
import { identifyLearner, timeZoneOf } from '../kernel/identify-person.ts';
import { enqueue } from '../outbox/outbox.ts';
import { followUpInstant, resolveTags, ZEvidenceDraft, type EvidenceDraft } from './record-evidence.ts';
import { loadEntryView } from './entry-view.ts';
import { syncEntryReminders } from '../schedules/schedule-reminders.ts';

export interface EditEntryInput {
  actor: ActorRef;
  entryId: string;
  /** The version the Edit button carried. */
  version: number;
  /** The entry restated in the `log` grammar, or … */
  text?: string;
  /** … the logging form's draft. */
  draft?: EvidenceDraft;
  requestId: string;
  /** Where it was sent, when the request ID is only unique there (Teams activity IDs). */
  conversationId?: string;
}

export interface EditEntryResult {
  entry: EntryView;
  duplicate: boolean;
  /** What changed, in words ("summary", "criteria" …). */
  changed: string[];
  confirmation: ChatMessage;
}

export async function editEntry(ctx: ServiceContext, input: EditEntryInput): Promise<EditEntryResult> {
  const { person, enrolment } = await identifyLearner(ctx, input.actor);
  const tz = timeZoneOf(ctx, person);
  // The entry named must be the learner's own before anything stored is consulted.
  const entry = await ctx.db.entry.findUnique({ where: { id: input.entryId }, include: { criteria: true } });
  if (!entry || entry.learnerId !== person.id) throw forbidden('You can only edit your own evidence. Nothing was changed.');
  const key = processedKey('edit', { ...input, personId: person.id });
  const isAbout = (s: Stored) => s.entryId === entry.id;
  const seen = await replayOf(ctx.db, key, isAbout, NOTHING_CHANGED);
  if (seen) return done(ctx, seen.entryId, seen.changed, true);
  if (entry.status !== 'changes_requested' || entry.version !== input.version) {
    throw staleEntry(entry.status, entry.status === 'changes_requested' ? 'edited since' : STATUS_LABEL[entry.status] ?? '');
  }

  // The new content, refused as a whole (nothing stored) when any part is wrong.
  let content: { summary: string; tags: EvidenceDraft['tags']; minutes?: number; simulated: boolean; followUp?: EvidenceDraft['followUp']; contactName?: string; placement?: boolean };
  let extra: { occurredAt?: Date; kind?: string; channel?: string; outcome?: string | null } = {};
  if (input.draft) {
    const parsed = ZEvidenceDraft.safeParse(input.draft);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw invalidInput(issue.message, { field: String(issue.path[0] ?? '') });
    }
    const d = parsed.data;
    content = { summary: d.summary, tags: d.tags, minutes: d.minutes, simulated: d.simulated, followUp: d.followUp, contactName: d.contactName, placement: d.placement };
    extra = { occurredAt: d.occurredAt, kind: d.kind, channel: d.channel, outcome: d.outcome || null };
  } else {
    if (!cleanText(input.text)) throw invalidInput('Write the evidence again with your changes, with its criteria tags (e.g. `#U7:2.1`). Nothing was changed.', { field: 'text' });
    const p = parseLogText(input.text!);
    content = { summary: p.summary, tags: p.tags, minutes: p.minutes, simulated: p.simulated, followUp: p.followUp, contactName: p.contactName };
  }
  const q = getQualification(enrolment.qualificationId);
  const criteria = resolveTags(q, content.tags, enrolledUnits(q, enrolment.optionalUnits).map((u) => u.ref));
  const now = ctx.clock.now();
  if (extra.occurredAt && extra.occurredAt.getTime() > now.getTime() + 5 * 60_000) throw invalidInput('When it happened cannot be in the future.', { field: 'occurredAt' });
  const followUpAt = content.followUp ? followUpInstant(content.followUp, now, tz) : undefined;
  if (followUpAt && followUpAt.getTime() <= now.getTime()) throw invalidInput('The follow-up date has already passed: choose a later date.', { field: 'followUp' });
  let contactId: string | undefined;
  if (content.contactName) {
    const c = await ctx.db.contact.findFirst({ where: { ownerId: person.id, name: { equals: content.contactName, mode: 'insensitive' } }, select: { id: true } });
    if (!c) throw invalidInput(`There is no contact called "${content.contactName}" in your register, so nothing was changed. Add them first, or leave out \`with:\`.`, { field: 'contactName' });
    contactId = c.id;
  }

  const changed: string[] = [];
  if (content.summary !== entry.summary) changed.push('summary');
  const before = new Set(entry.criteria.map(criterionKey));
  if (before.size !== criteria.length || criteria.some((c) => !before.has(criterionKey(c)))) changed.push('criteria');
  if ((content.minutes ?? null) !== entry.minutes) changed.push('time spent');
  if (content.simulated !== entry.simulated) changed.push(content.simulated ? 'now marked as simulation' : 'no longer simulation');
  if (followUpAt && followUpAt.getTime() !== entry.followUpAt?.getTime()) changed.push('follow-up');
  if (contactId && contactId !== entry.contactId) changed.push('contact');
  if (extra.occurredAt && extra.occurredAt.getTime() !== entry.occurredAt.getTime()) changed.push('date');
  for (const f of ['kind', 'channel', 'outcome'] as const) if (extra[f] !== undefined && (extra[f] ?? null) !== entry[f]) changed.push(f);

  try {
    await ctx.db.$transaction(async (tx) => {
      const moved = await tx.entry.updateMany({
        where: { id: entry.id, learnerId: person.id, version: input.version, status: 'changes_requested' },
        data: {
          summary: content.summary,
          minutes: content.minutes ?? null,
          simulated: content.simulated,
          ...(content.placement !== undefined && input.draft ? { placement: content.placement } : {}),
          ...(followUpAt ? { followUpAt } : {}),
          ...(contactId ? { contactId } : {}),
          ...(extra.occurredAt ? { occurredAt: extra.occurredAt } : {}),
          ...(extra.kind !== undefined ? { kind: extra.kind } : {}),
          ...(extra.channel !== undefined ? { channel: extra.channel } : {}),
          ...(extra.outcome !== undefined ? { outcome: extra.outcome } : {}),
          status: 'pending',
          version: { increment: 1 },
        },
      });
      if (moved.count === 0) throw new LostRace();
      await syncEntryReminders(tx, entry.id, tz, now); // a new follow-up date or placement: the reminders follow
      await tx.entryCriterion.deleteMany({ where: { entryId: entry.id } });
      await tx.entryCriterion.createMany({ data: criteria.map((c) => ({ entryId: entry.id, unitRef: c.unitRef, number: c.number })) });
      await tx.entryEvent.create({
        data: {
          entryId: entry.id, actorId: person.id, action: 'edited', fromStatus: 'changes_requested', toStatus: 'pending',
          note: changed.length ? `Changed: ${changed.join(', ')}` : 'Resubmitted without changes',
        },
      });
      await markProcessed(tx, key, { entryId: entry.id, changed } satisfies Stored);

      const view = await loadEntryView({ db: tx as unknown as ServiceContext['db'] }, entry.id);
      const holder = await rootHolder(tx, entry.id);
      if (holder) {
        const htz = timeZoneOf(ctx, holder);
        await enqueue(tx, entryStepItems({
          entryId: entry.id, step: `v${input.version}:edited`, holderId: holder.id,
          root: reopenedRootMessage(view, htz, `Edited by ${view.learnerName} after changes were requested${changed.length ? ` (${changed.join(', ')})` : ''}. Waiting for assessment again.`),
          note: editedThreadNote(view, htz, now, changed),
        }));
      } else {
        // Nobody was told about it before (no assessor then): post the root now, if there is one.
        await enqueue(tx, await entryNoticeItems(tx, entry.id, 'created', ctx.defaultTimeZone));
      }
    });
  } catch (err) {
    if (!(err instanceof LostRace) && !isUniqueViolation(err)) throw err;
    const replay = await replayOf(ctx.db, key, isAbout, NOTHING_CHANGED);
    if (replay) return done(ctx, replay.entryId, replay.changed, true);
    throw staleEntry('changed', 'edited since');
  }
  ctx.kickOutbox();
  ctx.log.info({ entryId: entry.id, learnerId: person.id, changed }, 'entry edited');
  return done(ctx, entry.id, changed, false);
}

/** What an edit request stored: the entry it was about, and what changed. */
type Stored = { entryId: string; changed: string[] };
const NOTHING_CHANGED = 'Nothing was changed.';

async function done(ctx: ServiceContext, entryId: string, changed: string[], duplicate: boolean): Promise<EditEntryResult> {
  const entry = await loadEntryView(ctx, entryId);
  const text = 'Saved and sent back to your assessor.';
  const confirmation: ChatMessage = {
    fallback: text,
    blocks: [
      { type: 'text', text, bold: true },
      { type: 'text', text: entry.summary },
      { type: 'context', text: criteriaLines(entry.qualificationId, entry.criteria).join('\n') },
      ...(changed.length ? [{ type: 'context' as const, text: `Changed: ${changed.join(', ')}` }] : []),
    ],
  };
  return { entry, duplicate, changed, confirmation };
}
