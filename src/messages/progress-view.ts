// Progress as a message: a text progress bar per unit, credits towards 28, and what is still
// missing in the unit closest to complete. Shared by Slack, Teams and the App Home.
import type { Progress } from '../domain/progress.ts';
import { progressBar, type ChatMessage, type MessageBlock } from '../ports/message.ts';

export function progressMessage(p: Progress, learnerName: string): ChatMessage {
  const blocks: MessageBlock[] = [
    { type: 'header', text: `Progress: ${learnerName}` },
    {
      type: 'progress', label: 'Credits', done: p.creditsAchieved, total: p.creditsRequired,
      note: `${p.creditsAchieved} of ${p.creditsRequired} credits · mandatory units ${p.mandatoryComplete ? 'complete' : 'in progress'} · optional ${p.optionalCreditsAchieved}/${p.optionalCreditsRequired}`,
    },
  ];
  for (const u of p.units) {
    const pending = u.pending ? `, ${u.pending} pending` : '';
    const sim = u.simulationWarning ? ` · ⚠ ${u.simulatedEntries} of ${u.entries} entries simulated` : '';
    blocks.push({
      type: 'progress',
      label: `U${u.unit.number} ${u.unit.ref} ${u.unit.title}${u.unit.group === 'mandatory' ? '' : ' (optional)'}`,
      done: u.approved,
      total: u.total,
      note: `${progressBar(u.approved, u.total)} ${u.approved}/${u.total} approved${pending}${u.complete ? ' · complete ✓' : ''} · ${u.unit.credits} credits${sim}`,
    });
  }
  if (p.closestUnit) {
    const missing = p.closestUnit.criteria.filter((c) => c.state === 'none').slice(0, 5);
    if (missing.length) {
      blocks.push({ type: 'divider' });
      blocks.push({
        type: 'text',
        text: `Closest to complete: U${p.closestUnit.unit.number} ${p.closestUnit.unit.title}. Still without evidence:\n${missing
          .map((c) => `• #U${p.closestUnit!.unit.number}:${c.number} ${c.text}`)
          .join('\n')}`,
      });
    }
  }
  if (p.rulesMet) blocks.push({ type: 'text', text: 'All rules of combination are met: ready for certification.', bold: true });
  return { fallback: `${p.creditsAchieved} of ${p.creditsRequired} credits`, blocks };
}
