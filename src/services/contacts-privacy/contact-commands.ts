// The contact register's typed commands (`contacts`, `contact add …`, `review …`, `forget …`), its
// buttons (More, Review, Erase/Cancel, the minimisation choices) and its forms (contact, review),
// for both platforms. handle-command delegates here; adapters route the button ids below here.
import { invalidInput } from '../../lib/errors.ts';
import type { ChatMessage } from '../../ports/message.ts';
import { addContact, type ContactForm } from './add-contact.ts';
import type { ActorRef, ServiceContext } from '../kernel/context.ts';
import { confirmForget, requestForget } from './erase-contact.ts';
import type { CommandResult } from '../commands/handle-command.ts';
import { identifyLearner } from '../kernel/identify-person.ts';
import { listContacts, listDueReviews } from './list-contacts.ts';
import { logEvidenceChecked, resolvePendingLog, type MinimiseChoice } from '../evidence/minimise-log.ts';
import { recordReview, type ReviewForm } from './record-review.ts';

/** Button ids this module answers (see handleContactAction). */
export const CONTACT_ACTIONS = {
  more: 'contacts.more',
  review: 'contact.review',
  forgetConfirm: 'contact.forget_confirm',
  forgetCancel: 'contact.forget_cancel',
  logKeep: 'log.keep',
  logRedact: 'log.redact',
  logRedactMove: 'log.redact_move',
} as const;

export const isContactAction = (id: string) => (Object.values(CONTACT_ACTIONS) as string[]).includes(id);

const message = (m: ChatMessage): CommandResult => ({ kind: 'message', message: m });
const text = (t: string): CommandResult => message({ fallback: t, blocks: [{ type: 'text', text: t }] });

interface Req {
  actor: ActorRef;
  requestId: string;
  source: 'slack' | 'teams';
}

export async function handleContactCommand(ctx: ServiceContext, sub: 'contacts' | 'contact' | 'review' | 'forget', args: string, req: Req): Promise<CommandResult> {
  switch (sub) {
    case 'contacts': {
      const page = args ? Number(args) - 1 : 0;
      if (!Number.isInteger(page) || page < 0) throw invalidInput('`contacts` lists your register; add a page number for more (`/evidence contacts 2`).');
      return message((await listContacts(ctx, { actor: req.actor, page })).message);
    }
    case 'contact': {
      const m = /^(\S+)\s*([\s\S]*)$/.exec(args);
      const verb = m?.[1]?.toLowerCase();
      if (!verb || (verb === 'add' && !m![2]!.trim())) {
        await identifyLearner(ctx, req.actor);
        return { kind: 'form', form: 'contact' };
      }
      if (verb === 'add') return message((await addContact(ctx, { actor: req.actor, text: m![2]! })).message);
      if (verb === 'remove' || verb === 'delete' || verb === 'forget') return handleContactCommand(ctx, 'forget', m![2]!, req);
      throw invalidInput('Try `/evidence contact add "Sam Taylor" kind:candidate email:sam@example.com consent:yes`, `/evidence contacts` or `/evidence forget "Sam Taylor"`.');
    }
    case 'review': {
      if (!args) return message((await listDueReviews(ctx, { actor: req.actor })).message);
      return message((await recordReview(ctx, { actor: req.actor, requestId: req.requestId, source: req.source, text: args })).message);
    }
    case 'forget':
      return message(await requestForget(ctx, { actor: req.actor, name: args }));
  }
}

/** `log TEXT` through the minimisation check: a confirmation, or the question about personal data. */
export async function handleLogCommand(ctx: ServiceContext, args: string, req: Req): Promise<CommandResult> {
  const r = await logEvidenceChecked(ctx, { actor: req.actor, text: args, idempotencyKey: `${req.source}:${req.requestId}`, source: req.source });
  return message(r.kind === 'prompt' ? r.message : r.result.confirmation);
}

/** A click on one of CONTACT_ACTIONS. `value` is only a reference; ownership is checked in the services. */
export async function handleContactAction(ctx: ServiceContext, input: Req & { actionId: string; value: string }): Promise<CommandResult> {
  switch (input.actionId) {
    case CONTACT_ACTIONS.more: {
      const page = Number(input.value);
      return message((await listContacts(ctx, { actor: input.actor, page: Number.isInteger(page) ? page : 0 })).message);
    }
    case CONTACT_ACTIONS.review: {
      const { person } = await identifyLearner(ctx, input.actor);
      const c = await ctx.db.contact.findFirst({ where: { id: input.value, ownerId: person.id }, select: { id: true, name: true } });
      if (!c) return text('That contact is no longer in your register.');
      return { kind: 'form', form: 'review', prefill: { contactId: c.id, contactName: c.name } };
    }
    case CONTACT_ACTIONS.forgetConfirm:
      return message((await confirmForget(ctx, { actor: input.actor, contactId: input.value })).message);
    case CONTACT_ACTIONS.forgetCancel:
      await identifyLearner(ctx, input.actor);
      return text('Kept: nothing was erased.');
    case CONTACT_ACTIONS.logKeep:
    case CONTACT_ACTIONS.logRedact:
    case CONTACT_ACTIONS.logRedactMove: {
      const choice: MinimiseChoice = input.actionId === CONTACT_ACTIONS.logKeep ? 'keep' : input.actionId === CONTACT_ACTIONS.logRedact ? 'redact' : 'move';
      return resolvedLog(await resolvePendingLog(ctx, { actor: input.actor, key: input.value, choice }));
    }
    default:
      throw invalidInput('That button is not one I know.');
  }
}

function resolvedLog(r: Awaited<ReturnType<typeof resolvePendingLog>>): CommandResult {
  if (r.kind === 'contact_form') return { kind: 'form', form: 'contact', prefill: r.prefill };
  const m = r.result.confirmation;
  return message({ ...m, blocks: [...m.blocks, ...r.notes.map((text) => ({ type: 'context' as const, text }))] });
}

/** The contact form submitted. With `pendingLog` (from "Move to a contact and redact") it also stores the held log. */
export async function submitContactForm(ctx: ServiceContext, input: Req & { values: ContactForm }): Promise<CommandResult> {
  const saved = await addContact(ctx, { actor: input.actor, form: input.values });
  if (!input.values.pendingLog) return message(saved.message);
  const r = await resolvePendingLog(ctx, { actor: input.actor, key: input.values.pendingLog, choice: 'move', contactName: saved.contact.name });
  return resolvedLog(r);
}

/** The review form submitted. */
export async function submitReviewForm(ctx: ServiceContext, input: Req & { values: ReviewForm }): Promise<CommandResult> {
  return message((await recordReview(ctx, { actor: input.actor, requestId: input.requestId, source: input.source, form: input.values })).message);
}
