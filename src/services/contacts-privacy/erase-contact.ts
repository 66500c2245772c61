// Erases one contact's personal data everywhere it can live (UK GDPR right to erasure): the
// register row and its reviews; the owner's evidence text, outcomes, history notes, assessor
// feedback, countersign and IQA notes, witness statements (name, email and phone replaced by
// "[erased contact]"; in texts linked to the contact or naming them in full, each part of the name
// on its own too); stored outbox payloads, request results and job summaries; the bot's
// messages already posted in Slack and Teams (re-rendered through the outbox as updates in place);
// and stale export files. The assessment history stays, with an 'erasure' event on each entry that
// says when and at whose request — never what was erased. Old row versions and the write-ahead log
// that still hold the data are purged afterwards (purge-row-versions.ts).
//
// One person may be in several learners' registers, under different names and the same email
// (`forget --email`): eraseContacts erases each of those records with every name, email and phone
// any of them had, so "Sam Taylor" goes from the register that calls them "Samuel Taylor" too.
import { mentions, scrubText } from '../../domain/personal-data.ts';
import { forbidden, invalidInput } from '../../lib/errors.ts';
import { assessorEntryMessage } from '../../messages/entry-card.ts';
import { erasedMessage, forgetConfirmMessage } from '../../messages/contact-views.ts';
import type { ChatMessage } from '../../ports/message.ts';
import { findOwnContact } from './add-contact.ts';
import type { ActorRef, ServiceContext } from '../kernel/context.ts';
import {
  anchorsOfAll, erasureNote, identityPatterns, jsonMentions, recordErasureEvents, removeStaleExports, rerenderPosted, rowsMentioning, scrubJsonRows,
  type ErasureRequester, type Identity, type Posted, type Tx,
} from './erasure-support.ts';
import { purgeOldRowVersions } from './purge-row-versions.ts';
import { identifyLearner } from '../kernel/identify-person.ts';
import { toEntryView } from '../evidence/entry-view.ts';

export interface ErasureReport {
  erased: boolean;
  /** Entries whose text changed or that were linked to the contact (each got an 'erasure' event). */
  entries: number;
  /** History notes, decisions, IQA notes, witness statements redacted. */
  records: number;
  reviews: number;
  /** Stored outbox payloads, request results, job summaries scrubbed. */
  stored: number;
  /** Posted Slack/Teams messages queued for an update in place. */
  messages: number;
  exportFiles: number;
  /** Old row versions (and on the embedded database the write-ahead log) purged; false if that failed (logged). */
  purged?: boolean;
}

const EMPTY: ErasureReport = { erased: false, entries: 0, records: 0, reviews: 0, stored: 0, messages: 0, exportFiles: 0 };

export interface EraseContactInput {
  contactId: string;
  requestedBy: ErasureRequester;
  /** Other records of the same person (the same email in other registers): their names, emails and phones are erased too. */
  aliases?: Identity[];
  /** Purge old row versions afterwards (default true); a caller erasing several records purges once at the end. */
  purge?: boolean;
}

export const NEUTRAL_NOTICE: ChatMessage = {
  fallback: 'Message updated after an erasure',
  blocks: [{ type: 'context', text: 'This message mentioned a contact whose personal data has since been erased.' }],
};

/** Erases the contact; a contact already gone is a no-op (a double click, a retried job). */
export async function eraseContact(ctx: ServiceContext, input: EraseContactInput): Promise<ErasureReport> {
  const contact = await ctx.db.contact.findUnique({ where: { id: input.contactId }, include: { reviews: { select: { entryId: true } } } });
  if (!contact) return EMPTY;
  const ids: Identity[] = [{ name: contact.name, email: contact.email, phone: contact.phone }, ...(input.aliases ?? [])];
  const full = identityPatterns(ids);
  const withParts = identityPatterns(ids, true);
  const anchors = anchorsOfAll(ids);
  const erasureId = crypto.randomUUID();
  const scrub = (text: string | null, linked: boolean) => (text === null ? null : scrubText(text, linked ? withParts : full));

  const report: ErasureReport = await ctx.db.$transaction(async (tx) => {
    const entries = await tx.entry.findMany({
      where: { learnerId: contact.ownerId },
      select: {
        id: true, summary: true, outcome: true, contactId: true,
        events: { select: { id: true, note: true } },
        decisions: { select: { id: true, feedback: true, countersignNote: true, iqaSample: { select: { id: true, note: true } } } },
        witnesses: { select: { id: true, statement: true } },
      },
    });
    const reviewEntries = new Set(contact.reviews.map((r) => r.entryId).filter((x): x is string => !!x));
    // Entries known to be about them: linked to the contact, or naming them in full (or by email or
    // phone) somewhere in their text; there a first or last name on its own is theirs too.
    const namesThem = (e: (typeof entries)[number]) => [
      e.summary, e.outcome, ...e.events.map((x) => x.note), ...e.witnesses.map((w) => w.statement),
      ...e.decisions.flatMap((d) => [d.feedback, d.countersignNote, d.iqaSample?.note ?? null]),
    ].some((t) => mentions(t, full));
    const linkedIds = new Set(entries.filter((e) => e.contactId === contact.id || reviewEntries.has(e.id) || namesThem(e)).map((e) => e.id));
    const affected = new Set<string>(linkedIds);
    let records = 0;
    for (const e of entries) {
      const linked = linkedIds.has(e.id);
      const summary = scrub(e.summary, linked)!;
      const outcome = scrub(e.outcome, linked);
      if (summary !== e.summary || outcome !== e.outcome) {
        // Not an edit of the evidence: the version (and the assessor's buttons) stay as they are.
        await tx.entry.update({ where: { id: e.id }, data: { summary, outcome } });
        affected.add(e.id);
      }
      for (const ev of e.events) {
        const note = scrub(ev.note, linked);
        if (note !== ev.note) { await tx.entryEvent.update({ where: { id: ev.id }, data: { note } }); records++; affected.add(e.id); }
      }
      for (const d of e.decisions) {
        const feedback = scrub(d.feedback, linked);
        const countersignNote = scrub(d.countersignNote, linked);
        if (feedback !== d.feedback || countersignNote !== d.countersignNote) {
          await tx.decision.update({ where: { id: d.id }, data: { feedback, countersignNote } });
          records++; affected.add(e.id);
        }
        if (d.iqaSample) {
          const note = scrub(d.iqaSample.note, linked);
          if (note !== d.iqaSample.note) { await tx.iqaSample.update({ where: { id: d.iqaSample.id }, data: { note } }); records++; affected.add(e.id); }
        }
      }
      for (const w of e.witnesses) {
        const statement = scrub(w.statement, linked);
        if (statement !== w.statement) { await tx.witnessRequest.update({ where: { id: w.id }, data: { statement } }); records++; affected.add(e.id); }
      }
    }

    // Stored messages. Ones about another learner's entries are left alone (a namesake in their register).
    const ownEntries = new Set(entries.map((e) => e.id));
    const outboxRows = await rowsMentioning(tx, 'OutboxMessage', anchors);
    // A stored message that names them in full ("with Sam Taylor") means them by "Sam" too.
    const partsIfNamed = (row: { json: unknown }) => (jsonMentions(row.json, full) ? withParts : full);
    const about = (json: unknown) => {
      const p = json as { entryId?: string; threadEntryId?: string; updateOf?: { entryId?: string }; contactId?: string };
      return [p?.entryId, p?.threadEntryId, p?.updateOf?.entryId].filter((x): x is string => !!x);
    };
    const outboxChanged = await scrubJsonRows(tx, 'OutboxMessage', outboxRows, (row) => {
      const ids = about(row.json);
      if ((row.json as { contactId?: string })?.contactId === contact.id || ids.some((id) => linkedIds.has(id))) return withParts;
      if (ids.length && !ids.some((id) => ownEntries.has(id))) return null;
      // An answer to the register's owner (a logged command's confirmation) may name the contact by first name.
      return row.owner === contact.ownerId ? withParts : partsIfNamed(row);
    });
    const otherChanged = await scrubJsonRows(tx, 'ProcessedRequest', await rowsMentioning(tx, 'ProcessedRequest', anchors), partsIfNamed);
    const inboxChanged = await scrubJsonRows(tx, 'InboxRequest', await rowsMentioning(tx, 'InboxRequest', anchors), (row) => (row.owner === contact.ownerId ? withParts : partsIfNamed(row)));
    const jobChanged = await scrubJsonRows(tx, 'JobRun', await rowsMentioning(tx, 'JobRun', anchors), partsIfNamed);

    // Posted messages: about the affected entries or the contact, or posted by a scrubbed outbox row.
    const posted: Posted[] = await tx.postedMessage.findMany({
      where: { OR: [{ entryId: { in: [...affected] } }, { contactId: contact.id }, { outboxId: { in: [...outboxChanged.keys()] } }] },
    });
    const messages = await rerenderPosted(tx, {
      erasureId, posted, changed: outboxChanged, defaultRecipientId: contact.ownerId,
      fallback: (p) => fallbackMessage(tx, p, affected, contact.id, ctx.defaultTimeZone),
    });
    await tx.postedMessage.updateMany({ where: { contactId: contact.id }, data: { contactId: null } });

    const reviews = contact.reviews.length;
    await tx.contact.delete({ where: { id: contact.id } }); // reviews cascade; entries keep their text, unlinked
    await recordErasureEvents(tx, affected, erasureNote('contact', input.requestedBy), input.requestedBy);
    return { erased: true, entries: affected.size, records, reviews, stored: outboxChanged.size + otherChanged.size + inboxChanged.size + jobChanged.size, messages, exportFiles: 0 };
  }, { timeout: 120_000, maxWait: 10_000 });

  report.exportFiles = removeStaleExports(ctx.exportDir, full);
  if (report.messages) ctx.kickOutbox();
  if (input.purge !== false) report.purged = await purgeOldRowVersions(ctx);
  ctx.log.info({ contactId: contact.id, ownerId: contact.ownerId, requestedBy: input.requestedBy.kind, aliases: input.aliases?.length ?? 0, ...report }, 'contact erased');
  return report;
}

/**
 * Erases records of one person held in several registers (the admin's `forget --email`): each with
 * the names, emails and phones of all of them, then one purge of old row versions.
 */
export async function eraseContacts(ctx: ServiceContext, input: { contactIds: string[]; requestedBy: ErasureRequester }): Promise<{ contactId: string; report: ErasureReport }[]> {
  const records = await ctx.db.contact.findMany({ where: { id: { in: input.contactIds } }, select: { id: true, name: true, email: true, phone: true } });
  const aliases: Identity[] = records.map((r) => ({ name: r.name, email: r.email, phone: r.phone }));
  const out: { contactId: string; report: ErasureReport }[] = [];
  for (const contactId of input.contactIds) {
    out.push({ contactId, report: await eraseContact(ctx, { contactId, requestedBy: input.requestedBy, aliases, purge: false }) });
  }
  if (out.some((o) => o.report.erased)) {
    const purged = await purgeOldRowVersions(ctx);
    for (const o of out) if (o.report.erased) o.report.purged = purged;
  }
  return out;
}

/** Posted before sources were recorded: rebuild an open assessor card from the scrubbed entry, else a neutral note. */
async function fallbackMessage(tx: Tx, p: Posted, affected: Set<string>, contactId: string, tz: string): Promise<ChatMessage | null> {
  if (p.contactId !== contactId && !(p.entryId && affected.has(p.entryId))) return null;
  if (p.entryId && p.purpose === 'entry_root') {
    const e = await tx.entry.findUnique({
      where: { id: p.entryId },
      include: { criteria: true, learner: { select: { name: true } }, enrolment: { select: { qualificationId: true } }, contact: { select: { name: true } } },
    });
    if (e) return assessorEntryMessage({ ...toEntryView(e), contactName: null }, tz, { open: e.status === 'pending' });
  }
  return NEUTRAL_NOTICE;
}

/** `forget NAME`: the confirmation, with Erase and Cancel buttons. Nothing changes yet. */
export async function requestForget(ctx: ServiceContext, input: { actor: ActorRef; name: string }): Promise<ChatMessage> {
  const { person } = await identifyLearner(ctx, input.actor);
  if (!input.name.trim()) throw invalidInput('Say who to erase: `/evidence forget "Sam Taylor"` (see your contacts with `/evidence contacts`).');
  const name = input.name.trim().replace(/^["“](.*)["”]$/, '$1');
  const c = await findOwnContact(ctx, person.id, name);
  const linked = await ctx.db.entry.count({ where: { contactId: c.id } });
  return forgetConfirmMessage(c, linked);
}

/** The Erase button: only the contact's owner may erase it (checked here, not trusted from the button). */
export async function confirmForget(ctx: ServiceContext, input: { actor: ActorRef; contactId: string }): Promise<{ report: ErasureReport; message: ChatMessage }> {
  const { person } = await identifyLearner(ctx, input.actor);
  const c = await ctx.db.contact.findUnique({ where: { id: input.contactId }, select: { ownerId: true } });
  if (!c) {
    return { report: EMPTY, message: { fallback: 'Already erased', blocks: [{ type: 'text', text: 'That contact has already been erased: nothing of theirs remains in your register.' }] } };
  }
  if (c.ownerId !== person.id) throw forbidden('You can only erase contacts from your own register.');
  const report = await eraseContact(ctx, { contactId: input.contactId, requestedBy: { kind: 'learner', personId: person.id } });
  return { report, message: erasedMessage(report) };
}

/** The admin CLI: contacts by email (every register holding it), or by name within one learner's register. */
export async function findContactsForErasure(ctx: ServiceContext, input: { email?: string; name?: string; learnerId?: string }) {
  if (input.email) {
    return ctx.db.contact.findMany({ where: { email: { equals: input.email.trim(), mode: 'insensitive' } }, include: { owner: { select: { name: true } } } });
  }
  if (input.name && input.learnerId) {
    return ctx.db.contact.findMany({ where: { ownerId: input.learnerId, name: { equals: input.name.trim(), mode: 'insensitive' } }, include: { owner: { select: { name: true } } } });
  }
  throw invalidInput('Name the contact by email (`forget --email sam@example.com`), or by name and learner (`forget "Sam Taylor" --learner lee@example.com`).');
}

