// Browsing the qualification: the learner's units, or one unit's outcomes and criteria, each with
// a button to log evidence against it. Anyone on the roster may browse.
import { findUnit, getQualification, DEFAULT_QUALIFICATION_ID, type Unit } from '../../catalogue/catalogue.ts';
import { enrolledUnits } from '../../domain/progress.ts';
import { invalidInput } from '../../lib/errors.ts';
import { CRITERION_LOG_ACTION, criterionLogValue } from '../../messages/action-values.ts';
import type { ChatMessage, MessageBlock } from '../../ports/message.ts';
import type { ActorRef, ServiceContext } from '../kernel/context.ts';
import { identifyPerson } from '../kernel/identify-person.ts';

export async function browseCriteria(ctx: ServiceContext, input: { actor: ActorRef; unit?: string }): Promise<ChatMessage> {
  const person = await identifyPerson(ctx, input.actor);
  const enrolment = await ctx.db.enrolment.findFirst({ where: { learnerId: person.id }, orderBy: { startedAt: 'desc' } });
  const q = getQualification(enrolment?.qualificationId ?? DEFAULT_QUALIFICATION_ID);
  const mine = enrolment ? enrolledUnits(q, enrolment.optionalUnits) : q.units;
  const token = input.unit?.trim();
  if (!token) return unitListMessage(q.title, q.units, new Set(mine.map((u) => u.ref)));
  const unit = findUnit(q, token.replace(/^#/, ''));
  if (!unit) throw invalidInput(`There is no unit \`${token}\`. Use the unit number (\`U7\`) or its reference (\`K/507/0949\`); \`/evidence criteria\` lists them all.`);
  return unitMessage(unit, mine.some((u) => u.ref === unit.ref));
}

function unitListMessage(title: string, units: Unit[], mine: Set<string>): ChatMessage {
  const line = (u: Unit) => `U${u.number} ${u.ref} ${u.title} · ${u.credits} credits${mine.has(u.ref) ? '' : ' (not one of your units)'}`;
  const blocks: MessageBlock[] = [
    { type: 'header', text: title },
    { type: 'text', text: `Mandatory units (all required):\n${units.filter((u) => u.group === 'mandatory').map(line).join('\n')}` },
    { type: 'text', text: `Optional Group A (at least 6 credits):\n${units.filter((u) => u.group !== 'mandatory').map(line).join('\n')}` },
    { type: 'context', text: 'See a unit\'s criteria with `/evidence criteria U7`.' },
  ];
  return { fallback: title, blocks };
}

/** One unit's outcomes and criteria; Log buttons when it is one of the learner's units. */
export function unitMessage(unit: Unit, enrolled: boolean): ChatMessage {
  const blocks: MessageBlock[] = [{ type: 'header', text: `U${unit.number} ${unit.ref} ${unit.title}` }];
  blocks.push({ type: 'context', text: `Level ${unit.level} · ${unit.glh} GLH · ${unit.credits} credits · ${unit.group === 'mandatory' ? 'mandatory' : 'optional group A'}${enrolled ? '' : ' · not one of your units'}` });
  for (const o of unit.outcomes) {
    blocks.push({ type: 'text', text: `LO${o.number}: ${o.text}`, bold: true });
    const text = o.criteria.map((c) => `#U${unit.number}:${c.number} ${c.text}`).join('\n');
    blocks.push({ type: 'text', text });
    if (enrolled) {
      // One button per criterion would overflow Slack's 50 blocks for the largest units, so each
      // outcome gets an actions row (Slack allows 25 elements in one).
      blocks.push({
        type: 'actions',
        actions: o.criteria.map((c) => ({ id: CRITERION_LOG_ACTION, label: `Log ${c.number}`, value: criterionLogValue(unit.ref, c.number) })),
      });
    }
  }
  return { fallback: `U${unit.number} ${unit.title}`, blocks };
}
