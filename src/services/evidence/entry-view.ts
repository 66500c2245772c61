// The entry as every message about it shows it (the read model that the evidence, verification,
// schedules and privacy use cases share): loaded by ID, or built from a row already read.
import { findCriterion, getQualification } from '../../catalogue/catalogue.ts';
import type { EntryView } from '../../messages/entry-card.ts';
import type { ServiceContext } from '../kernel/context.ts';

/** Everything a message about an entry shows. */
export async function loadEntryView(ctx: Pick<ServiceContext, 'db'>, entryId: string): Promise<EntryView> {
  const e = await ctx.db.entry.findUniqueOrThrow({
    where: { id: entryId },
    include: { criteria: true, learner: { select: { name: true } }, enrolment: { select: { qualificationId: true } }, contact: { select: { name: true } } },
  });
  return toEntryView(e);
}

type EntryRow = NonNullable<Awaited<ReturnType<ServiceContext['db']['entry']['findFirst']>>> & {
  criteria: { unitRef: string; number: string }[];
  learner: { name: string };
  enrolment: { qualificationId: string };
  contact?: { name: string } | null;
};

export function toEntryView(e: EntryRow): EntryView {
  const q = getQualification(e.enrolment.qualificationId);
  const order = (c: { unitRef: string; number: string }) => {
    const r = findCriterion(q, c.unitRef, c.number);
    const [a, b] = c.number.split('.').map(Number) as [number, number];
    return (r?.unitNumber ?? 99) * 10_000 + a * 100 + b;
  };
  return {
    id: e.id, version: e.version, learnerName: e.learner.name, occurredAt: e.occurredAt, createdAt: e.createdAt,
    summary: e.summary, kind: e.kind, channel: e.channel, outcome: e.outcome, minutes: e.minutes, simulated: e.simulated,
    placement: e.placement, followUpAt: e.followUpAt, status: e.status, qualificationId: e.enrolment.qualificationId,
    contactName: e.contact?.name ?? null,
    criteria: [...e.criteria].sort((a, b) => order(a) - order(b)).map((c) => ({ unitRef: c.unitRef, number: c.number })),
  };
}

