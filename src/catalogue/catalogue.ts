// The qualification catalogue: the one place that loads the reviewed qualification files in ./data,
// validates them, and answers look-ups of units and assessment criteria (including suggestions for mistyped tags).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

// Every *.json file here is one qualification; adding a qualification means dropping a file in.
// Resolved from this module's own URL so it works under tsx and vitest alike.
const DATA_DIR = fileURLToPath(new URL('./data', import.meta.url));

/** The qualification the bot serves when none is named (Highfield L2 NVQ Recruitment Resourcing). */
export const DEFAULT_QUALIFICATION_ID = '601/7920/X';

const ZText = z.string().trim().min(1);
const ZCount = z.number().int().nonnegative();

export const ZCriterion = z.strictObject({
  /** As printed in the specification without the trailing dot: "1.1", "3.10". */
  number: z.string().regex(/^[1-9]\d*\.[1-9]\d*$/, 'criterion number must look like "1.1"'),
  text: ZText,
});

export const ZLearningOutcome = z.strictObject({
  number: z.number().int().positive(),
  text: ZText,
  criteria: z.array(ZCriterion).min(1),
});

export const ZUnit = z.strictObject({
  /** Ofqual unit reference, e.g. "K/507/0949". */
  ref: z.string().regex(/^[A-Z]\/\d{3}\/\d{4}$/, 'unit ref must look like "K/507/0949"'),
  /** The unit's number in the specification ("Unit 7:"), used in tags as U7. */
  number: z.number().int().positive(),
  title: ZText,
  level: z.number().int().min(1).max(8),
  glh: ZCount,
  credits: z.number().int().positive(),
  /** Id of one of the qualification's rule groups. */
  group: ZText,
  assessmentGuidance: ZText.optional(),
  outcomes: z.array(ZLearningOutcome).min(1),
});

const ZGroupBase = { id: ZText, title: ZText, description: ZText };

export const ZUnitGroup = z.discriminatedUnion('rule', [
  /** Every unit in the group is required; `credits` is their total. */
  z.strictObject({ ...ZGroupBase, rule: z.literal('all'), credits: z.number().int().positive() }),
  /** At least `minimumCredits` from the units in the group. */
  z.strictObject({ ...ZGroupBase, rule: z.literal('minimumCredits'), minimumCredits: z.number().int().positive() }),
]);

export const ZQualification = z
  .strictObject({
    id: ZText,
    slug: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'slug must be kebab-case'),
    title: ZText,
    awardingBody: ZText,
    learningAimReference: ZText,
    level: z.number().int().min(1).max(8),
    glh: ZCount,
    tqt: ZCount,
    assessmentMethod: ZText,
    rules: z.strictObject({
      minimumCredits: z.number().int().positive(),
      groups: z.array(ZUnitGroup).min(1),
    }),
    /** In specification order. */
    units: z.array(ZUnit).min(1),
  })
  .superRefine((q, ctx) => {
    const issue = (message: string, path: (string | number)[]) => ctx.addIssue({ code: 'custom', message, path });

    const groupIds = new Set<string>();
    q.rules.groups.forEach((g, i) => {
      if (groupIds.has(g.id)) issue(`duplicate group id "${g.id}"`, ['rules', 'groups', i, 'id']);
      groupIds.add(g.id);
    });

    const refs = new Map<string, number>();
    const numbers = new Map<number, number>();
    q.units.forEach((u, ui) => {
      const at = ['units', ui];
      const prevRef = refs.get(u.ref);
      if (prevRef !== undefined) issue(`duplicate unit ref ${u.ref} (also units[${prevRef}])`, [...at, 'ref']);
      refs.set(u.ref, ui);
      const prevNumber = numbers.get(u.number);
      if (prevNumber !== undefined) issue(`duplicate unit number ${u.number} (also units[${prevNumber}])`, [...at, 'number']);
      numbers.set(u.number, ui);
      if (!groupIds.has(u.group)) issue(`unit ${u.ref} is in unknown group "${u.group}"`, [...at, 'group']);

      const outcomeNumbers = new Set<number>();
      const criterionNumbers = new Set<string>();
      u.outcomes.forEach((o, oi) => {
        if (outcomeNumbers.has(o.number)) issue(`unit ${u.ref}: duplicate outcome ${o.number}`, [...at, 'outcomes', oi, 'number']);
        outcomeNumbers.add(o.number);
        o.criteria.forEach((c, ci) => {
          const path = [...at, 'outcomes', oi, 'criteria', ci, 'number'];
          if (!c.number.startsWith(`${o.number}.`)) issue(`unit ${u.ref}: criterion ${c.number} is not under outcome ${o.number}`, path);
          if (criterionNumbers.has(c.number)) issue(`unit ${u.ref}: duplicate criterion ${c.number}`, path);
          criterionNumbers.add(c.number);
        });
      });
    });

    // Credit rules must add up, and the qualification must be achievable from its own units.
    let required = 0;
    q.rules.groups.forEach((g, gi) => {
      const credits = q.units.filter((u) => u.group === g.id).reduce((sum, u) => sum + u.credits, 0);
      if (g.rule === 'all') {
        required += g.credits;
        if (credits !== g.credits) issue(`group "${g.id}": units add up to ${credits} credits, the group says ${g.credits}`, ['rules', 'groups', gi, 'credits']);
      } else {
        required += g.minimumCredits;
        if (credits < g.minimumCredits) issue(`group "${g.id}": units offer ${credits} credits, fewer than the ${g.minimumCredits} required`, ['rules', 'groups', gi, 'minimumCredits']);
      }
    });
    const total = q.units.reduce((sum, u) => sum + u.credits, 0);
    if (total < q.rules.minimumCredits) issue(`units offer ${total} credits, fewer than the ${q.rules.minimumCredits} required`, ['rules', 'minimumCredits']);
    if (required > q.rules.minimumCredits) issue(`groups require ${required} credits, more than the qualification minimum ${q.rules.minimumCredits}`, ['rules', 'minimumCredits']);
  });

export type Criterion = z.infer<typeof ZCriterion>;
export type LearningOutcome = z.infer<typeof ZLearningOutcome>;
export type Unit = z.infer<typeof ZUnit>;
export type UnitGroup = z.infer<typeof ZUnitGroup>;
export type Qualification = z.infer<typeof ZQualification>;

/** A criterion as stored elsewhere (database rows, tags): the unit's Ofqual ref and the criterion number. */
export type CriterionRef = { unitRef: string; number: string };

/** A criterion together with where it sits in the qualification. */
export type ResolvedCriterion = Criterion & { unitRef: string; unitNumber: number; unitTitle: string; outcomeNumber: number };

/** Parses and checks one qualification; throws an Error listing every problem. The result is deep-frozen. */
export function validateQualification(raw: unknown): Qualification {
  const parsed = ZQualification.safeParse(raw);
  if (!parsed.success) throw new Error(`invalid qualification:\n${z.prettifyError(parsed.error)}`);
  return deepFreeze(parsed.data);
}

/** Reads and validates every *.json in `dir` (sorted by file name). Uncached: use listQualifications(). */
export function loadQualifications(dir: string = DATA_DIR): Qualification[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  if (files.length === 0) throw new Error(`no qualification files in ${dir}`);
  const out: Qualification[] = [];
  for (const file of files) {
    let q: Qualification;
    try {
      q = validateQualification(JSON.parse(readFileSync(join(dir, file), 'utf8')));
    } catch (err) {
      throw new Error(`catalogue file ${file}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    const clash = out.find((o) => o.id === q.id || o.slug === q.slug);
    if (clash) throw new Error(`catalogue file ${file}: id or slug already used by ${clash.id}`);
    out.push(q);
  }
  return out;
}

let cache: readonly Qualification[] | undefined;

/** Every qualification in the catalogue, loaded and checked once per process. */
export function listQualifications(): Qualification[] {
  cache ??= Object.freeze(loadQualifications());
  return [...cache];
}

/**
 * The qualification with this id (Ofqual number, e.g. "601/7920/X") or slug, case-insensitive.
 * Without an id: DEFAULT_QUALIFICATION_ID if present, else the first file. Throws on an unknown id.
 */
export function getQualification(id?: string): Qualification {
  const all = listQualifications();
  if (id === undefined) {
    const q = all.find((x) => x.id === DEFAULT_QUALIFICATION_ID) ?? all[0];
    if (!q) throw new Error('the catalogue is empty');
    return q;
  }
  const wanted = id.trim().toLowerCase();
  const q = all.find((x) => x.id.toLowerCase() === wanted || x.slug === wanted);
  if (!q) throw new Error(`unknown qualification "${id}"`);
  return q;
}

/** "K/507/0949:1.1" */
export function criterionKey(ref: CriterionRef): string {
  return `${ref.unitRef}:${ref.number}`;
}

/** Inverse of criterionKey; throws on a malformed key. */
export function parseCriterionKey(key: string): CriterionRef {
  const m = /^([^:\s]+):(\d+\.\d+)$/.exec(key.trim());
  if (!m) throw new Error(`malformed criterion key "${key}"`);
  return { unitRef: m[1]!.toUpperCase(), number: m[2]! };
}

/** "U7 K/507/0949 Building and Maintaining Relationships with Candidates" */
export function unitLabel(unit: Unit): string {
  return `U${unit.number} ${unit.ref} ${unit.title}`;
}

const UNIT_NUMBER_TOKEN = /^u?(\d{1,4})$/i;

/** A unit by its Ofqual ref in any case ("k/507/0949"), its spec number with U ("U7", "u7") or bare ("7"). */
export function findUnit(q: Qualification, token: string): Unit | undefined {
  const t = token.trim();
  const byNumber = UNIT_NUMBER_TOKEN.exec(t);
  if (byNumber) return q.units.find((u) => u.number === Number(byNumber[1]));
  const ref = t.toUpperCase();
  return q.units.find((u) => u.ref === ref);
}

/** "1.1", "1.1." (as printed in the spec) and "01.1" all mean criterion 1.1; undefined if not of that shape. */
function normaliseCriterionNumber(number: string): string | undefined {
  const m = /^(\d+)\.(\d+)\.?$/.exec(number.trim());
  return m ? `${Number(m[1])}.${Number(m[2])}` : undefined;
}

function resolve(unit: Unit, outcome: LearningOutcome, c: Criterion): ResolvedCriterion {
  return { ...c, unitRef: unit.ref, unitNumber: unit.number, unitTitle: unit.title, outcomeNumber: outcome.number };
}

function unitCriteria(unit: Unit): ResolvedCriterion[] {
  return unit.outcomes.flatMap((o) => o.criteria.map((c) => resolve(unit, o, c)));
}

/** The criterion `number` of the unit named by `unitToken` (any findUnit form), or undefined. */
export function findCriterion(q: Qualification, unitToken: string, number: string): ResolvedCriterion | undefined {
  const unit = findUnit(q, unitToken);
  const n = normaliseCriterionNumber(number);
  if (!unit || !n) return undefined;
  for (const o of unit.outcomes) {
    const c = o.criteria.find((x) => x.number === n);
    if (c) return resolve(unit, o, c);
  }
  return undefined;
}

/** Every criterion in specification order, optionally only those of the given units (refs in any case). */
export function allCriteria(q: Qualification, unitRefs?: string[]): ResolvedCriterion[] {
  const only = unitRefs && new Set(unitRefs.map((r) => r.trim().toUpperCase()));
  return q.units.filter((u) => !only || only.has(u.ref)).flatMap(unitCriteria);
}

/**
 * Suggestions for a tag that named no criterion (`#U7:1.9`, `#K/507/0984:1.1`), best first, at most
 * `limit` (default 5), only from `unitRefs` when given (the learner's enrolled units). Deterministic:
 *
 * - The unit is found (and allowed): its own criteria, ranked by (1) same outcome first, (2) distance
 *   between outcome numbers, (3) distance between criterion numbers, (4) spec order. So U7:1.9 gives
 *   1.5, 1.4, 1.3, 1.2, 1.1, and U7:3.1 gives 2.1, 2.2, … (outcome 2 is nearest to 3). A number with no
 *   criterion part ("2") ranks outcome 2 first, in spec order; an unreadable number gives spec order.
 * - The unit is not found (or is not among `unitRefs`): units are ranked by closeness to the token
 *   (a numeric token "U20"/"20" by distance between unit numbers; anything else by edit distance,
 *   ignoring case and punctuation, to the unit's ref or to "U<number>", a swap of two adjacent
 *   characters counting as one edit), ties in spec order. The result is the criterion with exactly
 *   that number from each of the closest units that have it, up to `limit`; if none has it, the
 *   closest unit's criteria ranked as above.
 */
export function nearestCriteria(
  q: Qualification,
  unitToken: string,
  number: string,
  opts: { limit?: number; unitRefs?: string[] } = {},
): ResolvedCriterion[] {
  const limit = Math.max(0, opts.limit ?? 5);
  const allowed = opts.unitRefs && new Set(opts.unitRefs.map((r) => r.trim().toUpperCase()));
  const units = q.units.filter((u) => !allowed || allowed.has(u.ref));
  const target = parseLooseNumber(number);

  const found = findUnit(q, unitToken);
  if (found && units.includes(found)) return rankWithinUnit(found, target).slice(0, limit);

  const ranked = rankUnits(units, unitToken);
  const exact = normaliseCriterionNumber(number);
  const matches: ResolvedCriterion[] = [];
  if (exact) {
    for (const u of ranked) {
      if (matches.length >= limit) break;
      const c = unitCriteria(u).find((x) => x.number === exact);
      if (c) matches.push(c);
    }
  }
  if (matches.length > 0) return matches;
  const best = ranked[0];
  return best ? rankWithinUnit(best, target).slice(0, limit) : [];
}

type LooseNumber = { outcome: number; criterion: number } | undefined;

function parseLooseNumber(number: string): LooseNumber {
  const m = /^(\d+)(?:\.(\d+))?\.?$/.exec(number.trim());
  return m ? { outcome: Number(m[1]), criterion: m[2] === undefined ? 0 : Number(m[2]) } : undefined;
}

function rankWithinUnit(unit: Unit, target: LooseNumber): ResolvedCriterion[] {
  const list = unitCriteria(unit);
  if (!target) return list;
  const key = (c: ResolvedCriterion, index: number): number[] => {
    const criterion = Number(c.number.split('.')[1]);
    return [
      c.outcomeNumber === target.outcome ? 0 : 1,
      Math.abs(c.outcomeNumber - target.outcome),
      Math.abs(criterion - target.criterion),
      index,
    ];
  };
  return list
    .map((c, i) => ({ c, k: key(c, i) }))
    .sort((a, b) => compareKeys(a.k, b.k))
    .map((x) => x.c);
}

function rankUnits(units: Unit[], token: string): Unit[] {
  const t = token.trim();
  const numeric = UNIT_NUMBER_TOKEN.exec(t);
  const squash = (s: string) => s.toUpperCase().replace(/[^A-Z0-9]/g, '');
  const distance = (u: Unit): number =>
    numeric
      ? Math.abs(u.number - Number(numeric[1]))
      : Math.min(editDistance(squash(t), squash(u.ref)), editDistance(squash(t), `U${u.number}`));
  return units
    .map((u, i) => ({ u, k: [distance(u), i] }))
    .sort((a, b) => compareKeys(a.k, b.k))
    .map((x) => x.u);
}

function compareKeys(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Edit distance counting an insertion, deletion, substitution or swap of two adjacent characters as 1 (optimal string alignment). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number): number => d[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      d[i]![j] = best;
    }
  }
  return at(a.length, b.length);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
