// The Teams turn: who is writing (tenant and AAD object ID, checked against the roster by the
// services), remembering where to reach them, and routing what they typed or pressed to the core.
// Every reply is rendered here; errors are left to onTurnError (index.ts), which shows the
// person the core's userMessage and logs the rest.
import { ActivityTypes, TurnContext, type Activity, type ConversationReference } from 'botbuilder';
import { z } from 'zod';
import { AppError, userMessageOf } from '../../src/lib/errors.ts';
import type { Logger } from '../../src/lib/logger.ts';
import { localDate } from '../../src/lib/time.ts';
import type { ChatMessage } from '../../src/ports/message.ts';
import type { ActorRef } from '../../src/services/kernel/context.ts';
import type { CommandResult } from '../../src/services/commands/handle-command.ts';
import type { Services } from '../../src/services/index.ts';
import { actionHandler, type ActionOutcome } from './actions.ts';
import { cardActivity, messageActivity } from './cards.ts';
import { FILE_CONSENT_INVOKE, fileConsentActivity, handleFileConsent } from './files.ts';
import { draftFromForm, LOG_FORM_ACTION, logFormCard, ZLogFormValues, type LogFormValues } from './forms.ts';

export interface TeamsBotDeps {
  services: Services;
  log: Logger;
}

export const NOT_ON_ROSTER_TENANT =
  "This evidence bot only works for organisations on its training provider's roster, and yours isn't on it, so nothing was saved. If you are an apprentice or assessor, ask your training provider to add your organisation.";

/** The tenant of an activity ('' outside Teams, e.g. the Bot Framework Emulator). */
export function tenantOf(a: Partial<Activity>): string {
  const fromChannelData = (a.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id;
  return a.conversation?.tenantId ?? fromChannelData ?? '';
}

/** Who is acting, as Teams says: tenant + AAD object ID (the roster's user_id for Teams). */
export function actorOf(a: Partial<Activity>): ActorRef {
  return { platform: 'teams', workspaceId: tenantOf(a), userId: a.from?.aadObjectId ?? a.from?.id ?? '' };
}

/** What was typed, without @mentions of the bot and Teams' non-breaking spaces. */
export function commandText(a: Partial<Activity>): string {
  return (a.text ?? '').replace(/<at>[^<]*<\/at>/gi, ' ').replace(/&nbsp;|\u00a0/g, ' ').trim();
}

const ZSubmit = z.looseObject({ action: z.string().min(1).max(100), value: z.string().max(500).optional() });

export function createTeamsBot(deps: TeamsBotDeps) {
  const { services, log } = deps;
  const today = () => localDate(services.context.clock.now(), services.context.defaultTimeZone);

  const send = (context: TurnContext, message: ChatMessage) => context.sendActivity(messageActivity(message));

  async function remember(context: TurnContext, actor: ActorRef) {
    const a = context.activity;
    // Only 1:1 chats are a person's address; the Emulator sends no conversation type.
    if (a.conversation?.conversationType && a.conversation.conversationType !== 'personal') return null;
    const { activityId: _reply, ...reference } = TurnContext.getConversationReference(a) as Partial<ConversationReference>;
    return services.rememberConversation({ actor, reference: JSON.parse(JSON.stringify(reference)) });
  }

  async function welcome(context: TurnContext, actor: ActorRef) {
    const who = await remember(context, actor);
    if (!who?.personId) {
      // Not on the roster: say so (identifyPerson writes the polite refusal, naming an admin).
      const refusal = await services.identifyPerson(actor).then(() => undefined, (err: unknown) => userMessageOf(err));
      if (refusal) await context.sendActivity({ type: 'message', text: refusal, textFormat: 'plain' });
      return;
    }
    await context.sendActivity({
      type: 'message',
      textFormat: 'plain',
      text: `Hi ${who.name ?? 'there'}, I'm the evidence bot. Send me "log" for the logging form, or "log Called Sam to check in #U7:2.1" to record evidence in one line. "progress", "list" and "help" work too.`,
    });
  }

  async function showOutcome(context: TurnContext, outcome: ActionOutcome) {
    if (outcome.kind === 'result') await showResult(context, outcome.result);
    else if (outcome.kind === 'reply') await send(context, outcome.message);
    else if (outcome.kind === 'card') await context.sendActivity(cardActivity(outcome.card, outcome.summary));
    else if (outcome.kind === 'form') await context.sendActivity(cardActivity(logFormCard({ values: outcome.values, today: today() }), 'Log evidence'));
  }

  /** What the core returned for a command or a button: a message, a form to show, a file. */
  async function showResult(context: TurnContext, result: CommandResult) {
    switch (result.kind) {
      case 'message':
        await send(context, result.message);
        return;
      case 'form':
        if (result.form !== 'log') {
          await context.sendActivity({ type: 'message', textFormat: 'plain', text: `The ${result.form} form is not in Teams yet. Type the command with its options instead; "help" lists them.` });
          return;
        }
        await context.sendActivity(cardActivity(logFormCard({ values: prefillValues(result.prefill), today: today() }), 'Log evidence'));
        return;
      case 'file':
        await send(context, result.message);
        await context.sendActivity(fileConsentActivity(result));
        return;
    }
  }

  async function onText(context: TurnContext, actor: ActorRef) {
    const a = context.activity;
    const input = { actor, text: commandText(a), requestId: a.id ?? '', source: 'teams' as const, allowPrefix: true };
    // A write is committed to the inbox first, then done within this turn and answered here; if
    // this process dies mid-way, another takes it over and answers by a proactive message.
    const intake = await services.acceptCommand(input, { answerHere: true });
    if (intake.state === 'direct') return showResult(context, await services.handleCommand(input));
    if (intake.state === 'answered') {
      await send(context, intake.message);
      return;
    }
    if (intake.state === 'in-progress') return; // a redelivered activity: its first delivery answers
    const answer = await services.runAcceptedHere(intake.run);
    if (answer) await send(context, answer);
  }

  async function onLogForm(context: TurnContext, actor: ActorRef, raw: Record<string, unknown>) {
    const a = context.activity;
    const values: LogFormValues = ZLogFormValues.parse(stringsOnly(raw));
    // The form card's own message ID: a double click on Save stores one entry.
    const key = `teams:form:${a.replyToId ?? a.id}`;
    try {
      const draft = draftFromForm(values, { timeZone: services.context.defaultTimeZone, now: services.context.clock.now() });
      const r = await services.recordEvidence({ actor, idempotencyKey: key, source: 'teams', draft });
      await send(context, r.confirmation);
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'invalid_input') throw err;
      // A field the person can fix: the form again, filled in as they left it, saying what to change.
      const field = typeof err.details?.field === 'string' ? err.details.field : undefined;
      await context.sendActivity(cardActivity(logFormCard({ values, error: { message: err.userMessage, field }, today: today() }), 'Log evidence: please fix one thing'));
    }
  }

  async function onSubmit(context: TurnContext, actor: ActorRef) {
    const a = context.activity;
    const parsed = ZSubmit.safeParse(a.value);
    if (!parsed.success) {
      await context.sendActivity({ type: 'message', textFormat: 'plain', text: 'That card is out of date. Type "help" to start again.' });
      return;
    }
    const { action, value, ...rest } = parsed.data;
    if (action === LOG_FORM_ACTION) return onLogForm(context, actor, rest);
    const handler = actionHandler(action);
    // The contact register's buttons (more, review, forget …) answer like a typed command.
    if (!handler && services.isContactAction(action)) {
      return showResult(context, await services.handleContactAction({ actor, requestId: a.id ?? '', source: 'teams', actionId: action, value: value ?? '' }));
    }
    if (!handler) {
      log.warn({ action }, 'teams: unknown card action');
      await context.sendActivity({ type: 'message', textFormat: 'plain', text: 'That button is not one I know any more. Type "help" to start again.' });
      return;
    }
    const outcome = await handler({ services, actor, value: value ?? '', inputs: stringsOnly(rest), requestId: a.id ?? '', conversationId: a.conversation?.id ?? '' });
    await showOutcome(context, outcome);
  }

  return async function onTurn(context: TurnContext): Promise<void> {
    const a = context.activity;
    const isInstall = (a.type === ActivityTypes.InstallationUpdate && (a.action ?? 'add').startsWith('add'))
      || (a.type === ActivityTypes.ConversationUpdate && (a.membersAdded ?? []).some((m) => m.id === a.recipient?.id));
    const isFileConsent = a.type === ActivityTypes.Invoke && a.name === FILE_CONSENT_INVOKE;
    if (a.type !== ActivityTypes.Message && !isInstall && !isFileConsent) return;

    const actor = actorOf(a);
    if (!(await services.isWorkspaceOnRoster({ platform: 'teams', externalId: actor.workspaceId }))) {
      log.warn({ tenantId: actor.workspaceId, type: a.type }, 'teams: activity from a tenant not on the roster refused');
      if (!isFileConsent) await context.sendActivity({ type: 'message', text: NOT_ON_ROSTER_TENANT, textFormat: 'plain' });
      return;
    }
    if (isInstall) return welcome(context, actor);
    if (isFileConsent) return handleFileConsent(context, { services, actor, log });

    await remember(context, actor);
    if (a.value && typeof a.value === 'object') return onSubmit(context, actor);
    return onText(context, actor);
  };
}

/**
 * The catch-all for a turn: the person sees the core's userMessage (what went wrong, how to fix
 * it) and never an exception; the log gets the rest. A refusal is not a failure: logged as info.
 */
export function turnErrorHandler(log: Logger) {
  return async (context: TurnContext, error: Error): Promise<void> => {
    if (error instanceof AppError) log.info({ code: error.code, activity: context.activity.type }, 'teams: request refused');
    else log.error({ err: error, activity: context.activity.type }, 'teams: turn failed');
    try {
      await context.sendActivity({ type: 'message', textFormat: 'plain', text: userMessageOf(error) });
    } catch (err) {
      log.warn({ err }, 'teams: could not tell the person about the error');
    }
  };
}

/** Card inputs arrive as strings (toggles "true"/"false", numbers as text); drop anything else. */
function stringsOnly(o: Record<string, unknown>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(o)) if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
  return out;
}

/** A form prefill from the core (e.g. criteria from a Log button) as the card's input values. */
function prefillValues(prefill: Record<string, unknown> | undefined): LogFormValues | undefined {
  if (!prefill) return undefined;
  const str = (k: string) => (typeof prefill[k] === 'string' ? (prefill[k] as string) : undefined);
  const criteria = Array.isArray(prefill.criteria) ? prefill.criteria.map((c) => `#${String(c)}`).join(' ') : str('criteria');
  return { criteria, summary: str('summary'), contactName: str('contactName'), kind: str('kind'), channel: str('channel') };
}
