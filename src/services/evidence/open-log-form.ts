// The "Log evidence" button on nudges and contact reminders: the logging form, pre-filled with the
// contact when the button was about one (and the contact is the learner's own).
import type { ActorRef, ServiceContext } from '../kernel/context.ts';
import type { CommandResult } from '../commands/handle-command.ts';
import { identifyLearner } from '../kernel/identify-person.ts';

export async function openLogForm(ctx: ServiceContext, input: { actor: ActorRef; value?: string }): Promise<CommandResult & { kind: 'form' }> {
  const { person } = await identifyLearner(ctx, input.actor);
  const contactId = /^contact:(.+)$/.exec(input.value ?? '')?.[1];
  if (contactId) {
    const contact = await ctx.db.contact.findFirst({ where: { id: contactId, ownerId: person.id }, select: { name: true } });
    if (contact) return { kind: 'form', form: 'log', prefill: { contactName: contact.name } };
  }
  return { kind: 'form', form: 'log' };
}
