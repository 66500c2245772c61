// The check-in nudge: sent only to a learner who has logged nothing since their last check-in, it
// says what would help most now (the unit closest to covered and its criteria with no evidence,
// units not started, follow-ups due) and has a "Log evidence" button.
import { describeSchedule, type CheckInSchedule } from '../domain/schedule.ts';
import type { Progress } from '../domain/progress.ts';
import { formatDate } from '../lib/time.ts';
import { progressBar, type ChatMessage, type MessageBlock } from '../ports/message.ts';
import { unitToWorkOn } from '../domain/progress-summary.ts';

export const LOG_EVIDENCE_ACTION = 'evidence.open_form';

export interface NudgeContent {
  learnerName: string;
  progress: Progress;
  followUpsDue: number;
  oldestFollowUpDue?: Date | null;
  schedule: CheckInSchedule;
  tz: string;
  /** The learner has never logged anything (nothing to say "since"). */
  first?: boolean;
}

const shorten = (t: string, max = 70) => (t.length > max ? `${t.slice(0, max - 1)}…` : t);

export function nudgeMessage(c: NudgeContent): ChatMessage {
  const first = c.learnerName.split(/\s+/)[0] || c.learnerName;
  const p = c.progress;
  const tips: string[] = [];
  const unit = unitToWorkOn(p);
  if (unit) {
    const missing = unit.criteria.filter((x) => x.state === 'none');
    const list = missing.slice(0, 3).map((x) => `  #U${unit.unit.number}:${x.number} ${shorten(x.text)}`).join('\n');
    const more = missing.length > 3 ? `\n  …and ${missing.length - 3} more (\`/evidence criteria U${unit.unit.number}\`)` : '';
    tips.push(`• U${unit.unit.number} ${unit.unit.title}: ${unit.approved + unit.pending} of ${unit.total} criteria have evidence. Still without any:\n${list}${more}`);
  }
  const untouched = p.units.filter((u) => u !== unit && u.approved + u.pending === 0);
  if (untouched.length) {
    const names = untouched.slice(0, 6).map((u) => `U${u.unit.number}`).join(', ');
    tips.push(`• ${untouched.length === 1 ? 'One unit has' : `${untouched.length} units have`} no evidence yet: ${names}${untouched.length > 6 ? ', …' : ''}.`);
  }
  if (c.followUpsDue > 0) {
    const since = c.oldestFollowUpDue ? ` (the oldest was due ${formatDate(c.oldestFollowUpDue, c.tz)})` : '';
    tips.push(`• ${c.followUpsDue === 1 ? 'A follow-up is' : `${c.followUpsDue} follow-ups are`} due${since}: log how it went.`);
  }
  if (!tips.length) tips.push('• Every criterion of your units has evidence: keep logging your work so your assessor can sign it off.');

  const blocks: MessageBlock[] = [
    { type: 'text', text: `Hi ${first}, time for your check-in: ${c.first ? 'nothing has been logged yet' : 'nothing has been logged since the last one'}.`, bold: true },
    { type: 'text', text: `What would help most now:\n${tips.join('\n')}` },
    {
      type: 'progress', label: 'Credits', done: p.creditsAchieved, total: p.creditsRequired,
      note: `${progressBar(p.creditsAchieved, p.creditsRequired)} ${p.creditsAchieved} of ${p.creditsRequired} credits`,
    },
    { type: 'actions', actions: [{ id: LOG_EVIDENCE_ACTION, label: 'Log evidence', value: 'nudge', style: 'primary' }] },
    { type: 'context', text: `Check-ins ${describeSchedule(c.schedule)} (${c.tz}). \`/evidence settings\` changes them; \`/evidence snooze 3d\` gives you a few days off.` },
  ];
  return { fallback: `Check-in: nothing logged since your last check-in. ${p.creditsAchieved} of ${p.creditsRequired} credits.`, blocks };
}
