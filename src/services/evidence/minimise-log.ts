// Data minimisation for `log TEXT`: when the text looks like it holds an email address, a UK phone
// number or a National Insurance number, no entry is stored; the learner chooses to move the
// details into a contact and redact the text, or to keep it as written. Until they choose, the text
// waits in ProcessedRequest under `minimise:<request key>` (erased with the contact, dropped by the
// retention job after a day). The entry is then stored under the ORIGINAL request's idempotency
// key, so a retried command, a double click or both buttons still give one entry.
import { getQualification } from '../../catalogue/catalogue.ts';
import { normaliseEmail, normalisePhone } from '../../domain/contact.ts';
import { parseLogText } from '../../domain/log-grammar.ts';
import { detectPersonalData, redactPersonalData } from '../../domain/personal-data.ts';
import { enrolledUnits } from '../../domain/progress.ts';
import { invalidInput } from '../../lib/errors.ts';
import { minimisationPrompt } from '../../messages/contact-views.ts';
import type { ChatMessage } from '../../ports/message.ts';
import { saveContact } from '../contacts-privacy/add-contact.ts';
import type { ActorRef, ServiceContext } from '../kernel/context.ts';
import { identifyLearner, timeZoneOf } from '../kernel/identify-person.ts';
import { recordEvidence, resolveTags, type RecordEvidenceResult } from './record-evidence.ts';

export const PENDING_PREFIX = 'minimise:';
/** A waiting choice older than this is dropped by the retention job. */
export const PENDING_TTL_MS = 24 * 3_600_000;

export type LogOutcome =
  | { kind: 'recorded'; result: RecordEvidenceResult }
  | { kind: 'prompt'; message: ChatMessage; key: string };

interface Pending {
  learnerId: string;
  text: string;
  source: 'slack' | 'teams' | 'cli';
}

/** `log TEXT` with the personal-data check in front of recordEvidence. */
export async function logEvidenceChecked(
  ctx: ServiceContext,
  input: { actor: ActorRef; text: string; idempotencyKey: string; source: 'slack' | 'teams' | 'cli' },
): Promise<LogOutcome> {
  // Nothing that looks like personal data (the usual case): straight to recording, which identifies
  // the learner and replays a retry itself — no look-ups twice on the busiest path.
  if (detectPersonalData(input.text).length === 0) return { kind: 'recorded', result: await recordEvidence(ctx, { ...input }) };
  const { person, enrolment } = await identifyLearner(ctx, input.actor);
  // A retry of a log already stored (perhaps after a choice) replays it.
  const stored = await ctx.db.entry.findUnique({ where: { idempotencyKey: input.idempotencyKey }, select: { id: true } });
  const findings = stored ? [] : detectPersonalData(input.text);
  if (findings.length === 0) return { kind: 'recorded', result: await recordEvidence(ctx, { ...input }) };

  // Refuse what would be refused anyway before asking about personal data.
  const parsed = parseLogText(input.text);
  const q = getQualification(enrolment.qualificationId);
  resolveTags(q, parsed.tags, enrolledUnits(q, enrolment.optionalUnits).map((u) => u.ref));

  const key = `${PENDING_PREFIX}${input.idempotencyKey}`;
  const pending: Pending = { learnerId: person.id, text: input.text, source: input.source };
  await ctx.db.processedRequest.createMany({ data: [{ key, result: pending as never, createdAt: ctx.clock.now() }], skipDuplicates: true });
  const kinds = findings.map((f) => f.kind);
  ctx.log.info({ learnerId: person.id, kinds: [...new Set(kinds)] }, 'log held: looks like personal data');
  return {
    kind: 'prompt', key,
    message: minimisationPrompt({ kinds, key, contactName: parsed.contactName, canMove: kinds.some((k) => k !== 'nino') }),
  };
}

export type MinimiseChoice = 'keep' | 'redact' | 'move';

export type ResolveOutcome =
  | { kind: 'recorded'; result: RecordEvidenceResult; notes: string[] }
  /** No `with:` contact to move the details to: open the contact form, prefilled; it finishes the log. */
  | { kind: 'contact_form'; prefill: { email?: string; phone?: string; pendingLog: string } };

/** The learner's choice on a held log (a button). `contactName` comes from the contact form. */
export async function resolvePendingLog(
  ctx: ServiceContext,
  input: { actor: ActorRef; key: string; choice: MinimiseChoice; contactName?: string },
): Promise<ResolveOutcome> {
  const { person } = await identifyLearner(ctx, input.actor);
  if (!input.key.startsWith(PENDING_PREFIX)) throw invalidInput('That button is not one I know. Send the log again.');
  const idempotencyKey = input.key.slice(PENDING_PREFIX.length);

  const row = await ctx.db.processedRequest.findUnique({ where: { key: input.key } });
  const pending = row?.result as Pending | undefined;
  if (!pending || pending.learnerId !== person.id) {
    // Chosen already (a double click, the other button): show what was stored.
    const entry = await ctx.db.entry.findUnique({ where: { idempotencyKey }, select: { learnerId: true } });
    if (entry && entry.learnerId === person.id) {
      return { kind: 'recorded', result: await recordEvidence(ctx, { actor: input.actor, idempotencyKey, source: pending?.source ?? 'slack', text: 'replay' }), notes: [] };
    }
    throw invalidInput('That choice has expired, so nothing was saved. Please send the log again.');
  }

  const notes: string[] = [];
  let text = pending.text;
  if (input.choice !== 'keep') {
    const findings = detectPersonalData(text);
    if (input.choice === 'move') {
      const parsed = parseLogText(text);
      const target = input.contactName ?? parsed.contactName;
      const email = findings.find((f) => f.kind === 'email')?.value;
      const phone = findings.find((f) => f.kind === 'phone')?.value;
      if (!target) return { kind: 'contact_form', prefill: { ...(email ? { email } : {}), ...(phone ? { phone } : {}), pendingLog: input.key } };
      notes.push(...(await moveIntoContact(ctx, person.id, target, { email, phone }, timeZoneOf(ctx, person))));
      if (!parsed.contactName) text = `${text} with:"${target.replace(/"/g, '')}"`;
    }
    text = redactPersonalData(text, findings);
  }
  const result = await recordEvidence(ctx, { actor: input.actor, idempotencyKey, source: pending.source, text });
  await ctx.db.processedRequest.deleteMany({ where: { key: input.key } });
  ctx.log.info({ learnerId: person.id, entryId: result.entry.id, choice: input.choice }, 'held log resolved');
  return { kind: 'recorded', result, notes };
}

/** Puts the email and phone on the contact where it has none; says when it kept a different one. */
async function moveIntoContact(ctx: ServiceContext, ownerId: string, name: string, found: { email?: string; phone?: string }, tz: string): Promise<string[]> {
  const existing = await ctx.db.contact.findFirst({ where: { ownerId, name: { equals: name, mode: 'insensitive' } } });
  const notes: string[] = [];
  const draft: { name: string; email?: string; phone?: string } = { name: existing?.name ?? name };
  if (found.email) {
    const email = normaliseEmail(found.email);
    if (!existing?.email) draft.email = email;
    else if (existing.email !== email) notes.push(`${existing.name} already has a different email in your register; the one in your text was removed, not stored.`);
  }
  if (found.phone) {
    const phone = normalisePhone(found.phone);
    if (!existing?.phone) draft.phone = phone;
    else if (existing.phone !== phone) notes.push(`${existing.name} already has a different phone number in your register; the one in your text was removed, not stored.`);
  }
  const { contact, created } = await saveContact(ctx, ownerId, draft, tz);
  notes.unshift(created ? `Added ${contact.name} to your contacts with the details from your text.` : `Moved the details into ${contact.name}'s contact record.`);
  if (contact.consent !== true) notes.push(`Record ${contact.name}'s consent: \`contact add "${contact.name}" consent:yes consent-method:"…"\`.`);
  return notes;
}
