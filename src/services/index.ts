// The use cases the edges may call, bound to one ServiceContext. Adapters receive this object and
// nothing from src/db; adding a use case means adding a line here.
import type { ServiceContext } from './kernel/context.ts';
import { browseCriteria } from './evidence/browse-criteria.ts';
import { exportPortfolio, findLearner, renderPortfolio } from './evidence/export-portfolio.ts';
import { getProgress } from './evidence/get-progress.ts';
import { identifyLearner, identifyPerson } from './kernel/identify-person.ts';
import { importRoster } from './roster/import-roster.ts';
import { listEntries } from './evidence/list-entries.ts';
import { recordEvidence } from './evidence/record-evidence.ts';
import { handleCommand } from './commands/handle-command.ts';
import { acceptCommand, runAccepted } from './commands/inbox.ts';
import { getSettings } from './schedules/get-settings.ts';
import { updateSettings } from './schedules/update-settings.ts';
import { snoozeCheckins } from './schedules/snooze-checkins.ts';
import { completeFollowUp } from './schedules/complete-follow-up.ts';
import { snoozeFollowUp } from './schedules/snooze-follow-up.ts';
import { openLogForm } from './evidence/open-log-form.ts';
import { searchCriteria } from './evidence/search-criteria.ts';
import { prepareLogForm } from './evidence/prepare-log-form.ts';
import { listAwaitingAssessment } from './verification/list-awaiting-assessment.ts';
import { getHome } from './evidence/get-home.ts';
import type { ActorRef } from './kernel/context.ts';
import type { AcceptedRequest } from './kernel/requests.ts';
import { findConversationRef, findWorkspaceReference, getConversationRef, rememberConversation, saveConversationRef } from './kernel/conversation-refs.ts';
import { isWorkspaceOnRoster } from './kernel/identify-workspace.ts';
import { reportUnreachable } from './outbox/report-unreachable.ts';
import { decideEntry } from './verification/decide-entry.ts';
import { countersignDecision } from './verification/countersign-decision.ts';
import { reviewIqaSample } from './verification/review-iqa-sample.ts';
import { submitWitnessStatement } from './verification/submit-witness-statement.ts';
import { editEntry } from './evidence/edit-entry.ts';
import { getEntryForEdit } from './evidence/get-entry-for-edit.ts';
import { decideFromThreadReply } from './verification/decide-from-thread-reply.ts';
import { requestWitness } from './verification/request-witness.ts';
import { getWitnessOptions } from './verification/get-witness-options.ts';
import { getEntryHistory } from './evidence/get-entry-history.ts';
import { handleVerificationAction } from './verification/verification-actions.ts';
import { openVerificationForm, submitVerificationForm } from './verification/verification-forms.ts';
import { addContact } from './contacts-privacy/add-contact.ts';
import { listContacts, listDueReviews } from './contacts-privacy/list-contacts.ts';
import { recordReview } from './contacts-privacy/record-review.ts';
import { handleContactAction, isContactAction, submitContactForm, submitReviewForm } from './contacts-privacy/contact-commands.ts';
import { confirmForget, eraseContact, findContactsForErasure, requestForget } from './contacts-privacy/erase-contact.ts';
import { subjectAccess } from './contacts-privacy/subject-access.ts';
import { applyRetention } from './contacts-privacy/apply-retention.ts';

type Bound<F> = F extends (ctx: ServiceContext, ...args: infer A) => infer R ? (...args: A) => R : never;
const bind = <F extends (ctx: ServiceContext, ...args: never[]) => unknown>(ctx: ServiceContext, f: F) =>
  ((...args: never[]) => f(ctx, ...args)) as Bound<F>;

export function createServices(ctx: ServiceContext) {
  return {
    context: { defaultTimeZone: ctx.defaultTimeZone, clock: ctx.clock, log: ctx.log },
    identifyPerson: bind(ctx, identifyPerson),
    handleCommand: bind(ctx, handleCommand),
    /** What a person typed: a write is committed to the inbox before the adapter acknowledges it (commands/inbox.ts). */
    acceptCommand: bind(ctx, acceptCommand),
    /** Teams: an accepted write done within the turn, its answer returned to show there. */
    runAcceptedHere: (request: AcceptedRequest) => runAccepted(ctx, request, { answer: 'here' }),
    recordEvidence: bind(ctx, recordEvidence),
    listEntries: bind(ctx, listEntries),
    getProgress: bind(ctx, getProgress),
    browseCriteria: bind(ctx, browseCriteria),
    importRoster: bind(ctx, importRoster),
    exportPortfolio: bind(ctx, exportPortfolio),
    /** The acting learner's own portfolio (the `export` chat command). */
    exportOwnPortfolio: async (input: { actor: ActorRef; format: 'csv' | 'html' }) => {
      const { person, enrolment } = await identifyLearner(ctx, input.actor);
      return renderPortfolio(ctx, person, enrolment, input.format);
    },
    findLearner: bind(ctx, findLearner),
    // Check-ins and reminders (settings form, follow-up buttons, "Log evidence" on nudges).
    getSettings: bind(ctx, getSettings),
    updateSettings: bind(ctx, updateSettings),
    snoozeCheckins: bind(ctx, snoozeCheckins),
    completeFollowUp: bind(ctx, completeFollowUp),
    snoozeFollowUp: bind(ctx, snoozeFollowUp),
    openLogForm: bind(ctx, openLogForm),
    searchCriteria: bind(ctx, searchCriteria),
    prepareLogForm: bind(ctx, prepareLogForm),
    listAwaitingAssessment: bind(ctx, listAwaitingAssessment),
    getHome: bind(ctx, getHome),
    // Teams: proactive reach (conversation references) and the tenant check.
    rememberConversation: bind(ctx, rememberConversation),
    saveConversationRef: bind(ctx, saveConversationRef),
    getConversationRef: bind(ctx, getConversationRef),
    findConversationRef: bind(ctx, findConversationRef),
    findWorkspaceReference: bind(ctx, findWorkspaceReference),
    isWorkspaceOnRoster: bind(ctx, isWorkspaceOnRoster),
    reportUnreachable: bind(ctx, reportUnreachable),
    // Verification (issue 4) as the card buttons reach it: decisions, countersigning, IQA, witnesses.
    decideEntry: bind(ctx, decideEntry),
    countersignDecision: bind(ctx, countersignDecision),
    reviewIqaSample: bind(ctx, reviewIqaSample),
    submitWitnessStatement: bind(ctx, submitWitnessStatement),
    editEntry: bind(ctx, editEntry),
    getEntryForEdit: bind(ctx, getEntryForEdit),
    decideFromThreadReply: bind(ctx, decideFromThreadReply),
    requestWitness: bind(ctx, requestWitness),
    getWitnessOptions: bind(ctx, getWitnessOptions),
    getEntryHistory: bind(ctx, getEntryHistory),
    /** Every verification button (ids in messages/action-values.ts): a reply, or a form to open. */
    handleVerificationAction: bind(ctx, handleVerificationAction),
    openVerificationForm: bind(ctx, openVerificationForm),
    submitVerificationForm: bind(ctx, submitVerificationForm),
    // Contact register, relationship reviews, personal data (GDPR): buttons with isContactAction(id) go to handleContactAction.
    addContact: bind(ctx, addContact),
    listContacts: bind(ctx, listContacts),
    listDueReviews: bind(ctx, listDueReviews),
    recordReview: bind(ctx, recordReview),
    isContactAction,
    handleContactAction: bind(ctx, handleContactAction),
    submitContactForm: bind(ctx, submitContactForm),
    submitReviewForm: bind(ctx, submitReviewForm),
    requestForget: bind(ctx, requestForget),
    confirmForget: bind(ctx, confirmForget),
    eraseContact: bind(ctx, eraseContact),
    findContactsForErasure: bind(ctx, findContactsForErasure),
    subjectAccess: bind(ctx, subjectAccess),
    applyRetention: bind(ctx, applyRetention),
  };
}

export type Services = ReturnType<typeof createServices>;
