// A learner asks their manager, or a named colleague on the roster of the same workspace, to
// corroborate an entry with a witness statement. Not themselves, not their assessor (who judges
// the evidence), not someone erased or outside the workspace. The witness gets the entry and a
// Write statement button; the assessor's thread notes who was asked. Asking the same person
// twice sends nothing new.
import { conflict, forbidden, invalidInput } from '../../lib/errors.ts';
import { formatDate } from '../../lib/time.ts';
import { STATUS_LABEL } from '../../messages/entry-card.ts';
import { witnessRequestedNote, witnessRequestMessage } from '../../messages/witness-card.ts';
import type { ChatMessage } from '../../ports/message.ts';
import { isUniqueViolation, markProcessed, processedKey, replayOf } from './assessment-access.ts';
import type { ActorRef, ServiceContext } from '../kernel/context.ts';
import { entryStepItems, rootHolder } from './entry-notices.ts';
import { identifyLearner, timeZoneOf } from '../kernel/identify-person.ts';
import { enqueue } from '../outbox/outbox.ts';
import { loadEntryView } from '../evidence/entry-view.ts';

/** Who to ask: the learner's manager, or a roster person (by ID from a picker, chat user ID, or exact name). */
export type WitnessChoice = { manager: true } | { personId: string } | { userId: string } | { name: string };

export interface RequestWitnessInput {
  actor: ActorRef;
  entryId: string;
  witness: WitnessChoice;
  requestId: string;
  /** Where it was sent, when the request ID is only unique there (Teams activity IDs). */
  conversationId?: string;
}

const OPEN = ['pending', 'changes_requested', 'awaiting_countersignature'];

export async function requestWitness(ctx: ServiceContext, input: RequestWitnessInput): Promise<{ duplicate: boolean; witnessName: string; reply: ChatMessage }> {
  // Who is asking, and is the entry named their own, before anything stored is consulted.
  const { person, enrolment } = await identifyLearner(ctx, input.actor);
  const entry = await ctx.db.entry.findUnique({ where: { id: input.entryId }, select: { id: true, learnerId: true, status: true } });
  if (!entry || entry.learnerId !== person.id) throw forbidden('You can only ask for witness statements about your own evidence. Nothing was sent.');
  const key = processedKey('witness', { ...input, personId: person.id });
  const seen = await replayOf<Stored>(ctx.db, key, (s) => s.entryId === entry.id, 'Nothing was sent.');
  if (seen) return reply(seen.witnessName, true);
  if (!OPEN.includes(entry.status)) {
    throw conflict(`This entry is already ${(STATUS_LABEL[entry.status] ?? entry.status).toLowerCase()}, so a witness statement would not change anything. Nothing was sent.`);
  }

  const witness = await resolveWitness(ctx, person, enrolment, input.witness);
  const relation = witness.id === enrolment.managerId ? 'manager' : 'colleague';
  const existing = await ctx.db.witnessRequest.findUnique({ where: { entryId_witnessId: { entryId: entry.id, witnessId: witness.id } } });
  if (existing) {
    if (existing.submittedAt) throw conflict(`${witness.name} already sent a statement for this entry (${formatDate(existing.submittedAt, timeZoneOf(ctx, person))}). Nothing was sent.`);
    return reply(witness.name, true);
  }

  try {
    await ctx.db.$transaction(async (tx) => {
      const request = await tx.witnessRequest.create({ data: { entryId: entry.id, witnessId: witness.id, requestedById: person.id } });
      await tx.entryEvent.create({ data: { entryId: entry.id, actorId: person.id, action: 'witness_requested', note: `Asked ${witness.name} (${relation})` } });
      await markProcessed(tx, key, { entryId: entry.id, witnessName: witness.name } satisfies Stored);
      const view = await loadEntryView({ db: tx as unknown as ServiceContext['db'] }, entry.id);
      const holder = await rootHolder(tx, entry.id);
      const purpose = `witness_request:${request.id}`;
      await enqueue(tx, [
        {
          dedupeKey: `witness:${request.id}`, recipientId: witness.id, kind: 'witness_request',
          payload: { message: witnessRequestMessage(view, request, timeZoneOf(ctx, witness)), purpose, entryId: entry.id },
        },
        ...entryStepItems({ entryId: entry.id, step: `witness:${request.id}:requested`, holderId: holder?.id, note: witnessRequestedNote(view, witness.name, relation) }),
      ]);
    });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    return reply(witness.name, true); // the same request, or the same witness, a moment earlier
  }
  ctx.kickOutbox();
  ctx.log.info({ entryId: entry.id, witnessId: witness.id, relation }, 'witness statement requested');
  return reply(witness.name, false);
}

/** What a witness request stored: the entry it was about, and who was asked. */
type Stored = { entryId: string; witnessName: string };

type Learner = Awaited<ReturnType<typeof identifyLearner>>;

async function resolveWitness(ctx: ServiceContext, person: Learner['person'], enrolment: Learner['enrolment'], choice: WitnessChoice) {
  const select = { id: true, name: true, timezone: true, workspaceId: true, erasedAt: true } as const;
  let found: { id: string; name: string; timezone: string | null; workspaceId: string; erasedAt: Date | null } | null = null;
  if ('manager' in choice) {
    if (!enrolment.managerId) throw invalidInput('You have no manager on the roster, so ask a colleague by name instead. Nothing was sent.', { field: 'witness' });
    found = await ctx.db.person.findUnique({ where: { id: enrolment.managerId }, select });
  } else if ('personId' in choice) {
    found = await ctx.db.person.findUnique({ where: { id: choice.personId }, select });
  } else if ('userId' in choice) {
    found = await ctx.db.person.findFirst({ where: { workspaceId: person.workspaceId, externalId: choice.userId }, select });
  } else {
    const name = choice.name.trim().replace(/^@/, '');
    const matches = await ctx.db.person.findMany({ where: { workspaceId: person.workspaceId, erasedAt: null, name: { equals: name, mode: 'insensitive' } }, select });
    if (matches.length > 1) throw invalidInput(`More than one person on the roster is called "${name}"; choose them from the list instead. Nothing was sent.`, { field: 'witness' });
    found = matches[0] ?? null;
    if (!found) throw invalidInput(`Nobody called "${name}" is on the roster of your workspace. Use their full name as the roster has it, or choose them from the list. Nothing was sent.`, { field: 'witness' });
  }
  if (!found || found.erasedAt || found.workspaceId !== person.workspaceId) {
    throw invalidInput('That person is not on the roster of your workspace, so they cannot be asked. Nothing was sent.', { field: 'witness' });
  }
  if (found.id === person.id) throw invalidInput('A witness statement has to come from someone else: ask your manager or a colleague who was there. Nothing was sent.', { field: 'witness' });
  if (found.id === enrolment.assessorId) {
    throw invalidInput(`${found.name} assesses your evidence, so they cannot also be its witness: ask your manager or a colleague who was there. Nothing was sent.`, { field: 'witness' });
  }
  return found;
}

function reply(witnessName: string, duplicate: boolean) {
  const text = duplicate
    ? `${witnessName} has already been asked for a statement about this entry; nothing more was sent.`
    : `Asked ${witnessName} for a witness statement. It will be attached to the entry and shown to your assessor.`;
  return { duplicate, witnessName, reply: { fallback: text, blocks: [{ type: 'text' as const, text }] } };
}
