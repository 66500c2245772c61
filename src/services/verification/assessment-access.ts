// Who may assess, countersign and review an entry, decided from the database alone (never from
// what a button or a request claims), plus the loaders the verification use cases share.
import type { Prisma } from '../../db/generated/client.ts';
import { AppError, conflict, forbidden, notFound } from '../../lib/errors.ts';
import { cleanText as withoutControls } from '../../domain/text.ts';
import type { DecisionView, Outcome } from '../../messages/decision-notices.ts';
import type { ActorRef, ServiceContext } from '../kernel/context.ts';
import type { PersonWithRoles } from '../kernel/identify-person.ts';

type Tx = Prisma.TransactionClient;
type DbLike = ServiceContext['db'] | Tx;

const NOTHING = 'Nothing was recorded.';

/** The entry with the people around it, as the checks need them. */
export async function loadEntryForAssessment(db: DbLike, entryId: string) {
  const entry = await db.entry.findUnique({
    where: { id: entryId },
    include: {
      learner: { select: { id: true, name: true, workspaceId: true, timezone: true, erasedAt: true } },
      enrolment: {
        select: {
          id: true, assessorId: true, managerId: true, iqaId: true,
          assessor: { select: { id: true, name: true } },
        },
      },
    },
  });
  if (!entry || entry.learner.erasedAt) throw notFound(`That entry no longer exists (it may have been erased). ${NOTHING}`);
  return entry;
}
export type EntryForAssessment = Awaited<ReturnType<typeof loadEntryForAssessment>>;

/**
 * May this person decide on this entry? The learner's assigned assessor may; so may a qualified
 * assessor of the same workspace standing in. Never the learner, never their manager (even one who
 * also holds the assessor role: a personal interest in the result), never someone from another
 * workspace. Throws AppError('forbidden') saying why.
 */
export function authoriseAssessor(person: PersonWithRoles, entry: EntryForAssessment): { standIn: boolean } {
  // The workspace comes first, so nothing about the learner is revealed across workspaces.
  if (person.workspaceId !== entry.learner.workspaceId) {
    throw forbidden(`This evidence belongs to another workspace, so you can't decide on it. ${NOTHING}`);
  }
  const own = entry.enrolment.assessor?.name;
  if (person.id === entry.learnerId) {
    throw forbidden(`You can't assess your own evidence${own ? `: ${own} assesses it` : ''}. ${NOTHING}`);
  }
  if (person.id === entry.enrolment.managerId) {
    throw forbidden(`You are ${entry.learner.name}'s manager, so you can't assess their evidence, even with the assessor role (a personal interest in the result).${own ? ` ${own} assesses it.` : ''} ${NOTHING}`);
  }
  if (!person.roles.includes('assessor')) {
    throw forbidden(`Only ${entry.learner.name}'s assessor${own ? ` (${own})` : ''} can decide on this evidence. ${NOTHING}`);
  }
  if (person.id === entry.enrolment.assessorId) return { standIn: false };
  if (person.qualified) return { standIn: true };
  throw forbidden(`Only ${entry.learner.name}'s own assessor${own ? ` (${own})` : ''}, or a qualified assessor standing in, can decide on this evidence. You are not marked as qualified, so you can't stand in. ${NOTHING}`);
}

/**
 * May this person countersign (or overturn) this decision? A qualified assessor of the learner's
 * workspace who did not make it and is neither the learner nor their manager.
 */
export function authoriseCountersigner(person: PersonWithRoles, entry: EntryForAssessment, decision: { assessorId: string }): void {
  if (person.workspaceId !== entry.learner.workspaceId) {
    throw forbidden(`This decision belongs to another workspace, so you can't countersign it. ${NOTHING}`);
  }
  if (person.id === decision.assessorId) throw forbidden(`You made this decision, so another qualified assessor must countersign it. ${NOTHING}`);
  if (person.id === entry.learnerId) throw forbidden(`You can't countersign a decision on your own evidence. ${NOTHING}`);
  if (person.id === entry.enrolment.managerId) {
    throw forbidden(`You are ${entry.learner.name}'s manager, so you can't countersign decisions on their evidence. ${NOTHING}`);
  }
  if (!person.roles.includes('assessor') || !person.qualified) {
    throw forbidden(`Only a qualified assessor can countersign a decision. ${NOTHING}`);
  }
}

/** The qualified assessors of a workspace who may countersign a decision (not the decider, learner or manager). */
export async function countersigners(db: DbLike, entry: EntryForAssessment, deciderId: string) {
  const exclude = [deciderId, entry.learnerId, entry.enrolment.managerId].filter((x): x is string => !!x);
  return db.person.findMany({
    where: { workspaceId: entry.learner.workspaceId, roles: { has: 'assessor' }, qualified: true, erasedAt: null, id: { notIn: exclude } },
    select: { id: true, name: true, timezone: true },
    orderBy: [{ name: 'asc' }, { id: 'asc' }],
  });
}

export async function loadDecisionView(db: DbLike, decisionId: string): Promise<DecisionView> {
  const d = await db.decision.findUniqueOrThrow({
    where: { id: decisionId },
    include: { entry: { select: { enrolment: { select: { assessor: { select: { name: true } } } } } } },
  });
  const names = await db.person.findMany({
    where: { id: { in: [d.assessorId, d.countersignedById].filter((x): x is string => !!x) } },
    select: { id: true, name: true },
  });
  const name = (id: string | null) => names.find((n) => n.id === id)?.name ?? null;
  return {
    id: d.id,
    outcome: d.outcome as Outcome,
    feedback: d.feedback,
    assessorName: name(d.assessorId) ?? 'an assessor',
    standIn: d.standIn,
    assignedAssessorName: d.entry.enrolment.assessor?.name ?? null,
    needsCountersign: d.needsCountersign,
    createdAt: d.createdAt,
    countersignedByName: name(d.countersignedById),
    countersignOutcome: (d.countersignOutcome as DecisionView['countersignOutcome']) ?? null,
    countersignNote: d.countersignNote,
    countersignedAt: d.countersignedAt,
  };
}

/**
 * Where a request ID means "the same request": a chat platform's IDs are only unique per
 * workspace, Teams activity IDs only within one conversation, and a retry only ever comes from the
 * person who sent the request. So the key names all of them; a request ID replayed by someone else,
 * or in another conversation, is a different request.
 */
export interface RequestScope {
  actor: ActorRef;
  /** The roster person behind the actor, looked up before the key is made. */
  personId: string;
  requestId: string;
  /** Where the request was made, when the platform's request IDs are only unique there (Teams). */
  conversationId?: string;
}

/** The processed-request key for one use case (`kind`) and scope; each part escaped, so none can run into the next. */
export function processedKey(kind: string, s: RequestScope): string {
  return [kind, s.actor.platform, s.actor.workspaceId, s.conversationId ?? '', s.personId, s.requestId].map(encodeURIComponent).join(':');
}

/** A request already handled (a Slack retry, a double submit): what it produced, if anything. */
export async function processedResult<T>(db: DbLike, key: string): Promise<T | undefined> {
  const row = await db.processedRequest.findUnique({ where: { key } });
  return row ? (row.result as T) : undefined;
}

/**
 * The stored result of this very request, for a caller already authorised on what the request
 * names. A stored result about something else (the same person's request ID reused for another
 * entry, a forged view) is refused without saying what it was about: it answers only for its own
 * subject.
 */
export async function replayOf<T>(db: DbLike, key: string, isAbout: (stored: T) => boolean, nothing = NOTHING): Promise<T | undefined> {
  const stored = await processedResult<T>(db, key);
  if (stored == null) return undefined;
  if (!isAbout(stored)) throw conflict(`That request was already used for something else, so it can't be used again. ${nothing} Use the latest message.`);
  return stored;
}

export async function markProcessed(tx: Tx, key: string, result: Prisma.InputJsonValue): Promise<void> {
  await tx.processedRequest.create({ data: { key, result } });
}

/** A unique-constraint violation: another copy of this request (or a competing click) won. */
export const isUniqueViolation = (err: unknown) => (err as { code?: string }).code === 'P2002';

/** Thrown inside a transaction when a conditional update found the row already changed. */
export class LostRace extends Error {}

/** A stale button: the entry moved on since the message was rendered. */
export function staleEntry(status: string, label: string): AppError {
  return conflict(`This entry changed since that message was sent (it is now: ${label || status}). ${NOTHING} Look at the latest message about it.`);
}

export const ZERO_WIDTH = /[\u200B-\u200D\uFEFF]/g;

/** Feedback, notes and statements as typed: trimmed, invisible and control characters dropped, empty → undefined. */
export function cleanText(text: string | undefined | null): string | undefined {
  const t = withoutControls(text ?? '').replace(ZERO_WIDTH, '').trim();
  return t ? t : undefined;
}
