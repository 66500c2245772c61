// Erases a learner's personal data once the centre's retention period after completion has passed.
// We ANONYMISE rather than delete: the entries, criteria, decisions and IQA samples stay (so the
// centre's statistics and the assessors' and IQAs' own quality records keep their shape) but every
// piece of text is cleared, the person row loses name, email, time zone and chat identity, their
// contacts are erased, and the bot's posted messages about them are replaced with a short notice.
// The append-only history is kept (notes cleared, which the trigger allows) with an 'erasure' event.
import { erasurePatterns } from '../../domain/personal-data.ts';
import type { ChatMessage } from '../../ports/message.ts';
import type { ServiceContext } from '../kernel/context.ts';
import { eraseContact } from './erase-contact.ts';
import { purgeOldRowVersions } from './purge-row-versions.ts';
import {
  anchorsOf, erasureNote, recordErasureEvents, removeStaleExports, rerenderPosted, rowsMentioning, scrubJsonRows, type ErasureRequester,
} from './erasure-support.ts';

export const ERASED_LEARNER = 'Erased learner';
export const ERASED_TEXT = '[erased]';

const TOMBSTONE: ChatMessage = {
  fallback: 'Record erased',
  blocks: [{ type: 'context', text: "This evidence record was erased under the centre's retention policy." }],
};

export interface LearnerErasureReport {
  erased: boolean;
  contacts: number;
  entries: number;
  messages: number;
}

export async function eraseLearner(ctx: ServiceContext, input: { personId: string; requestedBy: ErasureRequester; purge?: boolean }): Promise<LearnerErasureReport> {
  const person = await ctx.db.person.findUnique({ where: { id: input.personId } });
  if (!person || person.erasedAt) return { erased: false, contacts: 0, entries: 0, messages: 0 };

  const contacts = await ctx.db.contact.findMany({ where: { ownerId: person.id }, select: { id: true } });
  for (const c of contacts) await eraseContact(ctx, { contactId: c.id, requestedBy: input.requestedBy, purge: false });

  const patterns = erasurePatterns({ name: person.name, email: person.email });
  const anchors = anchorsOf({ name: person.name, email: person.email });
  const erasureId = crypto.randomUUID();
  const r = await ctx.db.$transaction(async (tx) => {
    const entries = await tx.entry.findMany({ where: { learnerId: person.id }, select: { id: true, decisions: { select: { id: true } } } });
    const entryIds = entries.map((e) => e.id);
    const decisionIds = entries.flatMap((e) => e.decisions.map((d) => d.id));
    await tx.entry.updateMany({ where: { learnerId: person.id }, data: { summary: ERASED_TEXT, outcome: null, contactId: null } });
    await tx.entryEvent.updateMany({ where: { entryId: { in: entryIds }, note: { not: null } }, data: { note: null } });
    await tx.decision.updateMany({ where: { entryId: { in: entryIds } }, data: { feedback: null, countersignNote: null } });
    await tx.iqaSample.updateMany({ where: { decisionId: { in: decisionIds } }, data: { note: null } });
    await tx.witnessRequest.updateMany({ where: { entryId: { in: entryIds } }, data: { statement: null } });

    // Stored messages: to the learner, about their entries, or naming them.
    const mine = new Set(entryIds);
    const outboxRows = await tx.$queryRawUnsafe<{ id: string; json: unknown }[]>(
      `SELECT id, payload AS json FROM "OutboxMessage"
       WHERE "recipientId" = $1 OR (payload->>'entryId') = ANY($2::text[]) OR (payload->>'threadEntryId') = ANY($2::text[])
          OR (payload->'updateOf'->>'entryId') = ANY($2::text[])`,
      person.id, entryIds,
    );
    const seen = new Set(outboxRows.map((o) => o.id));
    const named = (await rowsMentioning(tx, 'OutboxMessage', anchors)).filter((o) => !seen.has(o.id));
    const changed = new Map<string, [unknown, unknown]>();
    for (const row of outboxRows) {
      const p = row.json as Record<string, unknown>;
      const after = { ...p, message: TOMBSTONE };
      changed.set(row.id, [row.json, after]);
      await tx.outboxMessage.update({ where: { id: row.id }, data: { payload: after as never } });
    }
    for (const [id, v] of await scrubJsonRows(tx, 'OutboxMessage', named, () => patterns, ERASED_LEARNER)) changed.set(id, v);
    // Nothing more will reach them: waiting messages to the learner are closed.
    await tx.outboxMessage.updateMany({ where: { recipientId: person.id, status: 'pending' }, data: { status: 'dead', lastError: 'recipient erased' } });
    await tx.processedRequest.deleteMany({ where: { result: { path: ['learnerId'], equals: person.id } } });
    await scrubJsonRows(tx, 'ProcessedRequest', await rowsMentioning(tx, 'ProcessedRequest', anchors), () => patterns, ERASED_LEARNER);
    await scrubJsonRows(tx, 'JobRun', await rowsMentioning(tx, 'JobRun', anchors), () => patterns, ERASED_LEARNER);

    const posted = await tx.postedMessage.findMany({
      where: { OR: [{ entryId: { in: entryIds } }, { recipientId: person.id }, { outboxId: { in: [...changed.keys()] } }] },
    });
    const messages = await rerenderPosted(tx, {
      erasureId, posted, changed, defaultRecipientId: person.id,
      replaceWith: (p) => (p.entryId && mine.has(p.entryId)) || p.recipientId === person.id ? TOMBSTONE : ((changed.get(p.outboxId ?? '')?.[1] as { message?: ChatMessage })?.message ?? TOMBSTONE),
      fallback: () => TOMBSTONE,
    });

    await tx.learnerSettings.deleteMany({ where: { personId: person.id } });
    await tx.conversationRef.deleteMany({ where: { personId: person.id } });
    await tx.inboxRequest.deleteMany({ where: { personId: person.id } });
    await tx.person.update({
      where: { id: person.id },
      data: { name: ERASED_LEARNER, email: null, timezone: null, externalId: `erased:${person.id}`, erasedAt: ctx.clock.now() },
    });
    await recordErasureEvents(tx, entryIds, erasureNote('learner', input.requestedBy), input.requestedBy);
    return { entries: entryIds.length, messages };
  }, { timeout: 120_000, maxWait: 10_000 });

  const slug = person.name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  removeStaleExports(ctx.exportDir, patterns, (f) => f.startsWith(`portfolio-${slug}.`));
  if (r.messages) ctx.kickOutbox();
  // Old row versions and the write-ahead log still hold what was cleared (purge-row-versions.ts).
  if (input.purge !== false) await purgeOldRowVersions(ctx);
  ctx.log.info({ personId: person.id, requestedBy: input.requestedBy.kind, contacts: contacts.length, ...r }, 'learner erased');
  return { erased: true, contacts: contacts.length, ...r };
}
