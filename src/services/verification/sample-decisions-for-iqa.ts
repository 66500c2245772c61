// The weekly IQA sample: for the last complete ISO week, a share of every assessor's decisions
// that took effect (the workspace's iqaSampleRate, at least one each) goes to the learner's IQA —
// never to the person who made or countersigned the decision: then another IQA of the workspace
// is chosen, and with none the admins are told. The choice is deterministic and IqaSample is
// unique per decision, so a rerun, or two replicas racing, send nothing twice; a JobRun row per
// week records that the week is done.
import { randomUUID } from 'node:crypto';
import { chooseSample, previousIsoWeek } from '../../domain/iqa-sampling.ts';
import { iqaSampleMessage } from '../../messages/iqa-sample-card.ts';
import { OUTCOME_LABEL } from '../../messages/decision-notices.ts';
import { isUniqueViolation, loadDecisionView } from './assessment-access.ts';
import type { ServiceContext } from '../kernel/context.ts';
import { timeZoneOf } from '../kernel/identify-person.ts';
import { enqueue } from '../outbox/outbox.ts';
import { loadEntryView } from '../evidence/entry-view.ts';

export const IQA_JOB = 'iqa-sampling';

export interface IqaSamplingReport {
  week: string;
  /** The week was sampled before: nothing was done. */
  alreadyDone?: boolean;
  decisions: number;
  chosen: number;
  sent: number;
  /** Chosen but already sampled (a rerun after a crash). */
  existing: number;
  /** Chosen but no IQA could take it (the admins were told). */
  noIqa: number;
}

export async function sampleDecisionsForIqa(ctx: ServiceContext, input: { now: Date }): Promise<IqaSamplingReport> {
  const { week, start, end } = previousIsoWeek(input.now, ctx.defaultTimeZone);
  const report: IqaSamplingReport = { week, decisions: 0, chosen: 0, sent: 0, existing: 0, noIqa: 0 };
  const run = await ctx.db.jobRun.findUnique({ where: { job_slot: { job: IQA_JOB, slot: week } } });
  if (run?.finishedAt) return { ...report, alreadyDone: true };
  // An unfinished row is a run that crashed or is running elsewhere: carrying on is safe, because
  // the choice is the same and each decision can be sampled only once.
  if (!run) await ctx.db.jobRun.createMany({ data: [{ job: IQA_JOB, slot: week }], skipDuplicates: true });

  const decisions = await ctx.db.decision.findMany({
    where: {
      createdAt: { gte: start, lt: end },
      OR: [{ needsCountersign: false }, { countersignOutcome: 'countersigned' }],
      entry: { learner: { erasedAt: null } },
    },
    select: {
      id: true, assessorId: true, countersignedById: true, entryId: true,
      entry: { select: { learnerId: true, learner: { select: { workspaceId: true, workspace: { select: { iqaSampleRate: true } } } }, enrolment: { select: { iqaId: true } } } },
    },
    orderBy: { id: 'asc' },
  });
  report.decisions = decisions.length;
  const rate = new Map(decisions.map((d) => [d.assessorId, d.entry.learner.workspace.iqaSampleRate]));
  const chosen = chooseSample(decisions, (a) => rate.get(a) ?? 0.1, week);
  report.chosen = chosen.length;

  for (const d of chosen) {
    if (await ctx.db.iqaSample.findUnique({ where: { decisionId: d.id } })) {
      report.existing++;
      continue;
    }
    const iqa = await chooseIqa(ctx, d);
    if (!iqa) {
      report.noIqa++;
      await tellAdminsNoIqa(ctx, d.id, d.entry.learner.workspaceId);
      continue;
    }
    const sampleId = randomUUID();
    try {
      await ctx.db.$transaction(async (tx) => {
        await tx.iqaSample.create({ data: { id: sampleId, decisionId: d.id, iqaId: iqa.id, week } });
        await tx.entryEvent.create({ data: { entryId: d.entryId, actorId: null, action: 'iqa_sampled', note: `Sampled for IQA (${week}); sent to ${iqa.name}` } });
        const view = await loadEntryView({ db: tx as unknown as ServiceContext['db'] }, d.entryId);
        const dv = await loadDecisionView(tx, d.id);
        const purpose = `iqa_sample:${sampleId}`;
        await enqueue(tx, {
          dedupeKey: `iqa_sample:${d.id}`, recipientId: iqa.id, kind: 'iqa_sample',
          payload: { message: iqaSampleMessage(view, dv, { id: sampleId, week }, timeZoneOf(ctx, iqa)), purpose, entryId: d.entryId },
        });
      });
      report.sent++;
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      report.existing++; // another replica sampled it first
    }
  }
  await ctx.db.jobRun.update({
    where: { job_slot: { job: IQA_JOB, slot: week } },
    data: { finishedAt: ctx.clock.now(), summary: { ...report } },
  });
  if (report.sent) ctx.kickOutbox();
  ctx.log.info({ ...report }, 'IQA sample drawn');
  return report;
}

type Chosen = { id: string; assessorId: string; countersignedById: string | null; entry: { learnerId: string; learner: { workspaceId: string }; enrolment: { iqaId: string | null } } };

/** The learner's IQA, unless they took part in the decision; then another IQA of the workspace. */
async function chooseIqa(ctx: ServiceContext, d: Chosen) {
  const involved = [d.assessorId, d.countersignedById, d.entry.learnerId].filter((x): x is string => !!x);
  if (d.entry.enrolment.iqaId && !involved.includes(d.entry.enrolment.iqaId)) {
    const own = await ctx.db.person.findFirst({ where: { id: d.entry.enrolment.iqaId, erasedAt: null }, select: { id: true, name: true, timezone: true } });
    if (own) return own;
  }
  return ctx.db.person.findFirst({
    where: { workspaceId: d.entry.learner.workspaceId, roles: { has: 'iqa' }, erasedAt: null, id: { notIn: involved } },
    select: { id: true, name: true, timezone: true },
    orderBy: [{ name: 'asc' }, { id: 'asc' }],
  });
}

async function tellAdminsNoIqa(ctx: ServiceContext, decisionId: string, workspaceId: string) {
  const dv = await loadDecisionView(ctx.db, decisionId);
  const admins = await ctx.db.person.findMany({ where: { workspaceId, roles: { has: 'admin' }, erasedAt: null }, select: { id: true } });
  const text = `A decision by ${dv.assessorName} (${OUTCOME_LABEL[dv.outcome]}) was chosen for IQA sampling, but no IQA other than the people who made it is on the roster. Add an IQA (role iqa) or link the learner to one (iqa_id).`;
  const n = await enqueue(ctx.db, admins.map((a) => ({
    dedupeKey: `iqa_sample:${decisionId}:no-iqa:${a.id}`, recipientId: a.id, kind: 'admin_no_iqa',
    payload: { purpose: 'admin_alert', message: { fallback: 'An IQA sample has nobody to review it', blocks: [{ type: 'text' as const, text }] } },
  })));
  if (n) ctx.kickOutbox();
  ctx.log.warn({ decisionId, workspaceId }, 'IQA sample has no eligible IQA');
}
