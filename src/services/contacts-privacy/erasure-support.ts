// What every erasure shares: finding the stored messages (outbox payloads, stored request results,
// job summaries) that mention a person, scrubbing them, re-rendering the messages already posted in
// Slack and Teams without the data (through the outbox, as updates in place), writing the
// 'erasure' history event, and removing stale export files. Used by erase-contact and erase-learner.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Prisma } from '../../db/generated/client.ts';
import { erasurePatterns, mentions, scrubJson, ukNationalDigits } from '../../domain/personal-data.ts';
import type { ChatMessage } from '../../ports/message.ts';
import type { ServiceContext } from '../kernel/context.ts';
import { enqueue, type OutboxItem, type OutboxPayload } from '../outbox/outbox.ts';

export type Tx = Prisma.TransactionClient;

/** Who asked for an erasure. The history says this, never what was erased. */
export interface ErasureRequester {
  kind: 'learner' | 'admin' | 'retention';
  /** The roster person who asked (the learner); null for the CLI and the retention job. */
  personId?: string | null;
}

const REQUESTED_BY: Record<ErasureRequester['kind'], string> = {
  learner: 'at the learner\'s request',
  admin: 'at an administrator\'s request (data subject request)',
  retention: 'under the centre\'s retention policy',
};

export function erasureNote(what: 'contact' | 'learner', by: ErasureRequester): string {
  return what === 'contact'
    ? `A contact's personal data was erased from this entry ${REQUESTED_BY[by.kind]}.`
    : `The learner's personal data was erased ${REQUESTED_BY[by.kind]}.`;
}

/** Appends one 'erasure' event per entry (history stays append-only: only inserts here). */
export async function recordErasureEvents(tx: Tx, entryIds: Iterable<string>, note: string, by: ErasureRequester): Promise<number> {
  const data = [...new Set(entryIds)].map((entryId) => ({ entryId, actorId: by.personId ?? null, action: 'erasure', note }));
  if (data.length === 0) return 0;
  const { count } = await tx.entryEvent.createMany({ data });
  return count;
}

/** Literal anchors and one PostgreSQL regex that any row mentioning the person must contain (a cheap superset filter). */
export interface Anchors {
  like: string[];
  regex: string | null;
}

export function anchorsOf(terms: { name?: string | null; email?: string | null; phoneDigits?: string | null }): Anchors {
  const like: string[] = [];
  const esc = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
  for (const w of (terms.name ?? '').split(/\s+/)) if (w.replace(/\P{L}/gu, '').length >= 2) like.push(`%${esc(w)}%`);
  if (terms.email) like.push(`%${esc(terms.email)}%`);
  const d = terms.phoneDigits?.replace(/\D/g, '');
  return { like, regex: d && d.length >= 6 ? d.split('').join('[^0-9]{0,3}') : null };
}

/**
 * One person as the registers know them: a contact held by several learners may have a different
 * name in each ("Sam Taylor", "Samuel Taylor") and the same email. Erasing or reporting on that
 * person covers every name, email and phone any of those records had.
 */
export interface Identity {
  name?: string | null;
  email?: string | null;
  phone?: string | null;
}

/**
 * Patterns for all of one person's identities: whole emails and phones first, then full names
 * (longest first), then, with nameParts, each part of each name on its own (texts known to be about
 * them). Earlier patterns win at a position, so "Sam Taylor" is replaced whole, not as "Sam" + "Taylor".
 */
export function identityPatterns(ids: Identity[], nameParts = false): RegExp[] {
  const uniq = (xs: (string | null | undefined)[]) => [...new Map(xs.filter((x): x is string => !!x?.trim()).map((x) => [x.trim().toLowerCase(), x.trim()])).values()];
  const byLength = (a: string, b: string) => b.length - a.length;
  const emails = uniq(ids.map((i) => i.email));
  const phones = uniq(ids.map((i) => i.phone));
  const names = uniq(ids.map((i) => i.name?.replace(/\s+/g, ' '))).sort(byLength);
  const res: RegExp[] = [
    ...emails.flatMap((email) => erasurePatterns({ email })),
    ...phones.flatMap((phone) => erasurePatterns({ phone })),
    ...names.flatMap((name) => erasurePatterns({ name })),
  ];
  if (nameParts) {
    const parts = uniq(names.flatMap((n) => (n.split(' ').length > 1 ? n.split(' ') : []))).filter((w) => w.replace(/\P{L}/gu, '').length >= 2);
    for (const part of parts.sort(byLength)) res.push(...erasurePatterns({ name: part }));
  }
  return res;
}

/** anchorsOf for several identities of one person. */
export function anchorsOfAll(ids: Identity[]): Anchors {
  const all = ids.map((i) => anchorsOf({ name: i.name, email: i.email, phoneDigits: i.phone ? (ukNationalDigits(i.phone) ?? i.phone) : null }));
  const regexes = [...new Set(all.map((a) => a.regex).filter((r): r is string => !!r))];
  return {
    like: [...new Set(all.flatMap((a) => a.like))],
    regex: regexes.length === 0 ? null : regexes.length === 1 ? regexes[0]! : regexes.map((r) => `(?:${r})`).join('|'),
  };
}

interface JsonRow {
  id: string;
  json: unknown;
  /** Whom the stored message is for (outbox recipient, inbox requester); null where no one. */
  owner: string | null;
}

/** The tables that keep messages as JSON: outbox payloads, stored request results, inbox answers, job summaries. */
type JsonTable = 'OutboxMessage' | 'ProcessedRequest' | 'InboxRequest' | 'JobRun';

/** Rows of a table whose JSON column mentions an anchor: [table, id column, json column]. */
export async function rowsMentioning(tx: Tx, table: JsonTable, anchors: Anchors): Promise<JsonRow[]> {
  if (anchors.like.length === 0 && !anchors.regex) return [];
  const col = { OutboxMessage: 'payload', ProcessedRequest: 'result', InboxRequest: 'result', JobRun: 'summary' }[table];
  const id = { OutboxMessage: 'id', ProcessedRequest: 'key', InboxRequest: 'key', JobRun: `job" || ':' || "slot` }[table];
  const owner = { OutboxMessage: '"recipientId"', ProcessedRequest: 'NULL', InboxRequest: '"personId"', JobRun: 'NULL' }[table];
  return tx.$queryRawUnsafe<JsonRow[]>(
    `SELECT "${id}" AS id, "${col}" AS json, ${owner} AS owner FROM "${table}"
     WHERE "${col}" IS NOT NULL AND ("${col}"::text ILIKE ANY($1::text[]) OR ($2::text IS NOT NULL AND "${col}"::text ~ $2::text))`,
    anchors.like, anchors.regex,
  );
}

/** Scrubs JSON rows in place; returns id → [before, after] of the rows that changed. */
export async function scrubJsonRows(
  tx: Tx,
  table: JsonTable,
  rows: JsonRow[],
  patternsFor: (row: JsonRow) => RegExp[] | null,
  marker?: string,
): Promise<Map<string, [unknown, unknown]>> {
  const changed = new Map<string, [unknown, unknown]>();
  for (const row of rows) {
    const patterns = patternsFor(row);
    if (!patterns) continue;
    const after = scrubJson(row.json, patterns, marker);
    if (JSON.stringify(after) === JSON.stringify(row.json)) continue;
    changed.set(row.id, [row.json, after]);
    const value = after as Prisma.InputJsonValue;
    if (table === 'OutboxMessage') await tx.outboxMessage.update({ where: { id: row.id }, data: { payload: value } });
    else if (table === 'ProcessedRequest') await tx.processedRequest.update({ where: { key: row.id }, data: { result: value } });
    else if (table === 'InboxRequest') await tx.inboxRequest.update({ where: { key: row.id }, data: { result: value } });
    else {
      const [job, ...slot] = row.id.split(':');
      await tx.jobRun.update({ where: { job_slot: { job: job!, slot: slot.join(':') } }, data: { summary: value } });
    }
  }
  return changed;
}

/** Whether a JSON value mentions the person. */
export const jsonMentions = (json: unknown, patterns: RegExp[]) => mentions(JSON.stringify(json), patterns);

type Posted = { id: string; platform: 'slack' | 'teams'; recipientId: string | null; entryId: string | null; contactId: string | null; purpose: string; outboxId: string | null; createdAt: Date };
type Source = { id: string; payload: OutboxPayload; status: string; sentAt: Date | null; createdAt: Date; platform: string | null };

/**
 * For each posted message, what it shows now is the last delivered outbox message that posted or
 * updated it. When that content changed under the scrub (`changed`), or `force` says so, an update
 * with the scrubbed content is queued; a message with no recorded source gets `fallback`.
 */
export async function rerenderPosted(
  tx: Tx,
  input: {
    erasureId: string;
    posted: Posted[];
    /** outbox id → [before, after] payloads from scrubJsonRows. */
    changed: Map<string, [unknown, unknown]>;
    /** Replace the message whatever it showed (learner erasure: a tombstone). */
    replaceWith?: (p: Posted) => ChatMessage;
    /** For a message whose source is unknown (posted before sources were recorded). */
    fallback: (p: Posted) => Promise<ChatMessage | null> | ChatMessage | null;
    defaultRecipientId: string;
  },
): Promise<number> {
  if (input.posted.length === 0) return 0;
  const postedIds = input.posted.map((p) => p.id);
  const outboxIds = input.posted.map((p) => p.outboxId).filter((x): x is string => !!x);
  const entryIds = [...new Set(input.posted.map((p) => p.entryId).filter((x): x is string => !!x))];
  const sources = await tx.$queryRawUnsafe<Source[]>(
    `SELECT o.id, o.payload, o.status::text AS status, o."sentAt", o."createdAt", p.platform::text AS platform
     FROM "OutboxMessage" o LEFT JOIN "Person" p ON p.id = o."recipientId"
     WHERE o.id = ANY($1::text[])
        OR (o.payload->'updatePosted'->>'postedMessageId') = ANY($2::text[])
        OR (o.payload->'updateOf'->>'entryId') = ANY($3::text[])`,
    outboxIds, postedIds, entryIds,
  );
  // updateOf targets the first message posted for (entry, purpose, platform): see deliver-outbox.
  const firsts = entryIds.length
    ? await tx.postedMessage.findMany({ where: { entryId: { in: entryIds } }, orderBy: { createdAt: 'asc' }, select: { id: true, entryId: true, purpose: true, platform: true } })
    : [];
  const firstOf = new Map<string, string>();
  for (const f of firsts) {
    const k = `${f.entryId}|${f.purpose}|${f.platform}`;
    if (!firstOf.has(k)) firstOf.set(k, f.id);
  }

  const items: OutboxItem[] = [];
  for (const p of input.posted) {
    const mine = sources.filter((s) =>
      s.id === p.outboxId
      || s.payload?.updatePosted?.postedMessageId === p.id
      || (!!p.entryId && s.payload?.updateOf?.entryId === p.entryId && s.payload.updateOf.purpose === p.purpose
        && s.platform === p.platform && firstOf.get(`${p.entryId}|${p.purpose}|${p.platform}`) === p.id));
    const shown = mine
      .filter((s) => s.status === 'sent')
      .sort((a, b) => (a.sentAt?.getTime() ?? 0) - (b.sentAt?.getTime() ?? 0) || a.createdAt.getTime() - b.createdAt.getTime())
      .at(-1);
    let message: ChatMessage | null = null;
    if (input.replaceWith) message = input.replaceWith(p);
    else if (!shown) message = mine.length ? null : await input.fallback(p);
    else if (input.changed.has(shown.id)) message = (input.changed.get(shown.id)![1] as OutboxPayload).message;
    if (!message) continue;
    items.push({
      dedupeKey: `erasure:${input.erasureId}:${p.id}`,
      recipientId: p.recipientId ?? input.defaultRecipientId,
      kind: 'erasure_update',
      payload: { message, purpose: p.purpose, updatePosted: { postedMessageId: p.id } },
    });
  }
  await enqueue(tx, items);
  return items.length;
}

/** Deletes export files under `dir` that mention the person; returns how many. */
export function removeStaleExports(dir: string | undefined, patterns: RegExp[], alsoNamed?: (file: string) => boolean): number {
  if (!dir) return 0;
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const f of files) {
    if (!/\.(csv|html)$/i.test(f)) continue;
    const path = join(dir, f);
    try {
      if (alsoNamed?.(f) || mentions(readFileSync(path, 'utf8'), patterns)) {
        rmSync(path, { force: true });
        removed++;
      }
    } catch {
      // unreadable or gone meanwhile: nothing to do
    }
  }
  return removed;
}

export type { Posted };
