// The learner's contact register, a page at a time (by name), with consent state, last interaction
// and last review; and the contacts due for a relationship review.
import { isDueForReview } from '../../domain/contact.ts';
import { CONTACTS_PAGE_SIZE, contactListMessage, reviewDueMessage, type ContactView } from '../../messages/contact-views.ts';
import type { ChatMessage } from '../../ports/message.ts';
import type { ActorRef, ServiceContext } from '../kernel/context.ts';
import { identifyLearner, timeZoneOf } from '../kernel/identify-person.ts';

export async function listContacts(ctx: ServiceContext, input: { actor: ActorRef; page?: number }): Promise<{ contacts: ContactView[]; total: number; page: number; message: ChatMessage }> {
  const { person } = await identifyLearner(ctx, input.actor);
  const page = Math.max(0, Math.floor(input.page ?? 0));
  const [rows, total] = await Promise.all([
    ctx.db.contact.findMany({
      where: { ownerId: person.id },
      orderBy: [{ name: 'asc' }, { id: 'asc' }],
      skip: page * CONTACTS_PAGE_SIZE,
      take: CONTACTS_PAGE_SIZE,
      include: { reviews: { orderBy: { createdAt: 'desc' }, take: 1, select: { createdAt: true } } },
    }),
    ctx.db.contact.count({ where: { ownerId: person.id } }),
  ]);
  const contacts = rows.map(({ reviews, ...c }) => ({ ...c, lastReviewAt: reviews[0]?.createdAt ?? null }));
  return { contacts, total, page, message: contactListMessage({ contacts, total, page, tz: timeZoneOf(ctx, person) }) };
}

/** Contacts with no review (nor added) for the workspace's review interval; discontinued ones are left out. */
export async function listDueReviews(ctx: ServiceContext, input: { actor: ActorRef }): Promise<{ due: ContactView[]; total: number; message: ChatMessage }> {
  const { person } = await identifyLearner(ctx, input.actor);
  const weeks = person.workspace.reviewIntervalWeeks;
  const now = ctx.clock.now();
  const rows = await ctx.db.contact.findMany({
    where: { ownerId: person.id },
    orderBy: [{ name: 'asc' }],
    include: { reviews: { orderBy: { createdAt: 'desc' }, take: 1, select: { createdAt: true, action: true } } },
  });
  const due = rows
    .filter((c) => c.reviews[0]?.action !== 'discontinue')
    .map(({ reviews, ...c }) => ({ ...c, lastReviewAt: reviews[0]?.createdAt ?? null }))
    .filter((c) => isDueForReview(c, now, weeks))
    .sort((a, b) => (a.lastReviewAt ?? a.createdAt).getTime() - (b.lastReviewAt ?? b.createdAt).getTime());
  return { due, total: rows.length, message: reviewDueMessage({ due, total: rows.length, weeks, tz: timeZoneOf(ctx, person) }) };
}
