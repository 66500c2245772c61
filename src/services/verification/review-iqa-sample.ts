// The IQA reviews a sampled decision: confirms it, or raises an action with a note (required).
// Only the IQA the sample was sent to may; the outcome goes into the entry's history and to the
// assessor who decided, and the IQA's card loses its buttons.
import { conflict, forbidden, invalidInput, notFound } from '../../lib/errors.ts';
import { iqaOutcomeMessage, iqaSampleMessage, type IqaOutcome } from '../../messages/iqa-sample-card.ts';
import { formatDateTime } from '../../lib/time.ts';
import type { ChatMessage } from '../../ports/message.ts';
import { cleanText, isUniqueViolation, loadDecisionView, LostRace, markProcessed, processedKey, replayOf } from './assessment-access.ts';
import type { ActorRef, ServiceContext } from '../kernel/context.ts';
import { MAX_FEEDBACK } from './decide-entry.ts';
import { identifyPerson, timeZoneOf } from '../kernel/identify-person.ts';
import { enqueue } from '../outbox/outbox.ts';
import { loadEntryView } from '../evidence/entry-view.ts';

export interface ReviewIqaSampleInput {
  actor: ActorRef;
  sampleId: string;
  outcome: IqaOutcome;
  /** Required for an action: what the assessor should do. */
  note?: string;
  requestId: string;
  /** Where it was sent, when the request ID is only unique there (Teams activity IDs). */
  conversationId?: string;
}

export async function reviewIqaSample(ctx: ServiceContext, input: ReviewIqaSampleInput): Promise<{ duplicate: boolean; reply: ChatMessage }> {
  const note = cleanText(input.note);
  if (input.outcome === 'action' && !note) {
    throw invalidInput('Write the action for the assessor: what should they do differently? Nothing was recorded.', { field: 'note' });
  }
  if (note && note.length > MAX_FEEDBACK) throw invalidInput(`Keep the note under ${MAX_FEEDBACK.toLocaleString('en-GB')} characters. Nothing was recorded.`, { field: 'note' });
  // Who is asking, and was the sample named sent to them, before anything stored is consulted.
  const person = await identifyPerson(ctx, input.actor);
  const sample = await ctx.db.iqaSample.findUnique({ where: { id: input.sampleId }, include: { decision: { select: { id: true, assessorId: true, entryId: true } } } });
  if (!sample) throw notFound('That IQA sample no longer exists. Nothing was recorded.');
  if (sample.iqaId !== person.id) {
    const iqa = await ctx.db.person.findUnique({ where: { id: sample.iqaId }, select: { name: true, workspaceId: true } });
    const who = iqa && iqa.workspaceId === person.workspaceId ? ` (${iqa.name})` : '';
    throw forbidden(`Only the IQA this sample was sent to${who} can review it. Nothing was recorded.`);
  }
  const key = processedKey('iqa', { ...input, personId: person.id });
  const isAbout = (s: Stored) => s.sampleId === sample.id;
  const seen = await replayOf(ctx.db, key, isAbout);
  if (seen) return reply(seen.outcome, true);
  if (sample.outcome) {
    if (sample.outcome === input.outcome) return reply(input.outcome, true);
    throw conflict(`You already reviewed this sample (${sample.outcome === 'confirmed' ? 'confirmed' : 'action raised'}). Nothing was recorded.`);
  }

  const now = ctx.clock.now();
  try {
    await ctx.db.$transaction(async (tx) => {
      const done = await tx.iqaSample.updateMany({ where: { id: sample.id, outcome: null }, data: { outcome: input.outcome, note: note ?? null, decidedAt: now } });
      if (done.count === 0) throw new LostRace();
      await tx.entryEvent.create({
        data: { entryId: sample.decision.entryId, actorId: person.id, action: input.outcome === 'confirmed' ? 'iqa_confirmed' : 'iqa_action', note: note ?? null },
      });
      await markProcessed(tx, key, { sampleId: sample.id, outcome: input.outcome } satisfies Stored);
      const view = await loadEntryView({ db: tx as unknown as ServiceContext['db'] }, sample.decision.entryId);
      const dv = await loadDecisionView(tx, sample.decision.id);
      const assessor = await tx.person.findUnique({ where: { id: sample.decision.assessorId }, select: { id: true, erasedAt: true } });
      const closed = `${input.outcome === 'confirmed' ? '✅ Confirmed' : '⚠ Action raised'} by you, ${formatDateTime(now, timeZoneOf(ctx, person))}${note ? `: ${note}` : ''}`;
      const purpose = `iqa_sample:${sample.id}`;
      await enqueue(tx, [
        {
          dedupeKey: `iqa_sample:${sample.decisionId}:closed`, recipientId: person.id, kind: 'iqa_sample_closed',
          payload: { message: iqaSampleMessage(view, dv, sample, timeZoneOf(ctx, person), closed), purpose, entryId: view.id, updateOf: { entryId: view.id, purpose } },
        },
        ...(assessor && !assessor.erasedAt ? [{
          dedupeKey: `iqa_sample:${sample.decisionId}:outcome:${assessor.id}`, recipientId: assessor.id, kind: 'iqa_outcome_for_assessor',
          payload: { message: iqaOutcomeMessage(view, dv, input.outcome, note ?? null, person.name), purpose: 'notice', entryId: view.id },
        }] : []),
      ]);
    });
  } catch (err) {
    if (!(err instanceof LostRace) && !isUniqueViolation(err)) throw err;
    const replay = await replayOf(ctx.db, key, isAbout);
    if (replay) return reply(replay.outcome, true);
    throw conflict('This sample was reviewed meanwhile. Nothing was recorded.');
  }
  ctx.kickOutbox();
  ctx.log.info({ sampleId: sample.id, outcome: input.outcome, iqaId: person.id }, 'IQA sample reviewed');
  return reply(input.outcome, false);
}

/** What a review request stored: the sample it was about, and the outcome recorded. */
type Stored = { sampleId: string; outcome: IqaOutcome };

function reply(outcome: IqaOutcome, duplicate: boolean) {
  const text = outcome === 'confirmed' ? 'Confirmed: the assessor has been told.' : 'Action raised: the assessor has your note.';
  return { duplicate, reply: { fallback: text, blocks: [{ type: 'text' as const, text: duplicate ? `${text} (Already recorded; nothing more was sent.)` : text }] } };
}
