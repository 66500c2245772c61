// What a person's home (Slack App Home) shows, by their roles from the roster: a learner's progress
// and recent entries, an assessor's queue; someone not on the roster gets the polite refusal that
// says who to ask. Nothing is written.
import { AppError } from '../../lib/errors.ts';
import {
  assessorHomeBlocks, homeMessage, learnerHomeBlocks, notOnRosterHome, otherRolesHomeBlocks,
} from '../../messages/home-view.ts';
import type { ChatMessage, MessageBlock } from '../../ports/message.ts';
import type { ActorRef, ServiceContext } from '../kernel/context.ts';
import { progressForEnrolment } from './get-progress.ts';
import { identifyPerson, timeZoneOf } from '../kernel/identify-person.ts';
import { listAwaitingAssessment } from '../verification/list-awaiting-assessment.ts';
import { toEntryView } from './entry-view.ts';

const RECENT = 5;

export async function getHome(ctx: ServiceContext, input: { actor: ActorRef }): Promise<ChatMessage> {
  let person;
  try {
    person = await identifyPerson(ctx, input.actor);
  } catch (err) {
    if (err instanceof AppError && err.code === 'not_on_roster') return notOnRosterHome(err.userMessage);
    throw err;
  }
  const tz = timeZoneOf(ctx, person);
  const blocks: MessageBlock[] = [];
  const enrolment = person.roles.includes('learner')
    ? await ctx.db.enrolment.findFirst({ where: { learnerId: person.id, status: { in: ['active', 'break'] } }, orderBy: { startedAt: 'desc' } })
    : null;
  if (enrolment) {
    const recent = await ctx.db.entry.findMany({
      where: { learnerId: person.id },
      orderBy: { createdAt: 'desc' },
      take: RECENT,
      include: { criteria: true, learner: { select: { name: true } }, enrolment: { select: { qualificationId: true } }, contact: { select: { name: true } } },
    });
    blocks.push(...learnerHomeBlocks(person.name, await progressForEnrolment(ctx, enrolment), recent.map(toEntryView), tz));
  }
  if (person.roles.includes('assessor')) {
    if (blocks.length) blocks.push({ type: 'divider' });
    blocks.push(...assessorHomeBlocks(await listAwaitingAssessment(ctx, { actor: input.actor, limit: 15 })));
  }
  if (blocks.length === 0) blocks.push(...otherRolesHomeBlocks(person.name, person.roles));
  return homeMessage(blocks);
}
