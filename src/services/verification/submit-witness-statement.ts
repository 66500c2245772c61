// The witness writes their statement. Only the person asked may; it is attached to the entry
// (WitnessRequest), written to the history, shown to the assessor in the entry's thread, and the
// learner is told. The witness's request card loses its button.
import { conflict, forbidden, invalidInput, notFound } from '../../lib/errors.ts';
import { formatDateTime } from '../../lib/time.ts';
import { witnessRequestMessage, witnessStatementForLearner, witnessStatementNote } from '../../messages/witness-card.ts';
import type { ChatMessage } from '../../ports/message.ts';
import { cleanText, isUniqueViolation, LostRace, markProcessed, processedKey, replayOf } from './assessment-access.ts';
import type { ActorRef, ServiceContext } from '../kernel/context.ts';
import { entryStepItems, rootHolder } from './entry-notices.ts';
import { identifyPerson, timeZoneOf } from '../kernel/identify-person.ts';
import { enqueue } from '../outbox/outbox.ts';
import { loadEntryView } from '../evidence/entry-view.ts';

export const MAX_STATEMENT = 3000;

export interface SubmitWitnessStatementInput {
  actor: ActorRef;
  witnessRequestId: string;
  statement: string;
  requestId: string;
  /** Where it was sent, when the request ID is only unique there (Teams activity IDs). */
  conversationId?: string;
}

export async function submitWitnessStatement(ctx: ServiceContext, input: SubmitWitnessStatementInput): Promise<{ duplicate: boolean; reply: ChatMessage }> {
  const statement = cleanText(input.statement);
  if (!statement) throw invalidInput('Write your statement: what you saw or heard, in a few sentences. Nothing was sent.', { field: 'statement' });
  if (statement.length > MAX_STATEMENT) throw invalidInput(`Keep the statement under ${MAX_STATEMENT.toLocaleString('en-GB')} characters (it has ${statement.length}). Nothing was sent.`, { field: 'statement' });

  // Who is writing, and were they the one asked, before anything stored is consulted.
  const person = await identifyPerson(ctx, input.actor);
  const request = await ctx.db.witnessRequest.findUnique({
    where: { id: input.witnessRequestId },
    include: { entry: { select: { id: true, learnerId: true, learner: { select: { erasedAt: true } }, enrolment: { select: { managerId: true } } } } },
  });
  if (!request || request.entry.learner.erasedAt) throw notFound('That request no longer exists. Nothing was sent.');
  if (request.witnessId !== person.id) throw forbidden('Only the person who was asked can write this statement. Nothing was sent.');
  const key = processedKey('witness_statement', { ...input, personId: person.id });
  const isAbout = (s: Stored) => s.witnessRequestId === request.id;
  if (await replayOf(ctx.db, key, isAbout, NOTHING_SENT)) return reply(true);
  if (request.submittedAt) {
    if (request.statement === statement) return reply(true);
    throw conflict(`You already sent your statement (${formatDateTime(request.submittedAt, timeZoneOf(ctx, person))}). Nothing was changed.`);
  }

  const now = ctx.clock.now();
  const relation = person.id === request.entry.enrolment.managerId ? 'manager' : 'colleague';
  try {
    await ctx.db.$transaction(async (tx) => {
      const done = await tx.witnessRequest.updateMany({ where: { id: request.id, submittedAt: null }, data: { statement, submittedAt: now } });
      if (done.count === 0) throw new LostRace();
      await tx.entryEvent.create({ data: { entryId: request.entryId, actorId: person.id, action: 'witness_statement', note: statement } });
      await markProcessed(tx, key, { witnessRequestId: request.id } satisfies Stored);
      const view = await loadEntryView({ db: tx as unknown as ServiceContext['db'] }, request.entryId);
      const holder = await rootHolder(tx, request.entryId);
      const purpose = `witness_request:${request.id}`;
      await enqueue(tx, [
        ...entryStepItems({
          entryId: request.entryId, step: `witness:${request.id}:statement`, holderId: holder?.id,
          note: witnessStatementNote(person.name, relation, statement, now, holder ? timeZoneOf(ctx, holder) : ctx.defaultTimeZone),
          learner: { id: request.entry.learnerId, kind: 'witness_statement_for_learner', message: witnessStatementForLearner(view, person.name) },
        }),
        {
          dedupeKey: `witness:${request.id}:closed`, recipientId: person.id, kind: 'witness_request_closed',
          payload: {
            message: witnessRequestMessage(view, request, timeZoneOf(ctx, person), `✅ Statement sent ${formatDateTime(now, timeZoneOf(ctx, person))}. Thank you.`),
            purpose, entryId: request.entryId, updateOf: { entryId: request.entryId, purpose },
          },
        },
      ]);
    });
  } catch (err) {
    if (!(err instanceof LostRace) && !isUniqueViolation(err)) throw err;
    if (await replayOf(ctx.db, key, isAbout, NOTHING_SENT)) return reply(true);
    throw conflict('Your statement was already sent. Nothing was changed.');
  }
  ctx.kickOutbox();
  ctx.log.info({ entryId: request.entryId, witnessRequestId: request.id }, 'witness statement attached');
  return reply(false);
}

/** What a statement request stored: the witness request it answered. */
type Stored = { witnessRequestId: string };
const NOTHING_SENT = 'Nothing was sent.';

function reply(duplicate: boolean) {
  const text = duplicate ? 'Your statement was already sent; nothing more was sent.' : 'Thank you: your statement is attached to the evidence and the assessor can see it.';
  return { duplicate, reply: { fallback: text, blocks: [{ type: 'text' as const, text }] } };
}
