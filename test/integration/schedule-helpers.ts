// Shared set-up for the schedule tests (nudges, follow-ups, digests, delivery): the roster fixture
// with enrolments that started on a known Monday, evidence logged at a chosen instant, the jobs run
// as the scheduler and the CLI run them, and the outbox delivered to fake Slack and Teams ports.
import { followupsJob } from '../../jobs/followups.ts';
import { digestsJob } from '../../jobs/digests.ts';
import { nudgesJob } from '../../jobs/nudges.ts';
import type { JobDefinition } from '../../jobs/types.ts';
import type { MessageAction } from '../../src/ports/message.ts';
import type { ActorRef } from '../../src/services/kernel/context.ts';
import { deliverOutbox, type ChatPorts } from '../../src/services/outbox/deliver-outbox.ts';
import { recordEvidence } from '../../src/services/evidence/record-evidence.ts';
import { createTestContext, loadRoster, type TestContext } from '../helpers/context.ts';
import type { Backend } from '../helpers/db.ts';
import { FakeChatPort, messageText, type SentMessage } from '../helpers/fake-chat.ts';

/** Every enrolment in these tests started on Monday 16 November 2026, in the evening (after that day's check-ins). */
export const START = new Date('2026-11-16T20:00:00Z');

export interface ScheduleTest {
  t: TestContext;
  slack: FakeChatPort;
  teams: FakeChatPort;
  ports: ChatPorts;
}

export async function scheduleTest(backend: Backend): Promise<ScheduleTest> {
  const t = await createTestContext(backend);
  t.clock.set(START);
  await loadRoster(t.ctx);
  await t.db.prisma.enrolment.updateMany({ data: { startedAt: START } });
  const slack = new FakeChatPort('slack');
  const teams = new FakeChatPort('teams');
  return { t, slack, teams, ports: { slack, teams } };
}

let seq = 0;

/** Records evidence as `actor` at `when` (its createdAt too: the nudge rule reads it). */
export async function logAt(s: ScheduleTest, actor: ActorRef, text: string, when: string | Date) {
  s.t.clock.set(when);
  const r = await recordEvidence(s.t.ctx, { actor, idempotencyKey: `sched-${++seq}`, source: 'slack', text });
  await s.t.db.prisma.entry.update({ where: { id: r.entry.id }, data: { createdAt: new Date(when) } });
  return r.entry;
}

/** Runs a job as the scheduler would at `when`. */
export async function runJob(s: ScheduleTest, job: JobDefinition, when: string | Date) {
  const now = new Date(when);
  s.t.clock.set(now);
  return job.run({ ctx: s.t.ctx, ports: s.ports }, now);
}

export const jobs = { nudges: nudgesJob, followups: followupsJob, digests: digestsJob };

/** Delivers what is due at `when` and returns what this pass posted, on both platforms. */
export async function deliverAt(s: ScheduleTest, when: string | Date, ports: ChatPorts = s.ports): Promise<SentMessage[]> {
  const before = new Map(Object.entries(ports).map(([k, p]) => [k, (p as FakeChatPort).sent?.length ?? 0]));
  await deliverOutbox(s.t.ctx, ports, { now: new Date(when) });
  return Object.entries(ports).flatMap(([k, p]) => ((p as FakeChatPort).sent ?? []).slice(before.get(k)));
}

export const to = (list: SentMessage[], userId: string) => list.filter((m) => m.to.userExternalId === userId);
export const text = (m: SentMessage) => messageText(m.message);
/** Only the check-in nudges (not the notices about entries that also went out). */
export const nudges = (list: SentMessage[]) => list.filter((m) => m.message.fallback.startsWith('Check-in:'));
export const actionsOf = (m: SentMessage): MessageAction[] => m.message.blocks.flatMap((b) => (b.type === 'actions' ? b.actions : []));
