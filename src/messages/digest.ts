// The weekly digest to a manager: every one of their learners with entries this week, approved /
// waiting / needing changes, criteria covered and credits towards 28 with a text bar, units
// completed, overdue follow-ups and days since the last log; learners gone quiet first. Learners are
// grouped into sections of up to 3,000 characters (Slack's limit), and a very large team is split
// into several messages, each well within 50 blocks.
import { formatDate } from '../lib/time.ts';
import { progressBar, type ChatMessage, type MessageBlock } from '../ports/message.ts';

export interface DigestLearner {
  name: string;
  entriesThisWeek: number;
  approved: number;
  pending: number;
  changes: number;
  criteriaApproved: number;
  criteriaTotal: number;
  credits: number;
  creditsRequired: number;
  unitsCompleted: number;
  unitsTotal: number;
  overdueFollowUps: number;
  /** null: nothing logged yet. */
  daysSinceLastLog: number | null;
  quiet: boolean;
  onBreak: boolean;
}

export interface DigestInput {
  managerName: string;
  /** The Monday 09:00 the digest is for; "this week" is the seven days before it. */
  slot: Date;
  tz: string;
  learners: DigestLearner[];
}

/** Nothing logged for this many days: flagged as gone quiet. */
export const QUIET_AFTER_DAYS = 14;
/** Learners per message: several share a section, so a team of 60 fits one Slack message (and a Teams card). */
export const LEARNERS_PER_PAGE = 60;
const MAX_SECTION = 2900;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const clip = (t: string, max = MAX_SECTION) => (t.length > max ? `${t.slice(0, max - 1)}…` : t);

export function sortForDigest(learners: DigestLearner[]): DigestLearner[] {
  return [...learners].sort((a, b) =>
    Number(b.quiet) - Number(a.quiet)
    || (b.quiet ? (b.daysSinceLastLog ?? 1e6) - (a.daysSinceLastLog ?? 1e6) : 0)
    || a.name.localeCompare(b.name));
}

export function learnerLine(l: DigestLearner): string {
  const last = l.daysSinceLastLog === null ? 'nothing logged yet' : l.daysSinceLastLog === 0 ? 'last log today' : `${plural(l.daysSinceLastLog, 'day')} since last log`;
  const flag = l.quiet ? `⚠ Gone quiet: ${last}` : l.onBreak ? `On a break in learning · ${last}` : last;
  const lines = [
    `${l.name}: ${flag}`,
    `This week: ${plural(l.entriesThisWeek, 'entry', 'entries')} · all entries: ${l.approved} approved, ${l.pending} waiting, ${l.changes} needing changes`,
    `Credits ${progressBar(l.credits, l.creditsRequired)} ${l.credits}/${l.creditsRequired} · criteria covered ${l.criteriaApproved}/${l.criteriaTotal} · units completed ${l.unitsCompleted}/${l.unitsTotal}`,
  ];
  if (l.overdueFollowUps) lines.push(`Overdue follow-ups: ${l.overdueFollowUps}`);
  return clip(lines.join('\n'));
}

/** One message per page of learners (one page for up to LEARNERS_PER_PAGE). */
export function digestMessages(d: DigestInput): ChatMessage[] {
  const learners = sortForDigest(d.learners);
  const quiet = learners.filter((l) => l.quiet);
  const pages: DigestLearner[][] = [];
  for (let i = 0; i < learners.length; i += LEARNERS_PER_PAGE) pages.push(learners.slice(i, i + LEARNERS_PER_PAGE));
  if (!pages.length) pages.push([]);
  const weekOf = formatDate(new Date(d.slot.getTime() - 7 * 86_400_000), d.tz);
  const entries = learners.reduce((n, l) => n + l.entriesThisWeek, 0);
  return pages.map((page, i) => {
    const suffix = pages.length > 1 ? ` (${i + 1} of ${pages.length})` : '';
    const blocks: MessageBlock[] = [{ type: 'header', text: clip(`Weekly digest: your learners${suffix}`, 150) }];
    if (i === 0) {
      blocks.push({ type: 'context', text: `Week from ${weekOf} to ${formatDate(d.slot, d.tz)} · ${plural(learners.length, 'learner')} · ${plural(entries, 'entry', 'entries')} this week · ${quiet.length} gone quiet` });
      if (quiet.length) {
        blocks.push({ type: 'text', bold: true, text: clip(`Gone quiet (nothing logged for ${QUIET_AFTER_DAYS} days or more): ${quiet.map((l) => l.name).join(', ')}`) });
      }
    }
    blocks.push({ type: 'divider' });
    for (const section of groupIntoSections(page.map(learnerLine))) blocks.push({ type: 'text', text: section });
    blocks.push({ type: 'context', text: 'Criteria and credits count approved evidence only. Sent every Monday at 09:00 your time.' });
    return { fallback: `Weekly digest${suffix}: ${plural(learners.length, 'learner')}, ${quiet.length} gone quiet`, blocks };
  });
}

/** Learners' paragraphs joined into as few sections as fit Slack's 3,000 characters each. */
function groupIntoSections(paragraphs: string[]): string[] {
  const sections: string[] = [];
  let current = '';
  for (const p of paragraphs) {
    if (current && current.length + 2 + p.length > MAX_SECTION) {
      sections.push(current);
      current = '';
    }
    current = current ? `${current}\n\n${p}` : p;
  }
  if (current) sections.push(current);
  return sections;
}
