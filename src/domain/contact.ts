// The contact register's rules: the `contact add NAME key:value …` and `review NAME …` grammars,
// email and phone formats, and when a relationship is due for review. Pure: no I/O.
import { invalidInput } from '../lib/errors.ts';
import { parseFollowUp, type CriterionTag, type FollowUp } from './log-grammar.ts';
import { ukNationalDigits } from './personal-data.ts';
import { cleanText } from './text.ts';

export const CONTACT_KINDS = ['candidate', 'client', 'colleague', 'other'] as const;
export type ContactKind = (typeof CONTACT_KINDS)[number];
export const CONTACT_CHANNELS = ['phone', 'email', 'video', 'face-to-face', 'social', 'event'] as const;
export type ContactChannel = (typeof CONTACT_CHANNELS)[number];
export const REVIEW_ACTIONS = ['keep', 'strengthen', 'discontinue'] as const;
export type ReviewAction = (typeof REVIEW_ACTIONS)[number];

export const MAX_NAME = 100;
/** Longer than any number written with spaces and brackets (+44 (0) 7700 900 123 is 22). */
const MAX_PHONE = 40;

/** A value as it is quoted back in a message: a long one cut short. */
const shown = (value: string) => (value.length > 60 ? `${value.slice(0, 59)}…` : value);

/** A contact as typed or submitted; absent fields are left as they are on an existing contact. */
export interface ContactDraft {
  name: string;
  org?: string | null;
  kind?: ContactKind;
  email?: string | null;
  phone?: string | null;
  channel?: ContactChannel | null;
  availability?: string | null;
  consent?: boolean;
  consentMethod?: string | null;
  notice?: boolean;
  next?: FollowUp | null;
}

export interface ReviewDraft {
  contactName: string;
  value: number;
  activity: number;
  potential: number;
  rationale: string;
  action: ReviewAction;
  next?: FollowUp;
  tags: CriterionTag[];
}

// An opening “ also ends the search for its closing one: otherwise every unclosed “ would be followed
// to the end of the text, and many of them take quadratic time.
const QUOTED = String.raw`"([^"]*)"|“([^”“]*)”`;
const KEY_VALUE = new RegExp(String.raw`(?<![\w-])([a-z][a-z-]*):(?:${QUOTED}|(\S*))`, 'giu');
const TAG = /#([a-z]\/\d{3}\/\d{4}|u\d{1,3})(?::([^\s,;]*))?/giu;

/** NAME at the start: quoted, or the bare words before the first key:value. */
function takeName(text: string, example: string): { name: string; rest: string } {
  const t = text.trim();
  const q = new RegExp(`^(?:${QUOTED})`, 'u').exec(t);
  if (q) return { name: (q[1] ?? q[2] ?? '').trim(), rest: t.slice(q[0].length) };
  const firstToken = t.search(/(?<![\w-])[a-z][a-z-]*:|#/iu);
  const name = (firstToken < 0 ? t : t.slice(0, firstToken)).trim();
  return { name, rest: firstToken < 0 ? '' : t.slice(firstToken) };
}

function checkName(name: string, example: string): string {
  const n = name.replace(/\s+/g, ' ').trim();
  if (!n) throw invalidInput(`Start with the contact's name: ${example}`);
  if (n.length > MAX_NAME) throw invalidInput(`That name is ${n.length} characters; keep it under ${MAX_NAME}.`);
  return n;
}

function pick<T extends string>(key: string, value: string, allowed: readonly T[]): T {
  const v = value.toLowerCase() as T;
  if (!allowed.includes(v)) throw invalidInput(`\`${key}:${value}\` is not one I know: use one of ${allowed.map((a) => `\`${key}:${a}\``).join(', ')}.`);
  return v;
}

function yesNo(key: string, value: string): boolean {
  const v = value.toLowerCase();
  if (['yes', 'y', 'true'].includes(v)) return true;
  if (['no', 'n', 'false'].includes(v)) return false;
  throw invalidInput(`\`${key}:${value}\` should be \`${key}:yes\` or \`${key}:no\`.`);
}

/** A plain email address; returns it trimmed and lower-cased, or throws saying what is wrong. */
export function normaliseEmail(value: string): string {
  const v = value.trim();
  // The length first: no address is longer, so the pattern never reads more.
  if (v.length > 254 || !/^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/.test(v)) {
    throw invalidInput(`\`${shown(value)}\` is not an email address I can use: it should look like \`sam@example.com\`.`, { field: 'email' });
  }
  return v.toLowerCase();
}

/** A UK number (07700 900123, +44 7700 900123) or an international one with its +country code; stored as +digits. */
export function normalisePhone(value: string): string {
  const v = value.trim();
  if (v.length > MAX_PHONE) throw invalidInput(`That phone number is ${v.length} characters long: give it as digits, like \`07700 900123\` or \`+44 7700 900123\`.`, { field: 'phone' });
  if (/[^\d\s+\-.()]/.test(v)) throw invalidInput(`\`${value}\` is not a phone number: use digits, like \`07700 900123\` or \`+44 7700 900123\`.`, { field: 'phone' });
  const uk = ukNationalDigits(v);
  if (uk) return `+44${uk}`;
  const digits = v.replace(/\D/g, '');
  if (/^(\+|00)/.test(v) && !/^(\+|00)\s*44/.test(v) && digits.replace(/^00/, '').length >= 8 && digits.replace(/^00/, '').length <= 15) {
    return `+${digits.replace(/^00/, '')}`;
  }
  throw invalidInput(
    `\`${value}\` is not a phone number I can use: give a UK number with its area code (\`07700 900123\`, \`020 7946 0000\`) or an international one with its country code (\`+33 1 23 45 67 89\`).`,
    { field: 'phone' },
  );
}

/** `contact add NAME key:value …` (the text after `add`). */
export function parseContactArgs(raw: string): ContactDraft {
  const text = cleanText(raw);
  const example = '`/evidence contact add "Sam Taylor" kind:candidate email:sam@example.com consent:yes`';
  const { name, rest } = takeName(text, example);
  const draft: ContactDraft = { name: checkName(name, example) };
  const leftover = rest.replace(KEY_VALUE, (match, key: string, q1?: string, q2?: string, bare?: string) => {
    const value = (q1 ?? q2 ?? bare ?? '').trim();
    const k = key.toLowerCase();
    const clear = value === '' || value === '-';
    switch (k) {
      case 'org': draft.org = clear ? null : value.slice(0, 200); break;
      case 'kind': draft.kind = pick(k, value, CONTACT_KINDS); break;
      case 'email': draft.email = clear ? null : normaliseEmail(value); break;
      case 'phone': draft.phone = clear ? null : normalisePhone(value); break;
      case 'channel': draft.channel = clear ? null : pick(k, value, CONTACT_CHANNELS); break;
      case 'availability': draft.availability = clear ? null : value.slice(0, 200); break;
      case 'consent': draft.consent = yesNo(k, value); break;
      case 'consent-method': case 'how': draft.consentMethod = clear ? null : value.slice(0, 200); break;
      case 'notice': draft.notice = yesNo(k, value); break;
      case 'next': draft.next = clear ? null : parseNext(value); break;
      default:
        throw invalidInput(`I don't know \`${key}:\`. A contact takes org:, kind:, email:, phone:, channel:, availability:, consent:yes|no, consent-method:, notice:yes|no and next:. Example: ${example}`);
    }
    return ' ';
  });
  const stray = leftover.trim();
  if (stray) {
    throw invalidInput(`I didn't understand \`${stray.slice(0, 60)}\`. A name with spaces goes in quotes and everything else is key:value, like ${example}.`);
  }
  return draft;
}

function parseNext(value: string): FollowUp {
  try {
    return parseFollowUp(value);
  } catch {
    throw invalidInput(`\`next:${value}\` is not a date I understand. Use a date (\`next:2026-12-01\`) or a delay (\`next:7d\`, \`next:2w\`).`);
  }
}

function score(key: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 5) throw invalidInput(`\`${key}:${value}\` should be a score from 1 (low) to 5 (high), like \`${key}:4\`.`);
  return n;
}

/** `review NAME value:4 activity:3 potential:5 action:strengthen [next:2w] [#U7:2.1] RATIONALE`. */
export function parseReviewArgs(raw: string): ReviewDraft {
  const text = cleanText(raw);
  const example = '`/evidence review "Sam Taylor" value:4 activity:2 potential:5 action:strengthen Placed twice this year; call monthly #U7:2.1`';
  const { name, rest } = takeName(text, example);
  const contactName = checkName(name, example);
  const got: Partial<ReviewDraft> = {};
  const tags: CriterionTag[] = [];
  let rationale = rest.replace(KEY_VALUE, (match, key: string, q1?: string, q2?: string, bare?: string) => {
    const value = (q1 ?? q2 ?? bare ?? '').trim();
    const k = key.toLowerCase();
    switch (k) {
      case 'value': got.value = score(k, value); break;
      case 'activity': got.activity = score(k, value); break;
      case 'potential': got.potential = score(k, value); break;
      case 'action': got.action = pick(k, value, REVIEW_ACTIONS); break;
      case 'next': got.next = parseNext(value); break;
      case 'why': case 'rationale': got.rationale = value; break;
      default: return match; // part of the rationale ("note: …")
    }
    return ' ';
  });
  rationale = rationale.replace(TAG, (match, unit: string, num?: string) => {
    const number = (num ?? '').replace(/\.$/, '');
    if (!/^\d+\.\d+$/.test(number)) throw invalidInput(`\`${match}\` is missing its criterion number. Tag criteria like \`#U7:2.1\`.`);
    if (!tags.some((t) => t.unit.toUpperCase() === unit.toUpperCase() && t.number === number)) tags.push({ unit, number, raw: match });
    return ' ';
  });
  const text2 = (got.rationale ?? rationale).replace(/[ \t]{2,}/g, ' ').trim();
  const missing = (['value', 'activity', 'potential', 'action'] as const).filter((k) => got[k] === undefined);
  if (missing.length) throw invalidInput(`A review needs ${missing.map((m) => `\`${m}:\``).join(', ')} (scores 1–5; action keep, strengthen or discontinue). Example: ${example}`);
  if (!text2) throw invalidInput(`Say why: a review needs your rationale, in a sentence or two after the scores. Example: ${example}`);
  if (text2.length > 1500) throw invalidInput(`That rationale is ${text2.length} characters; keep it under 1,500.`);
  return { contactName, value: got.value!, activity: got.activity!, potential: got.potential!, action: got.action!, rationale: text2, next: got.next, tags };
}

/** A contact is due for review when neither it was added nor reviewed in the last `weeks` weeks. */
export function isDueForReview(c: { createdAt: Date; lastReviewAt: Date | null }, now: Date, weeks: number): boolean {
  const since = c.lastReviewAt ?? c.createdAt;
  return now.getTime() - since.getTime() >= weeks * 7 * 86_400_000;
}

/** Consent as a learner reads it: "given 3 Nov (verbal on call)", "refused", "not recorded". */
export function consentState(c: { consent: boolean | null }): 'given' | 'refused' | 'not_recorded' {
  return c.consent === true ? 'given' : c.consent === false ? 'refused' : 'not_recorded';
}
