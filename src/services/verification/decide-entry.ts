// An assessor approves an entry, asks for changes or rejects it. The check of who may decide is
// made here from the database; the version the button showed must still be current (a stale
// button changes nothing); the decision, the status change, the history and every message go in
// one transaction, and the request ID plus unique(entryId, entryVersion) make a retry or a double
// click a no-op. The request ID counts only for the same person in the same workspace (and Teams
// conversation), and only after they are authorised on the entry named; a stored result answers
// for its own entry only. An unqualified assessor's decision waits for a qualified one's countersignature.
import { invalidInput, conflict } from '../../lib/errors.ts';
import {
  countersignRequestMessage, decidedRootMessage, decisionThreadNote, learnerDecisionMessage, OUTCOME_LABEL, OUTCOME_STATUS,
  type DecisionView, type Outcome,
} from '../../messages/decision-notices.ts';
import { STATUS_LABEL, type EntryView } from '../../messages/entry-card.ts';
import type { ChatMessage } from '../../ports/message.ts';
import {
  authoriseAssessor, cleanText, countersigners, isUniqueViolation, loadDecisionView, loadEntryForAssessment, LostRace, markProcessed,
  processedKey, replayOf, staleEntry,
} from './assessment-access.ts';
import type { ActorRef, ServiceContext } from '../kernel/context.ts';
import { entryStepItems, rootHolder } from './entry-notices.ts';
import { identifyPerson, timeZoneOf } from '../kernel/identify-person.ts';
import { enqueue, type OutboxItem } from '../outbox/outbox.ts';
import { loadEntryView } from '../evidence/entry-view.ts';

export const MAX_FEEDBACK = 3000;

export interface DecideEntryInput {
  actor: ActorRef;
  entryId: string;
  /** The entry version the button (or thread) showed; a newer entry refuses the decision. */
  version: number;
  outcome: Outcome;
  /** Required for changes and reject: the learner sees it. */
  feedback?: string;
  /** Stable per request (Slack action/view ID, Teams activity ID) for idempotency. */
  requestId: string;
  /** Where it was sent, when the request ID is only unique there (Teams activity IDs). */
  conversationId?: string;
}

export interface DecideEntryResult {
  entry: EntryView;
  decision: DecisionView;
  /** This request (or the same click) was already handled: nothing new was stored or sent. */
  duplicate: boolean;
  /** For the person who decided, e.g. as an ephemeral reply. */
  reply: ChatMessage;
}

export async function decideEntry(ctx: ServiceContext, input: DecideEntryInput): Promise<DecideEntryResult> {
  const feedback = cleanText(input.feedback);
  if (!['approve', 'changes', 'reject'].includes(input.outcome)) throw invalidInput('Choose Approve, Request changes or Reject.');
  if (input.outcome !== 'approve' && !feedback) {
    throw invalidInput(
      input.outcome === 'changes'
        ? 'Write the feedback the learner will see: what should they change? Nothing was recorded.'
        : 'Write the feedback the learner will see: why is this evidence rejected? Nothing was recorded.',
      { field: 'feedback' },
    );
  }
  if (feedback && feedback.length > MAX_FEEDBACK) {
    throw invalidInput(`Keep the feedback under ${MAX_FEEDBACK.toLocaleString('en-GB')} characters (it has ${feedback.length}). Nothing was recorded.`, { field: 'feedback' });
  }

  // Who is asking, and may they decide on the entry named, before anything stored is consulted.
  const person = await identifyPerson(ctx, input.actor);
  const entry = await loadEntryForAssessment(ctx.db, input.entryId);
  const { standIn } = authoriseAssessor(person, entry);
  const key = processedKey('decide', { ...input, personId: person.id });
  const seen = await replayOf<Stored>(ctx.db, key, (s) => s.entryId === entry.id);
  if (seen) return result(ctx, seen.decisionId, true);
  const again = await sameDecisionAgain(ctx, input, person.id);
  if (again) return again;
  if (entry.version !== input.version || entry.status !== 'pending') throw staleEntry(entry.status, STATUS_LABEL[entry.status] ?? '');

  const needsCountersign = !person.qualified;
  const toStatus = needsCountersign ? 'awaiting_countersignature' : OUTCOME_STATUS[input.outcome];
  let decisionId: string;
  let askedNobody = false;
  try {
    decisionId = await ctx.db.$transaction(async (tx) => {
      const moved = await tx.entry.updateMany({
        where: { id: entry.id, version: input.version, status: 'pending' },
        data: { status: toStatus, version: { increment: 1 } },
      });
      if (moved.count === 0) throw new LostRace();
      const decision = await tx.decision.create({
        data: {
          entryId: entry.id, assessorId: person.id, outcome: input.outcome, feedback: feedback ?? null,
          standIn, needsCountersign, entryVersion: input.version,
          // The application's clock, not the database's: the weekly IQA sample goes by it.
          createdAt: ctx.clock.now(),
        },
      });
      const standInNote = standIn ? `[standing in for ${entry.enrolment.assessor?.name ?? 'the assigned assessor'}] ` : '';
      await tx.entryEvent.create({
        data: {
          entryId: entry.id, actorId: person.id,
          action: needsCountersign ? 'decision_pending_countersign' : OUTCOME_STATUS[input.outcome],
          fromStatus: 'pending', toStatus,
          note: `${standInNote}${needsCountersign ? `${OUTCOME_LABEL[input.outcome]}${feedback ? `: ${feedback}` : ''}` : feedback ?? ''}`.trim() || null,
        },
      });
      await markProcessed(tx, key, { decisionId: decision.id, entryId: entry.id } satisfies Stored);

      const view = await loadEntryView({ db: tx as unknown as ServiceContext['db'] }, entry.id);
      const dv = await loadDecisionView(tx, decision.id);
      const holder = await rootHolder(tx, entry.id);
      const holderTz = holder ? timeZoneOf(ctx, holder) : ctx.defaultTimeZone;
      const items: OutboxItem[] = entryStepItems({
        entryId: entry.id,
        step: `v${input.version}:decided`,
        holderId: holder?.id,
        root: decidedRootMessage(view, dv, holderTz),
        note: decisionThreadNote(dv, holderTz),
        learner: needsCountersign ? undefined : { id: entry.learnerId, kind: 'decision_for_learner', message: learnerDecisionMessage(view, dv, timeZoneOf(ctx, entry.learner)) },
      });
      if (needsCountersign) {
        const asked = await countersigners(tx, entry, person.id);
        askedNobody = asked.length === 0;
        for (const a of asked) {
          const purpose = `countersign:${decision.id}:${a.id}`;
          items.push({
            dedupeKey: purpose, recipientId: a.id, kind: 'countersign_request',
            payload: { message: countersignRequestMessage(view, dv, timeZoneOf(ctx, a)), purpose, entryId: entry.id },
          });
        }
        if (askedNobody) items.push(...(await noCountersignerAlert(tx, entry.learner.workspaceId, decision.id, view, dv)));
      }
      await enqueue(tx, items);
      return decision.id;
    });
  } catch (err) {
    if (!(err instanceof LostRace) && !isUniqueViolation(err)) throw err;
    // Another copy of this request, or a competing decision, committed first.
    const replay = await replayOf<Stored>(ctx.db, key, (s) => s.entryId === entry.id);
    if (replay) return result(ctx, replay.decisionId, true);
    const same = await sameDecisionAgain(ctx, input, person.id);
    if (same) return same;
    const now = await ctx.db.entry.findUnique({ where: { id: entry.id }, select: { status: true } });
    throw staleEntry(now?.status ?? 'changed', STATUS_LABEL[now?.status ?? ''] ?? '');
  }
  ctx.kickOutbox();
  ctx.log.info({ entryId: entry.id, decisionId, outcome: input.outcome, standIn, needsCountersign, assessorId: person.id }, 'entry decided');
  const r = await result(ctx, decisionId, false);
  if (askedNobody) {
    r.reply.blocks.push({ type: 'context', text: '⚠ No other qualified assessor is on the roster to countersign it; the admins have been told.' });
  }
  return r;
}

/** The same person deciding the same version the same way again (a double click): not an error. */
async function sameDecisionAgain(ctx: ServiceContext, input: DecideEntryInput, personId: string): Promise<DecideEntryResult | undefined> {
  const existing = await ctx.db.decision.findUnique({ where: { entryId_entryVersion: { entryId: input.entryId, entryVersion: input.version } } });
  // An overturned decision is history: the entry has moved on, and the stale check says so.
  if (!existing || existing.countersignOutcome === 'overturned') return undefined;
  if (existing.assessorId === personId && existing.outcome === input.outcome) return result(ctx, existing.id, true);
  const d = await loadDecisionView(ctx.db, existing.id);
  throw conflict(`This entry was already decided: ${OUTCOME_LABEL[d.outcome]} by ${d.assessorName}. Nothing was recorded.`);
}

/** What a decision request stored: the decision, and the entry it is about. */
type Stored = { decisionId: string; entryId: string };

/** The answer about a decision, and the entry it was made on (its own, whatever a request named). */
async function result(ctx: ServiceContext, decisionId: string, duplicate: boolean): Promise<DecideEntryResult> {
  const decision = await loadDecisionView(ctx.db, decisionId);
  const { entryId } = await ctx.db.decision.findUniqueOrThrow({ where: { id: decisionId }, select: { entryId: true } });
  const entry = await loadEntryView(ctx, entryId);
  const text = decision.needsCountersign && !decision.countersignOutcome
    ? `${OUTCOME_LABEL[decision.outcome]}: recorded. It takes effect when a qualified assessor countersigns it; they have been asked.`
    : `${OUTCOME_LABEL[decision.outcome]}: recorded, and ${entry.learnerName} has been told${decision.feedback ? ' with your feedback' : ''}.`;
  const reply: ChatMessage = { fallback: text, blocks: [{ type: 'text', text: duplicate ? `${text} (You had already done this; nothing more was sent.)` : text }] };
  return { entry, decision, duplicate, reply };
}

/** Nobody can countersign: tell the workspace's admins, once per decision. */
async function noCountersignerAlert(tx: Parameters<typeof countersigners>[0], workspaceId: string, decisionId: string, e: EntryView, d: DecisionView): Promise<OutboxItem[]> {
  const admins = await tx.person.findMany({ where: { workspaceId, roles: { has: 'admin' }, erasedAt: null }, select: { id: true } });
  const text = `${d.assessorName} is not marked as qualified, so their decision (${OUTCOME_LABEL[d.outcome]}) on ${e.learnerName}'s evidence needs a countersignature, but no other qualified assessor is on the roster. Add one (roster column qualified=yes), or mark ${d.assessorName} as qualified.`;
  return admins.map((a) => ({
    dedupeKey: `countersign:${decisionId}:no-one:${a.id}`, recipientId: a.id, kind: 'admin_no_countersigner',
    payload: { purpose: 'admin_alert', entryId: e.id, message: { fallback: 'A decision cannot be countersigned', blocks: [{ type: 'text', text }] } },
  }));
}
