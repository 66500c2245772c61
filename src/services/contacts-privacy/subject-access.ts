// Subject access (UK GDPR article 15): everything held about one person, found by email or name,
// whether they are on the roster (a learner, assessor, manager …) or in a learner's contact
// register, as one JSON document for the admin to review and send. Evidence text that mentions a
// contact by name or email without being linked to them is listed too, under `mentions`.
import { erasurePatterns, mentions } from '../../domain/personal-data.ts';
import { invalidInput } from '../../lib/errors.ts';
import type { ServiceContext } from '../kernel/context.ts';

export async function subjectAccess(ctx: ServiceContext, input: { query: string }) {
  const q = input.query.trim();
  if (!q) throw invalidInput('Give an email address or a full name: `npm run cli -- subject-access sam@example.com`.');
  const match = q.includes('@') ? { email: { equals: q, mode: 'insensitive' as const } } : { name: { equals: q, mode: 'insensitive' as const } };

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

  const contactRows = await ctx.db.contact.findMany({
    where: match,
    include: {
      owner: { select: { name: true, email: true } },
      reviews: { orderBy: { createdAt: 'asc' } },
      entries: { select: { id: true, occurredAt: true, summary: true, outcome: true, status: true } },
    },
  });

  // Unlinked mentions in evidence text (name or email typed into a summary).
  const terms = contactRows.length ? contactRows : [q.includes('@') ? { name: null, email: q, phone: null } : { name: q, email: null, phone: null }];
  const patterns = terms.flatMap((t) => erasurePatterns({ name: t.name, email: t.email, phone: t.phone }));
  const like = q.includes('@') ? q : q.split(/\s+/).sort((a, b) => b.length - a.length)[0]!;
  const candidates = await ctx.db.entry.findMany({
    where: { OR: [{ summary: { contains: like, mode: 'insensitive' } }, { outcome: { contains: like, mode: 'insensitive' } }] },
    select: { id: true, occurredAt: true, summary: true, outcome: true, contactId: true, learner: { select: { name: true } } },
  });
  const linked = new Set(contactRows.flatMap((c) => c.entries.map((e) => e.id)));
  const textMentions = candidates.filter((e) => !linked.has(e.id) && (mentions(e.summary, patterns) || mentions(e.outcome, patterns)));

  return {
    query: q,
    generatedAt: ctx.clock.now().toISOString(),
    roster,
    contacts: contactRows.map((c) => ({ ...c, heldBy: c.owner, owner: undefined })),
    mentions: textMentions,
  };
}
