// Platform-neutral messages about one evidence entry: the assessor's thread root (with the
// decision buttons while it is open), the learner's confirmation, and short thread notes.
import { findCriterion, getQualification } from '../catalogue/catalogue.ts';
import { formatDateTime } from '../lib/time.ts';
import type { ChatMessage, MessageBlock } from '../ports/message.ts';

export interface EntryView {
  id: string;
  version: number;
  learnerName: string;
  occurredAt: Date;
  createdAt: Date;
  summary: string;
  kind: string | null;
  channel: string | null;
  outcome: string | null;
  minutes: number | null;
  simulated: boolean;
  placement: boolean;
  followUpAt: Date | null;
  status: string;
  qualificationId: string;
  contactName?: string | null;
  criteria: { unitRef: string; number: string }[];
}

export const STATUS_LABEL: Record<string, string> = {
  pending: 'Waiting for assessment',
  changes_requested: 'Changes requested',
  approved: 'Approved',
  rejected: 'Rejected',
  awaiting_countersignature: 'Awaiting countersignature',
};

export const KIND_LABEL: Record<string, string> = {
  networking: 'Networking contact', candidate: 'Candidate', client: 'Client', colleague: 'Colleague', other: 'Other',
};
export const CHANNEL_LABEL: Record<string, string> = {
  phone: 'Phone', email: 'Email', video: 'Video', 'face-to-face': 'Face to face', social: 'Social media', event: 'Event',
};

/** "U7 K/507/0949 2.1 — Explain …" lines for the entry's criteria. */
export function criteriaLines(qualificationId: string, criteria: EntryView['criteria']): string[] {
  const q = getQualification(qualificationId);
  return criteria.map((c) => {
    const r = findCriterion(q, c.unitRef, c.number);
    return r ? `U${r.unitNumber} ${r.unitRef} ${r.number}: ${r.text}` : `${c.unitRef} ${c.number}`;
  });
}

function detailFields(e: EntryView, tz: string): { label: string; value: string }[] {
  const fields = [
    { label: 'Learner', value: e.learnerName },
    { label: 'When', value: formatDateTime(e.occurredAt, tz) },
  ];
  if (e.kind) fields.push({ label: 'Kind', value: KIND_LABEL[e.kind] ?? e.kind });
  if (e.channel) fields.push({ label: 'Channel', value: CHANNEL_LABEL[e.channel] ?? e.channel });
  if (e.contactName) fields.push({ label: 'With', value: e.contactName });
  if (e.minutes) fields.push({ label: 'Time spent', value: `${e.minutes} min (off-the-job)` });
  if (e.followUpAt) fields.push({ label: 'Follow-up', value: formatDateTime(e.followUpAt, tz) });
  fields.push({ label: 'Status', value: STATUS_LABEL[e.status] ?? e.status });
  return fields;
}

/** The root of the assessor's thread for an entry. Buttons only while a decision is due. */
export function assessorEntryMessage(e: EntryView, tz: string, options: { open: boolean }): ChatMessage {
  const blocks: MessageBlock[] = [
    { type: 'header', text: `Evidence from ${e.learnerName}` },
    { type: 'text', text: e.summary },
  ];
  if (e.outcome) blocks.push({ type: 'fields', fields: [{ label: 'Outcome', value: e.outcome }] });
  blocks.push({ type: 'fields', fields: detailFields(e, tz) });
  blocks.push({ type: 'text', text: criteriaLines(e.qualificationId, e.criteria).join('\n'), bold: false });
  if (e.simulated) blocks.push({ type: 'context', text: '⚠ Simulated evidence: allowed only by exception, and only as a small part of the evidence.' });
  if (e.placement) blocks.push({ type: 'context', text: 'Placement: post-placement check-ins are scheduled.' });
  if (options.open) {
    const value = `${e.id}:${e.version}`;
    blocks.push({
      type: 'actions',
      actions: [
        { id: 'entry.approve', label: 'Approve', value, style: 'primary' },
        { id: 'entry.changes', label: 'Request changes', value },
        { id: 'entry.reject', label: 'Reject', value, style: 'danger' },
      ],
    });
  }
  blocks.push({ type: 'context', text: `Logged ${formatDateTime(e.createdAt, tz)} · entry ${e.id.slice(0, 8)}` });
  return { fallback: `Evidence from ${e.learnerName}: ${STATUS_LABEL[e.status] ?? e.status}`, blocks };
}

/** What the learner sees when an entry is recorded. */
export function learnerConfirmation(e: EntryView, tz: string, warnings: string[] = []): ChatMessage {
  const blocks: MessageBlock[] = [
    { type: 'text', text: 'Evidence recorded and sent to your assessor.', bold: true },
    { type: 'text', text: e.summary },
    { type: 'text', text: criteriaLines(e.qualificationId, e.criteria).join('\n') },
  ];
  const extras: string[] = [];
  if (e.followUpAt) extras.push(`Follow-up reminder ${formatDateTime(e.followUpAt, tz)}`);
  if (e.minutes) extras.push(`${e.minutes} min off-the-job`);
  if (e.simulated) extras.push('marked as simulation');
  if (e.contactName) extras.push(`with ${e.contactName}`);
  if (extras.length) blocks.push({ type: 'context', text: extras.join(' · ') });
  for (const w of warnings) blocks.push({ type: 'context', text: `⚠ ${w}` });
  // A manager or colleague who was there can back it up (issue 4: witness statements).
  if (e.status === 'pending') blocks.push({ type: 'actions', actions: [{ id: 'entry.witness', label: 'Ask for a witness statement', value: e.id }] });
  return { fallback: 'Evidence recorded.', blocks };
}
