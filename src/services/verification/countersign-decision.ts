// A qualified assessor countersigns an unqualified colleague's decision (it takes effect: the
// learner is told), or overturns it with a note. Overturned, the entry goes back to pending with
// fresh buttons in the assigned assessor's thread for reassessment (the new decision, if theirs,
// again needs a countersignature); the learner was never told of the overturned decision, so they
// are told nothing. The first qualified assessor to act wins; the others' requests are closed.
import { conflict, invalidInput } from '../../lib/errors.ts';
import {
  countersignRequestMessage, decidedRootMessage, decisionThreadNote, learnerDecisionMessage, OUTCOME_LABEL, OUTCOME_STATUS,
  reopenedRootMessage, type DecisionView,
} from '../../messages/decision-notices.ts';
import type { EntryView } from '../../messages/entry-card.ts';
import { formatDateTime } from '../../lib/time.ts';
import type { ChatMessage } from '../../ports/message.ts';
import {
  authoriseCountersigner, cleanText, isUniqueViolation, loadDecisionView, loadEntryForAssessment, LostRace, markProcessed,
  processedKey, replayOf,
} from './assessment-access.ts';
import type { ActorRef, ServiceContext } from '../kernel/context.ts';
import { MAX_FEEDBACK } from './decide-entry.ts';
import { entryStepItems, rootHolder } from './entry-notices.ts';
import { identifyPerson, timeZoneOf } from '../kernel/identify-person.ts';
import { enqueue, type OutboxItem } from '../outbox/outbox.ts';
import { loadEntryView } from '../evidence/entry-view.ts';

export interface CountersignInput {
  actor: ActorRef;
  decisionId: string;
  action: 'countersign' | 'overturn';
  /** Required to overturn: why, for the assessor who decided. */
  note?: string;
  requestId: string;
  /** Where it was sent, when the request ID is only unique there (Teams activity IDs). */
  conversationId?: string;
}

export interface CountersignResult {
  entry: EntryView;
  decision: DecisionView;
  duplicate: boolean;
  reply: ChatMessage;
}

export async function countersignDecision(ctx: ServiceContext, input: CountersignInput): Promise<CountersignResult> {
  const note = cleanText(input.note);
  if (input.action === 'overturn' && !note) {
    throw invalidInput('Write a note for the assessor who decided: why is the decision overturned? Nothing was recorded.', { field: 'note' });
  }
  if (note && note.length > MAX_FEEDBACK) throw invalidInput(`Keep the note under ${MAX_FEEDBACK.toLocaleString('en-GB')} characters. Nothing was recorded.`, { field: 'note' });

  // Who is asking, and may they countersign the decision named, before anything stored is consulted.
  const person = await identifyPerson(ctx, input.actor);
  const decision = await ctx.db.decision.findUnique({ where: { id: input.decisionId } });
  if (!decision) throw conflict('That decision no longer exists. Nothing was recorded.');
  const entry = await loadEntryForAssessment(ctx.db, decision.entryId);
  authoriseCountersigner(person, entry, decision);
  const key = processedKey('countersign', { ...input, personId: person.id });
  const isAbout = (s: Stored) => s.decisionId === decision.id;
  const seen = await replayOf(ctx.db, key, isAbout);
  if (seen) return result(ctx, seen.decisionId, true);
  if (!decision.needsCountersign) throw conflict('This decision does not need a countersignature. Nothing was recorded.');
  const settled = await alreadySettled(ctx, decision.id, person.id, input.action);
  if (settled) return settled;

  const countersigned = input.action === 'countersign';
  const toStatus = countersigned ? OUTCOME_STATUS[decision.outcome] : 'pending';
  const now = ctx.clock.now();
  try {
    await ctx.db.$transaction(async (tx) => {
      const claimed = await tx.decision.updateMany({
        where: { id: decision.id, needsCountersign: true, countersignedById: null },
        data: { countersignedById: person.id, countersignOutcome: countersigned ? 'countersigned' : 'overturned', countersignNote: note ?? null, countersignedAt: now },
      });
      if (claimed.count === 0) throw new LostRace();
      const current = await tx.entry.findUniqueOrThrow({ where: { id: entry.id }, select: { version: true } });
      const moved = await tx.entry.updateMany({
        where: { id: entry.id, status: 'awaiting_countersignature', version: current.version },
        data: { status: toStatus, version: { increment: 1 } },
      });
      if (moved.count === 0) throw new LostRace();
      await tx.entryEvent.create({
        data: {
          entryId: entry.id, actorId: person.id, action: countersigned ? 'countersigned' : 'overturned',
          fromStatus: 'awaiting_countersignature', toStatus,
          note: countersigned ? `${OUTCOME_LABEL[decision.outcome]}${note ? `: ${note}` : ''}` : note!,
        },
      });
      await markProcessed(tx, key, { decisionId: decision.id } satisfies Stored);

      const view = await loadEntryView({ db: tx as unknown as ServiceContext['db'] }, entry.id);
      const dv = await loadDecisionView(tx, decision.id);
      const holder = await rootHolder(tx, entry.id);
      const holderTz = holder ? timeZoneOf(ctx, holder) : ctx.defaultTimeZone;
      const items: OutboxItem[] = entryStepItems({
        entryId: entry.id,
        step: `v${current.version}:${countersigned ? 'countersigned' : 'overturned'}`,
        holderId: holder?.id,
        root: countersigned
          ? decidedRootMessage(view, dv, holderTz)
          : reopenedRootMessage(view, holderTz, `${person.name} overturned ${dv.assessorName}'s decision (${OUTCOME_LABEL[dv.outcome]}): ${note}. Please assess it again.`),
        note: decisionThreadNote(dv, holderTz),
        learner: countersigned ? { id: entry.learnerId, kind: 'decision_for_learner', message: learnerDecisionMessage(view, dv, timeZoneOf(ctx, entry.learner)) } : undefined,
      });
      // The decider hears about it even when the root lives in another conversation (a channel).
      if (holder?.id !== decision.assessorId) {
        items.push({
          dedupeKey: `countersign:${decision.id}:outcome:${decision.assessorId}`, recipientId: decision.assessorId, kind: 'countersign_outcome',
          payload: { message: decisionThreadNote(dv, ctx.defaultTimeZone), purpose: 'notice', entryId: entry.id },
        });
      }
      // Close every countersign request for this decision, the one just used included.
      const asked = await tx.outboxMessage.findMany({
        where: { dedupeKey: { startsWith: `countersign:${decision.id}:` }, kind: 'countersign_request', status: { not: 'dead' } },
        select: { dedupeKey: true, recipientId: true },
      });
      for (const a of asked) {
        const who = a.recipientId === person.id ? 'You' : person.name;
        const closed = `${countersigned ? '🖋 Countersigned' : '↩️ Overturned'} by ${who}, ${formatDateTime(now, ctx.defaultTimeZone)}. Nothing more to do.`;
        items.push({
          dedupeKey: `${a.dedupeKey}:closed`, recipientId: a.recipientId, kind: 'countersign_closed',
          payload: { message: countersignRequestMessage(view, dv, ctx.defaultTimeZone, closed), purpose: a.dedupeKey, entryId: entry.id, updateOf: { entryId: entry.id, purpose: a.dedupeKey } },
        });
      }
      await enqueue(tx, items);
    });
  } catch (err) {
    if (!(err instanceof LostRace) && !isUniqueViolation(err)) throw err;
    const replay = await replayOf(ctx.db, key, isAbout);
    if (replay) return result(ctx, replay.decisionId, true);
    const again = await alreadySettled(ctx, decision.id, person.id, input.action);
    if (again) return again;
    throw conflict('This entry changed while you were deciding. Nothing was recorded; look at the latest message about it.');
  }
  ctx.kickOutbox();
  ctx.log.info({ entryId: entry.id, decisionId: decision.id, action: input.action, countersignerId: person.id }, 'decision countersigned');
  return result(ctx, decision.id, false);
}

/** Someone already acted: the same person doing the same thing again is fine; anything else is refused. */
async function alreadySettled(ctx: ServiceContext, decisionId: string, personId: string, action: CountersignInput['action']): Promise<CountersignResult | undefined> {
  const d = await ctx.db.decision.findUniqueOrThrow({ where: { id: decisionId } });
  if (!d.countersignedById) return undefined;
  const done = d.countersignOutcome === 'countersigned' ? 'countersign' : 'overturn';
  if (d.countersignedById === personId && done === action) return result(ctx, decisionId, true);
  const dv = await loadDecisionView(ctx.db, decisionId);
  throw conflict(`${dv.countersignedByName ?? 'Another assessor'} already ${d.countersignOutcome} this decision. Nothing was recorded.`);
}

/** What a countersign request stored: the decision it was about. */
type Stored = { decisionId: string };

async function result(ctx: ServiceContext, decisionId: string, duplicate: boolean): Promise<CountersignResult> {
  const decision = await loadDecisionView(ctx.db, decisionId);
  const d = await ctx.db.decision.findUniqueOrThrow({ where: { id: decisionId }, select: { entryId: true } });
  const entry = await loadEntryView(ctx, d.entryId);
  const text = decision.countersignOutcome === 'overturned'
    ? `Overturned. ${decision.assessorName} has your note, and the entry is open for assessment again.`
    : `Countersigned: ${OUTCOME_LABEL[decision.outcome]} by ${decision.assessorName} now stands, and ${entry.learnerName} has been told.`;
  return { entry, decision, duplicate, reply: { fallback: text, blocks: [{ type: 'text', text: duplicate ? `${text} (Already done; nothing more was sent.)` : text }] } };
}
