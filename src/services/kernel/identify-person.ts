// Finds the roster person behind a chat identity. Every use case starts here: roles and links come
// from the database, never from what a request claims.
import { AppError } from '../../lib/errors.ts';
import type { ActorRef, ServiceContext } from './context.ts';

export type PersonWithRoles = NonNullable<Awaited<ReturnType<typeof findPerson>>>;

export async function findPerson(ctx: ServiceContext, actor: ActorRef) {
  if (actor.platform === 'cli') {
    return ctx.db.person.findFirst({ where: { id: actor.userId, erasedAt: null }, include: { workspace: true } });
  }
  // The person's own workspace first, then the platform's default workspace ('' = roster named none).
  const candidates = await ctx.db.person.findMany({
    where: {
      platform: actor.platform,
      externalId: actor.userId,
      erasedAt: null,
      workspace: { externalId: { in: actor.workspaceId ? [actor.workspaceId, ''] : [''] } },
    },
    include: { workspace: true },
  });
  return candidates.find((p) => p.workspace.externalId === actor.workspaceId) ?? candidates[0] ?? null;
}

/** The person, or a polite refusal that says who can add them. */
export async function identifyPerson(ctx: ServiceContext, actor: ActorRef): Promise<PersonWithRoles> {
  const person = await findPerson(ctx, actor);
  if (person) return person;
  const admins = await ctx.db.person.findMany({
    where: {
      roles: { has: 'admin' },
      erasedAt: null,
      ...(actor.platform === 'cli' ? {} : { platform: actor.platform }),
      workspace: { externalId: { in: actor.workspaceId ? [actor.workspaceId, ''] : [''] } },
    },
    select: { name: true },
    take: 3,
    orderBy: { name: 'asc' },
  });
  const who = admins.length > 0 ? admins.map((a) => a.name).join(' or ') : "your training provider's bot admin";
  throw new AppError(
    'not_on_roster',
    `You're not on the evidence bot's roster yet, so nothing was saved. Please ask ${who} to add you; once you're on it, this command will work.`,
  );
}

export async function identifyLearner(ctx: ServiceContext, actor: ActorRef) {
  const person = await identifyPerson(ctx, actor);
  const enrolment = await ctx.db.enrolment.findFirst({
    where: { learnerId: person.id, status: { in: ['active', 'break'] } },
    orderBy: { startedAt: 'desc' },
  });
  if (!person.roles.includes('learner') || !enrolment) {
    throw new AppError(
      'forbidden',
      'Only learners enrolled on the qualification can log evidence. If you should be, ask your training provider to add you to the roster as a learner.',
    );
  }
  return { person, enrolment };
}

export function timeZoneOf(ctx: ServiceContext, person: { timezone: string | null }): string {
  return person.timezone ?? ctx.defaultTimeZone;
}
