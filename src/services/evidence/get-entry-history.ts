// An entry's history, every step oldest first: who did what, the status it moved between, and the
// note (feedback, statement, IQA action). Shown to the learner and to the assessors, IQAs and
// admins of the learner's workspace; nobody else.
import { forbidden, notFound } from '../../lib/errors.ts';
import { entryHistoryMessage } from '../../messages/decision-notices.ts';
import type { ActorRef, ServiceContext } from '../kernel/context.ts';
import { identifyPerson, timeZoneOf } from '../kernel/identify-person.ts';
import { loadEntryView } from './entry-view.ts';

export async function getEntryHistory(ctx: ServiceContext, input: { actor: ActorRef; entryId: string }) {
  const person = await identifyPerson(ctx, input.actor);
  const entry = await ctx.db.entry.findUnique({ where: { id: input.entryId }, select: { id: true, learnerId: true, learner: { select: { workspaceId: true, erasedAt: true } } } });
  if (!entry || entry.learner.erasedAt) throw notFound('That entry no longer exists.');
  const staff = person.workspaceId === entry.learner.workspaceId && person.roles.some((r) => r === 'assessor' || r === 'iqa' || r === 'admin');
  if (person.id !== entry.learnerId && !staff) throw forbidden("Only the learner, and the assessors, IQAs and admins of their workspace, can see an entry's history.");
  const events = await ctx.db.entryEvent.findMany({ where: { entryId: entry.id }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  const names = await ctx.db.person.findMany({ where: { id: { in: events.map((e) => e.actorId).filter((x): x is string => !!x) } }, select: { id: true, name: true } });
  const view = await loadEntryView(ctx, entry.id);
  const history = events.map((e) => ({
    at: e.createdAt, actorName: names.find((n) => n.id === e.actorId)?.name ?? null, action: e.action,
    fromStatus: e.fromStatus, toStatus: e.toStatus, note: e.note,
  }));
  return { entry: view, history, message: entryHistoryMessage(view, history, timeZoneOf(ctx, person)) };
}
