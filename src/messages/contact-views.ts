// Platform-neutral messages for the contact register: a saved contact, the register a page at a
// time, contacts due for review, a recorded review, the erasure confirmation and its result, and
// the minimisation prompt shown when free text looks like personal data.
import { consentState } from '../domain/contact.ts';
import { KIND_NAME, type PersonalDataKind } from '../domain/personal-data.ts';
import { formatDate } from '../lib/time.ts';
import type { ChatMessage, MessageBlock } from '../ports/message.ts';
import { CHANNEL_LABEL } from './entry-card.ts';

export interface ContactView {
  id: string;
  name: string;
  org: string | null;
  kind: string;
  email: string | null;
  phone: string | null;
  channel: string | null;
  availability: string | null;
  consent: boolean | null;
  consentAt: Date | null;
  consentMethod: string | null;
  noticeSentAt: Date | null;
  nextContactAt: Date | null;
  lastInteractionAt: Date | null;
  lastReviewAt?: Date | null;
}

export const CONTACT_KIND_LABEL: Record<string, string> = { candidate: 'Candidate', client: 'Client', colleague: 'Colleague', other: 'Other' };

export function consentLine(c: ContactView, tz: string): string {
  const state = consentState(c);
  const how = c.consentMethod ? ` (${c.consentMethod})` : '';
  const when = c.consentAt ? ` ${formatDate(c.consentAt, tz)}` : '';
  const consent = state === 'given' ? `✓ Consent given${when}${how}` : state === 'refused' ? `✗ Consent refused or withdrawn${when}${how}` : '⚠ Consent not recorded';
  const notice = c.noticeSentAt ? `privacy notice sent ${formatDate(c.noticeSentAt, tz)}` : 'privacy notice not sent';
  return `${consent} · ${notice}`;
}

function detailLine(c: ContactView, tz: string): string {
  const parts = [CONTACT_KIND_LABEL[c.kind] ?? c.kind];
  if (c.org) parts.push(c.org);
  if (c.channel) parts.push(`prefers ${CHANNEL_LABEL[c.channel] ?? c.channel}`);
  if (c.availability) parts.push(c.availability);
  parts.push(c.lastInteractionAt ? `last contact ${formatDate(c.lastInteractionAt, tz)}` : 'no logged contact yet');
  if (c.nextContactAt) parts.push(`next ${formatDate(c.nextContactAt, tz)}`);
  return parts.join(' · ');
}

export function contactSavedMessage(c: ContactView, created: boolean, tz: string, notes: string[] = []): ChatMessage {
  const blocks: MessageBlock[] = [
    { type: 'text', text: `${created ? 'Added' : 'Updated'} ${c.name} in your contacts.`, bold: true },
    { type: 'text', text: detailLine(c, tz) },
  ];
  const reach = [c.email, c.phone].filter(Boolean).join(' · ');
  if (reach) blocks.push({ type: 'context', text: reach });
  blocks.push({ type: 'context', text: consentLine(c, tz) });
  for (const n of notes) blocks.push({ type: 'context', text: n });
  return { fallback: `${created ? 'Added' : 'Updated'} ${c.name}`, blocks };
}

export const CONTACTS_PAGE_SIZE = 10;

export function contactListMessage(r: { contacts: ContactView[]; total: number; page: number; tz: string }): ChatMessage {
  if (r.total === 0) {
    return {
      fallback: 'Your contacts',
      blocks: [{ type: 'text', text: 'Your contact register is empty. Add someone with `/evidence contact add "Sam Taylor" kind:candidate channel:phone consent:yes notice:yes`, then log evidence `with:"Sam Taylor"`.' }],
    };
  }
  const from = r.page * CONTACTS_PAGE_SIZE + 1;
  const blocks: MessageBlock[] = [{ type: 'header', text: `Your contacts (${from}–${from + r.contacts.length - 1} of ${r.total})` }];
  for (const c of r.contacts) {
    blocks.push({ type: 'text', text: `${c.name}\n${detailLine(c, r.tz)}` });
    blocks.push({ type: 'context', text: consentLine(c, r.tz) });
  }
  if ((r.page + 1) * CONTACTS_PAGE_SIZE < r.total) {
    blocks.push({ type: 'actions', actions: [{ id: 'contacts.more', label: 'More', value: String(r.page + 1) }] });
  }
  const missing = r.contacts.filter((c) => c.consent !== true).length;
  if (missing) blocks.push({ type: 'context', text: `${missing} on this page without recorded consent: record it with \`contact add "NAME" consent:yes consent-method:"verbal on call" notice:yes\`, or erase them with \`forget "NAME"\`.` });
  return { fallback: 'Your contacts', blocks };
}

export function reviewDueMessage(r: { due: ContactView[]; total: number; weeks: number; tz: string }): ChatMessage {
  if (r.total === 0) {
    return { fallback: 'Relationship reviews', blocks: [{ type: 'text', text: 'You have no contacts yet. Add one with `/evidence contact add "Sam Taylor" kind:candidate consent:yes`.' }] };
  }
  const blocks: MessageBlock[] = [{ type: 'header', text: 'Relationship reviews' }];
  if (r.due.length === 0) {
    blocks.push({ type: 'text', text: `Nothing is due: every contact was added or reviewed in the last ${r.weeks} weeks.` });
  } else {
    blocks.push({ type: 'text', text: `${r.due.length} contact${r.due.length === 1 ? ' is' : 's are'} due (no review for ${r.weeks} weeks). Score each on value, activity level and potential (1–5), say why, and choose to keep, strengthen or discontinue.` });
    for (const c of r.due.slice(0, 15)) {
      blocks.push({ type: 'text', text: `${c.name}\n${detailLine(c, r.tz)}${c.lastReviewAt ? ` · last reviewed ${formatDate(c.lastReviewAt, r.tz)}` : ' · never reviewed'}` });
      blocks.push({ type: 'actions', actions: [{ id: 'contact.review', label: `Review ${c.name}`.slice(0, 75), value: c.id, style: 'primary' }] });
    }
  }
  blocks.push({ type: 'context', text: 'Or type it: `/evidence review "Sam Taylor" value:4 activity:2 potential:5 action:strengthen next:2w Placed twice; call monthly #U7:2.1` (tags make the review evidence).' });
  return { fallback: 'Relationship reviews', blocks };
}

export function reviewRecordedMessage(r: { contactName: string; value: number; activity: number; potential: number; action: string; nextContactAt: Date | null; channel: string | null; entryRecorded: boolean; tz: string; warnings?: string[] }): ChatMessage {
  const blocks: MessageBlock[] = [
    { type: 'text', text: `Review of ${r.contactName} recorded.`, bold: true },
    { type: 'fields', fields: [
      { label: 'Value', value: `${r.value}/5` }, { label: 'Activity', value: `${r.activity}/5` },
      { label: 'Potential', value: `${r.potential}/5` }, { label: 'Action', value: r.action },
    ] },
  ];
  if (r.nextContactAt) blocks.push({ type: 'context', text: `Next contact ${formatDate(r.nextContactAt, r.tz)}${r.channel ? ` by ${CHANNEL_LABEL[r.channel] ?? r.channel}` : ''}: you'll get a reminder.` });
  blocks.push({ type: 'context', text: r.entryRecorded ? 'Logged as evidence and sent to your assessor.' : 'Add criteria tags (`#U7:2.1`) to a review to count it as evidence.' });
  for (const w of r.warnings ?? []) blocks.push({ type: 'context', text: `⚠ ${w}` });
  return { fallback: `Review of ${r.contactName} recorded`, blocks };
}

export function forgetConfirmMessage(c: { id: string; name: string }, linkedEntries: number): ChatMessage {
  return {
    fallback: `Erase ${c.name}?`,
    blocks: [
      { type: 'text', text: `Erase ${c.name}'s personal data?`, bold: true },
      { type: 'text', text: `This removes them from your contact register and replaces their name, email and phone with "[erased contact]" in your evidence${linkedEntries ? ` (${linkedEntries} linked entr${linkedEntries === 1 ? 'y' : 'ies'})` : ''}, in feedback, and in the messages the bot already posted. Your evidence and its assessment history stay. This cannot be undone.` },
      { type: 'actions', actions: [
        { id: 'contact.forget_confirm', label: 'Erase', value: c.id, style: 'danger' },
        { id: 'contact.forget_cancel', label: 'Cancel', value: c.id },
      ] },
    ],
  };
}

export function erasedMessage(r: { entries: number; messages: number; reviews: number }): ChatMessage {
  const bits = [`${r.entries} entr${r.entries === 1 ? 'y' : 'ies'} redacted`, `${r.messages} posted message${r.messages === 1 ? '' : 's'} being updated`];
  if (r.reviews) bits.push(`${r.reviews} review${r.reviews === 1 ? '' : 's'} removed`);
  return {
    fallback: 'Contact erased',
    blocks: [
      { type: 'text', text: 'Done: the contact\'s personal data has been erased.', bold: true },
      { type: 'context', text: `${bits.join(' · ')}. The assessment history records that an erasure happened, not what was erased.` },
    ],
  };
}

export function minimisationPrompt(r: { kinds: PersonalDataKind[]; key: string; contactName?: string; canMove: boolean }): ChatMessage {
  const what = [...new Set(r.kinds)].map((k) => KIND_NAME[k]);
  const list = what.length > 1 ? `${what.slice(0, -1).join(', ')} and ${what.at(-1)}` : what[0]!;
  const moveLabel = r.contactName ? `Move to ${r.contactName} and redact` : 'Move to a contact and redact';
  return {
    fallback: 'That looks like personal data',
    blocks: [
      { type: 'text', text: `That looks like personal data: ${list}. Nothing has been saved yet.`, bold: true },
      { type: 'text', text: r.canMove
        ? 'Evidence is read by assessors, quality assurers and end-point assessors. Keep contact details in your contact register (with their consent) and out of the evidence text.'
        : 'Evidence is read by assessors, quality assurers and end-point assessors. A National Insurance number does not belong in it.' },
      { type: 'actions', actions: [
        r.canMove
          ? { id: 'log.redact_move', label: moveLabel.slice(0, 75), value: r.key, style: 'primary' }
          : { id: 'log.redact', label: 'Redact and save', value: r.key, style: 'primary' },
        { id: 'log.keep', label: 'Keep as written', value: r.key },
      ] },
      { type: 'context', text: 'Nothing is stored until you choose; this choice expires after a day.' },
    ],
  };
}
