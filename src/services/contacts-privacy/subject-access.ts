// Subject access (UK GDPR article 15): everything held about one person, found by email or name,
// whether they are on the roster (a learner, assessor, manager …) or in a learner's contact
// register, as one JSON document for the admin to review and send.
//
// A person is often known by more than the query: the contacts found are followed to every other
// register holding the same email (where they may have another name: "Sam Taylor", "Samuel
// Taylor"), and then every name, email and phone those records and roster rows have is searched
// for in free text: evidence summaries and outcomes (`mentions`), history notes, assessors'
// feedback and countersign notes, IQA notes, witness statements and stored messages (`mentionedIn`).
import { mentions } from '../../domain/personal-data.ts';
import { invalidInput } from '../../lib/errors.ts';
import type { ServiceContext } from '../kernel/context.ts';
import { anchorsOfAll, identityPatterns, jsonMentions, rowsMentioning, type Anchors, type Identity } from './erasure-support.ts';

const uniq = (xs: (string | null | undefined)[]) =>
  [...new Map(xs.filter((x): x is string => !!x?.trim()).map((x) => [x.trim().toLowerCase(), x.trim()])).values()];

/** Ids of the rows whose text columns contain an anchor (a superset: each is checked against the patterns after). */
async function idsMentioning(ctx: ServiceContext, table: string, cols: string[], anchors: Anchors): Promise<string[]> {
  if (anchors.like.length === 0 && !anchors.regex) return [];
  const where = cols.map((c) => `("${c}" ILIKE ANY($1::text[]) OR ($2::text IS NOT NULL AND "${c}" ~ $2::text))`).join(' OR ');
  const rows = await ctx.db.$queryRawUnsafe<{ id: string }[]>(`SELECT id FROM "${table}" WHERE ${where}`, anchors.like, anchors.regex);
  return rows.map((r) => r.id);
}

export async function subjectAccess(ctx: ServiceContext, input: { query: string }) {
  const q = input.query.trim().replace(/\s+/g, ' ');
  if (!q) throw invalidInput('Give an email address or a full name: `npm run cli -- subject-access sam@example.com`.');
  const byEmail = q.includes('@');
  const match = byEmail ? { email: { equals: q, mode: 'insensitive' as const } } : { name: { equals: q, mode: 'insensitive' as const } };

  const people = await ctx.db.person.findMany({
    where: match,
    include: {
      workspace: { select: { platform: true, externalId: true, name: true } },
      settings: true,
      conversation: { select: { updatedAt: true } },
      enrolments: true,
      entries: {
        orderBy: { occurredAt: 'asc' },
        include: { criteria: true, events: { orderBy: { createdAt: 'asc' } }, decisions: { include: { iqaSample: true } }, witnesses: true, contact: { select: { name: true } } },
      },
      contacts: { select: { id: true, name: true, kind: true, createdAt: true } },
    },
  });
  const roster = await Promise.all(people.map(async (p) => ({
    ...p,
    decisionsMade: await ctx.db.decision.findMany({ where: { assessorId: p.id }, select: { id: true, entryId: true, outcome: true, feedback: true, createdAt: true } }),
    witnessStatements: await ctx.db.witnessRequest.findMany({ where: { witnessId: p.id }, select: { id: true, entryId: true, statement: true, submittedAt: true } }),
    messagesPosted: await ctx.db.postedMessage.findMany({ where: { recipientId: p.id }, select: { platform: true, conversationId: true, messageId: true, purpose: true, entryId: true, createdAt: true } }),
    messagesQueued: await ctx.db.outboxMessage.findMany({ where: { recipientId: p.id, status: 'pending' }, select: { kind: true, payload: true, createdAt: true } }),
    // Their own register is about other people: listed by name only here; each contact can ask for theirs.
    contacts: p.contacts,
  })));

  const contactInclude = {
    owner: { select: { name: true, email: true } },
    reviews: { orderBy: { createdAt: 'asc' as const } },
    entries: { select: { id: true, occurredAt: true, summary: true, outcome: true, status: true } },
  };
  const found = await ctx.db.contact.findMany({ where: match, include: contactInclude });
  // The same person in other registers: every contact with an email of those found (or of the roster person).
  const emails = uniq([byEmail ? q : null, ...found.map((c) => c.email), ...people.map((p) => p.email)]);
  const more = emails.length
    ? await ctx.db.contact.findMany({
      where: { id: { notIn: found.map((c) => c.id) }, OR: emails.map((e) => ({ email: { equals: e, mode: 'insensitive' as const } })) },
      include: contactInclude,
    })
    : [];
  const contactRows = [...found, ...more];

  // Everything that identifies them, searched for in free text.
  const ids: Identity[] = [
    byEmail ? { email: q } : { name: q },
    ...contactRows.map((c) => ({ name: c.name, email: c.email, phone: c.phone })),
    ...people.map((p) => ({ name: p.name, email: p.email })),
  ];
  const patterns = identityPatterns(ids);
  const anchors = anchorsOfAll(ids);
  const says = (...texts: (string | null)[]) => texts.some((t) => mentions(t, patterns));

  // Unlinked mentions in evidence text (a name, email or phone typed into a summary or outcome).
  const listed = new Set([...contactRows.flatMap((c) => c.entries.map((e) => e.id)), ...people.flatMap((p) => p.entries.map((e) => e.id))]);
  const entryIds = (await idsMentioning(ctx, 'Entry', ['summary', 'outcome'], anchors)).filter((id) => !listed.has(id));
  const textMentions = (await ctx.db.entry.findMany({
    where: { id: { in: entryIds } },
    orderBy: { occurredAt: 'asc' },
    select: { id: true, occurredAt: true, summary: true, outcome: true, contactId: true, learner: { select: { name: true } } },
  })).filter((e) => says(e.summary, e.outcome));

  const historyNotes = (await ctx.db.entryEvent.findMany({
    where: { id: { in: await idsMentioning(ctx, 'EntryEvent', ['note'], anchors) } },
    orderBy: { createdAt: 'asc' },
    select: { id: true, entryId: true, action: true, note: true, createdAt: true },
  })).filter((e) => says(e.note));
  const decisions = (await ctx.db.decision.findMany({
    where: { id: { in: await idsMentioning(ctx, 'Decision', ['feedback', 'countersignNote'], anchors) } },
    orderBy: { createdAt: 'asc' },
    select: { id: true, entryId: true, outcome: true, feedback: true, countersignNote: true, createdAt: true },
  })).filter((d) => says(d.feedback, d.countersignNote));
  const iqaNotes = (await ctx.db.iqaSample.findMany({
    where: { id: { in: await idsMentioning(ctx, 'IqaSample', ['note'], anchors) } },
    orderBy: { createdAt: 'asc' },
    select: { id: true, decisionId: true, week: true, outcome: true, note: true, decidedAt: true },
  })).filter((s) => says(s.note));
  const witnessStatements = (await ctx.db.witnessRequest.findMany({
    where: { id: { in: await idsMentioning(ctx, 'WitnessRequest', ['statement'], anchors) } },
    orderBy: { createdAt: 'asc' },
    select: { id: true, entryId: true, statement: true, submittedAt: true },
  })).filter((w) => says(w.statement));

  // Stored messages: the outbox (sent and waiting), stored request results, inbox answers, job summaries.
  const outboxIds = (await rowsMentioning(ctx.db, 'OutboxMessage', anchors)).filter((r) => jsonMentions(r.json, patterns)).map((r) => r.id);
  const messages = await ctx.db.outboxMessage.findMany({
    where: { id: { in: outboxIds } },
    orderBy: { createdAt: 'asc' },
    select: { id: true, kind: true, status: true, recipientId: true, payload: true, createdAt: true, sentAt: true },
  });
  const requestResults = (await rowsMentioning(ctx.db, 'ProcessedRequest', anchors)).filter((r) => jsonMentions(r.json, patterns)).map((r) => ({ key: r.id, result: r.json }));
  const inboxAnswers = (await rowsMentioning(ctx.db, 'InboxRequest', anchors)).filter((r) => jsonMentions(r.json, patterns)).map((r) => ({ key: r.id, askedBy: r.owner, result: r.json }));
  const jobSummaries = (await rowsMentioning(ctx.db, 'JobRun', anchors)).filter((r) => jsonMentions(r.json, patterns)).map((r) => ({ run: r.id, summary: r.json }));

  return {
    query: q,
    generatedAt: ctx.clock.now().toISOString(),
    searchedFor: {
      names: uniq(ids.map((i) => i.name)),
      emails: uniq(ids.map((i) => i.email)),
      phones: uniq(ids.map((i) => i.phone)),
    },
    roster,
    contacts: contactRows.map((c) => ({ ...c, heldBy: c.owner, owner: undefined })),
    mentions: textMentions,
    mentionedIn: { historyNotes, decisions, iqaNotes, witnessStatements, messages, requestResults, inboxAnswers, jobSummaries },
  };
}
