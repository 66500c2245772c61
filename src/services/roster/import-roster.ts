// Loads the roster CSV (its columns are listed in README.md, "Loading people: the roster"): people,
// their roles, and each learner's links to assessor, manager and IQA and their optional units. Every
// row is checked first; refused rows are reported with the reason and the good ones go in. Rows may
// refer to people further down the file. Importing the same file twice changes nothing.
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { getQualification, DEFAULT_QUALIFICATION_ID, findUnit } from '../../catalogue/catalogue.ts';
import type { Prisma } from '../../db/generated/client.ts';
import { invalidInput } from '../../lib/errors.ts';
import type { ServiceContext } from '../kernel/context.ts';

const ROLES = ['learner', 'assessor', 'manager', 'iqa', 'admin'] as const;
type Role = (typeof ROLES)[number];

const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};
const blank = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : typeof v === 'string' ? v.trim() : v);

const ZRosterRow = z.object({
  platform: z.preprocess((v) => (typeof v === 'string' ? v.trim().toLowerCase() : v), z.enum(['slack', 'teams'], { error: 'platform must be slack or teams' })),
  user_id: z.preprocess(blank, z.string({ error: 'user_id is empty' }).max(100)),
  name: z.preprocess(blank, z.string({ error: 'name is empty' }).max(200)),
  role: z.preprocess(blank, z.string({ error: 'role is empty' })),
  assessor_id: z.preprocess(blank, z.string().optional()),
  manager_id: z.preprocess(blank, z.string().optional()),
  iqa_id: z.preprocess(blank, z.string().optional()),
  optional_units: z.preprocess(blank, z.string().optional()),
  timezone: z.preprocess(blank, z.string().refine(isTimeZone, 'timezone is not an IANA time zone (e.g. Europe/London)').optional()),
  email: z.preprocess(blank, z.email({ error: 'email is not an email address' }).optional()),
  qualified: z.preprocess(
    (v) => (typeof blank(v) === 'string' ? (blank(v) as string).toLowerCase() : undefined),
    z.enum(['yes', 'no', 'true', 'false', 'y', 'n'], { error: 'qualified must be yes or no' }).optional(),
  ),
  workspace: z.preprocess(blank, z.string().max(100).optional()),
});

interface RowPlan {
  line: number;
  platform: 'slack' | 'teams';
  workspace: string;
  userId: string;
  name: string;
  roles: Role[];
  email?: string;
  timezone?: string;
  qualified: boolean;
  links?: { assessorId?: string; managerId?: string; iqaId?: string; optionalUnits: string[] };
}

export interface RosterReport {
  created: number;
  updated: number;
  unchanged: number;
  refused: { line: number; userId?: string; reason: string }[];
}

const REQUIRED_COLUMNS = ['platform', 'user_id', 'name', 'role'];

export async function importRoster(ctx: ServiceContext, input: { csv: string; qualificationId?: string }): Promise<RosterReport> {
  let records: Record<string, string>[];
  try {
    records = parse(input.csv, { columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), skip_empty_lines: true, trim: true, bom: true, relax_column_count: true });
  } catch (err) {
    throw invalidInput(`The roster file is not valid CSV: ${(err as Error).message}`);
  }
  const header = records.length ? Object.keys(records[0]!) : (input.csv.split(/\r?\n/)[0] ?? '').split(',').map((c) => c.trim().toLowerCase());
  const missing = REQUIRED_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length) throw invalidInput(`The roster file has no ${missing.join(', ')} column${missing.length > 1 ? 's' : ''}. The header row must name: ${REQUIRED_COLUMNS.join(', ')} (and for learners assessor_id, manager_id, iqa_id, optional_units).`);

  const q = getQualification(input.qualificationId ?? DEFAULT_QUALIFICATION_ID);
  const report: RosterReport = { created: 0, updated: 0, unchanged: 0, refused: [] };
  const refuse = (line: number, reason: string, userId?: string) => report.refused.push({ line, userId, reason });

  // Pass 1: each row on its own.
  const plans: RowPlan[] = [];
  records.forEach((raw, i) => {
    const line = i + 2; // the header is line 1
    const parsed = ZRosterRow.safeParse(raw);
    if (!parsed.success) return refuse(line, parsed.error.issues[0]!.message, raw.user_id);
    const r = parsed.data;
    const roles = r.role.split(';').map((s) => s.trim().toLowerCase()).filter(Boolean);
    const unknown = roles.filter((x) => !(ROLES as readonly string[]).includes(x));
    if (unknown.length) return refuse(line, `unknown role "${unknown.join(';')}" (use ${ROLES.join(', ')}; several joined by ;)`, r.user_id);
    if (plans.some((p) => p.platform === r.platform && p.workspace === (r.workspace ?? '') && p.userId === r.user_id)) {
      return refuse(line, `user ${r.user_id} appears twice in the file; the first row was used`, r.user_id);
    }
    const plan: RowPlan = {
      line, platform: r.platform, workspace: r.workspace ?? '', userId: r.user_id, name: r.name, roles: roles as Role[],
      email: r.email, timezone: r.timezone, qualified: r.qualified === undefined ? true : ['yes', 'true', 'y'].includes(r.qualified),
    };
    if (plan.roles.includes('learner')) {
      const units: string[] = [];
      for (const token of (r.optional_units ?? '').split(';').map((s) => s.trim()).filter(Boolean)) {
        const unit = findUnit(q, token);
        if (!unit) return refuse(line, `unknown unit reference "${token}" in optional_units`, r.user_id);
        if (unit.group === 'mandatory') continue; // mandatory units are always included
        if (!units.includes(unit.ref)) units.push(unit.ref);
      }
      if (r.assessor_id && r.assessor_id === r.user_id) return refuse(line, 'a learner cannot be their own assessor', r.user_id);
      if (r.iqa_id && r.iqa_id === r.user_id) return refuse(line, 'a learner cannot be their own IQA', r.user_id);
      if (r.manager_id && r.manager_id === r.user_id) return refuse(line, 'a learner cannot be their own manager', r.user_id);
      if (r.iqa_id && r.assessor_id && r.iqa_id === r.assessor_id) return refuse(line, 'the IQA must not also be the learner\'s assessor', r.user_id);
      if (r.manager_id && r.assessor_id && r.manager_id === r.assessor_id) return refuse(line, 'the learner\'s manager must not also be their assessor (a personal interest in the result)', r.user_id);
      plan.links = { assessorId: r.assessor_id, managerId: r.manager_id, iqaId: r.iqa_id, optionalUnits: units };
    }
    plans.push(plan);
  });

  // Pass 2: links point at people in the file or already on the roster, with the right role.
  const existing = await ctx.db.person.findMany({
    where: { erasedAt: null, externalId: { in: [...new Set(plans.flatMap((p) => [p.links?.assessorId, p.links?.managerId, p.links?.iqaId]).filter((x): x is string => !!x))] } },
    include: { workspace: true },
  });
  const lookup = (id: string, near: RowPlan) => {
    const inFile = plans.filter((p) => p.userId === id);
    const inDb = existing.filter((p) => p.externalId === id).map((p) => ({ platform: p.platform, workspace: p.workspace.externalId, userId: p.externalId, roles: p.roles as Role[] }));
    const all = [...inFile, ...inDb];
    // Same platform and workspace first: IDs are only unique within one.
    return all.find((p) => p.platform === near.platform && p.workspace === near.workspace) ?? all[0];
  };
  const good: RowPlan[] = [];
  for (const plan of plans) {
    const links = plan.links;
    let reason: string | undefined;
    if (links) {
      for (const [col, id, role] of [['assessor_id', links.assessorId, 'assessor'], ['manager_id', links.managerId, 'manager'], ['iqa_id', links.iqaId, 'iqa']] as const) {
        if (!id) continue;
        const target = lookup(id, plan);
        if (!target) { reason = `${col} ${id}: no such person in the file or on the roster`; break; }
        if (!target.roles.includes(role)) { reason = `${col} ${id} is not an ${role === 'iqa' ? 'IQA' : role} (their role is ${target.roles.join(';')})`; break; }
      }
      // A row refused in pass 1 that others point at is reported there; links to it fail here.
    }
    if (reason) refuse(plan.line, reason, plan.userId);
    else good.push(plan);
  }
  // Links to a row refused just now must fail too (one level is enough: refusals only come from links).
  const refusedIds = new Set(report.refused.map((r) => r.userId).filter(Boolean));
  const accepted = good.filter((plan) => {
    const l = plan.links;
    const bad = l && [l.assessorId, l.managerId, l.iqaId].find((id) => id && refusedIds.has(id) && !existing.some((e) => e.externalId === id));
    if (bad) refuse(plan.line, `${bad} is refused in this file, so this learner cannot be linked to them`, plan.userId);
    return !bad;
  });

  await ctx.db.$transaction(async (tx) => {
    const ids = new Map<string, string>();
    const unchangedPeople = new Set<string>();
    const key = (platform: string, workspace: string, userId: string) => `${platform}|${workspace}|${userId}`;
    for (const p of accepted) {
      const ws = await tx.workspace.upsert({
        where: { platform_externalId: { platform: p.platform, externalId: p.workspace } },
        create: { platform: p.platform, externalId: p.workspace },
        update: {},
      });
      const data = { name: p.name, email: p.email ?? null, timezone: p.timezone ?? null, roles: p.roles, qualified: p.qualified, platform: p.platform };
      const before = await tx.person.findUnique({ where: { workspaceId_externalId: { workspaceId: ws.id, externalId: p.userId } } });
      if (!before) {
        const created = await tx.person.create({ data: { ...data, workspaceId: ws.id, externalId: p.userId } });
        ids.set(key(p.platform, p.workspace, p.userId), created.id);
        report.created++;
      } else {
        ids.set(key(p.platform, p.workspace, p.userId), before.id);
        const same = before.name === data.name && before.email === data.email && before.timezone === data.timezone
          && before.qualified === data.qualified && before.roles.join(';') === data.roles.join(';') && before.erasedAt === null;
        if (same) {
          report.unchanged++;
          unchangedPeople.add(before.id);
        }
        else {
          await tx.person.update({ where: { id: before.id }, data: { ...data, erasedAt: null } });
          report.updated++;
        }
      }
    }
    const resolveId = async (id: string | undefined, near: RowPlan) => {
      if (!id) return null;
      const t = lookup(id, near)!;
      const known = ids.get(key(t.platform, t.workspace, t.userId));
      if (known) return known;
      const ws = await tx.workspace.findUniqueOrThrow({ where: { platform_externalId: { platform: t.platform, externalId: t.workspace } } });
      return (await tx.person.findUniqueOrThrow({ where: { workspaceId_externalId: { workspaceId: ws.id, externalId: t.userId } } })).id;
    };
    for (const p of accepted) {
      if (!p.links) continue;
      const learnerId = ids.get(key(p.platform, p.workspace, p.userId))!;
      const links: Prisma.EnrolmentUncheckedUpdateInput & { optionalUnits: string[] } = {
        assessorId: await resolveId(p.links.assessorId, p),
        managerId: await resolveId(p.links.managerId, p),
        iqaId: await resolveId(p.links.iqaId, p),
        optionalUnits: p.links.optionalUnits,
      };
      const enrolment = await tx.enrolment.findUnique({ where: { learnerId_qualificationId: { learnerId, qualificationId: q.id } } });
      if (!enrolment) {
        await tx.enrolment.create({ data: { learnerId, qualificationId: q.id, ...links } as Prisma.EnrolmentUncheckedCreateInput });
        await tx.learnerSettings.upsert({ where: { personId: learnerId }, create: { personId: learnerId }, update: {} });
      } else if (
        enrolment.assessorId !== links.assessorId || enrolment.managerId !== links.managerId || enrolment.iqaId !== links.iqaId
        || enrolment.optionalUnits.join(';') !== links.optionalUnits.join(';')
      ) {
        await tx.enrolment.update({ where: { id: enrolment.id }, data: links });
        // The person row was the same but their links changed: that is an update too.
        if (unchangedPeople.delete(learnerId)) {
          report.unchanged--;
          report.updated++;
        }
      }
    }
  }, { timeout: 60_000 });

  ctx.log.info({ created: report.created, updated: report.updated, unchanged: report.unchanged, refused: report.refused.length }, 'roster imported');
  return report;
}
