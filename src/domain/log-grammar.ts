// Parses the text of `/evidence log TEXT` (and the Teams equivalent) into its parts: criterion tags
// (#U7:2.1, #K/507/0949:1.4), follow-up:, with:, mins:, simulated, placement:yes. The rest is the
// summary, kept as the learner wrote it. Pure: resolving tags against the catalogue is the service's.
import { invalidInput } from '../lib/errors.ts';
import { isOtjMinutes, MAX_MINUTES, MIN_MINUTES } from './otj-minutes.ts';
import { cleanText } from './text.ts';

export interface CriterionTag {
  /** As typed: "U7", "k/507/0949". */
  unit: string;
  /** "2.1" */
  number: string;
  /** The tag as it appeared, for error messages. */
  raw: string;
}

export type FollowUp = { kind: 'date'; date: string } | { kind: 'in'; days: number };

export interface ParsedLog {
  summary: string;
  tags: CriterionTag[];
  followUp?: FollowUp;
  contactName?: string;
  minutes?: number;
  simulated: boolean;
  placement: boolean;
}

export const MAX_SUMMARY = 2500;
export { MAX_MINUTES };

// A quoted value may use straight or typographic quotes (phones and macOS "smart" them). A
// typographic opening quote also ends the search for its closing one: otherwise every unclosed “
// would be followed to the end of the text, and many of them take quadratic time.
const QUOTED = String.raw`"(?<q1>[^"]*)"|“(?<q2>[^”“]*)”|'(?<q3>[^']*)'|‘(?<q4>[^’‘]*)’`;
const TOKEN = new RegExp(
  [
    String.raw`#(?<tagUnit>[a-z]\/\d{3}\/\d{4}|u\d{1,3})(?::(?<tagNum>[^\s,;]*))?`,
    String.raw`\b(?:follow-?up):(?<follow>\S*)`,
    String.raw`\bwith:(?:${QUOTED}|(?<withBare>\S*))`,
    String.raw`\bmins?:(?<mins>\S*)`,
    String.raw`(?<![\w-])(?<sim>simulated|simulation)(?![\w-])`,
    String.raw`\bplacement:(?<placement>\S*)`,
  ].join('|'),
  'giu',
);

const HELP_TAG = 'Tag criteria like `#U7:2.1` or `#K/507/0949:1.4` (unit, colon, criterion).';

/**
 * Parses one log text; throws AppError('invalid_input') with a message saying how to fix it. The
 * summary comes back without control or bidirectional-override characters (text.ts).
 */
export function parseLogText(raw: string): ParsedLog {
  const text = cleanText(raw);
  const tags: CriterionTag[] = [];
  let followUp: FollowUp | undefined;
  let contactName: string | undefined;
  let minutes: number | undefined;
  let simulated = false;
  let placement = false;

  /** One token's meaning; what stands in for it in the summary. */
  const read = (match: string, g: Record<string, string | undefined>): string => {
    if (g.tagUnit !== undefined) {
      const number = (g.tagNum ?? '').replace(/\.$/, '');
      if (!/^\d+\.\d+$/.test(number)) {
        throw invalidInput(`\`${match}\` is missing its criterion number. ${HELP_TAG}`);
      }
      const unit = g.tagUnit;
      if (!tags.some((t) => t.unit.toUpperCase() === unit.toUpperCase() && t.number === number)) {
        tags.push({ unit, number, raw: match });
      }
      return ' ';
    }
    if (g.follow !== undefined) {
      followUp = parseFollowUp(g.follow);
      return ' ';
    }
    if (match.toLowerCase().startsWith('with:')) {
      const name = (g.withBare ?? g.q1 ?? g.q2 ?? g.q3 ?? g.q4 ?? '').trim();
      if (!name) throw invalidInput('`with:` needs a contact name: `with:Sam` or `with:"Sam Taylor"`.');
      contactName = name;
      return ' ';
    }
    if (g.mins !== undefined) {
      const n = Number(g.mins);
      if (!isOtjMinutes(n)) {
        throw invalidInput(`\`${match}\` should be whole minutes between ${MIN_MINUTES} and ${MAX_MINUTES}, like \`mins:45\`.`);
      }
      minutes = n;
      return ' ';
    }
    if (g.sim !== undefined) {
      simulated = true;
      return ' ';
    }
    if (g.placement !== undefined) {
      const v = g.placement.toLowerCase();
      if (v !== 'yes' && v !== 'no') throw invalidInput(`\`${match}\` should be \`placement:yes\` (this evidence is a placement: check-ins follow) or \`placement:no\`.`);
      placement = v === 'yes';
      return ' ';
    }
    return match;
  };
  // An exec loop, not replace() with a function: that builds every match's arguments and named
  // groups before the first is read, several times the cost on a text made of thousands of tokens.
  let summary = '';
  let at = 0;
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(text); m; m = TOKEN.exec(text)) {
    summary += text.slice(at, m.index) + read(m[0], m.groups ?? {});
    at = TOKEN.lastIndex;
  }
  summary += text.slice(at);

  const cleaned = tidy(summary);
  if (!cleaned) {
    throw invalidInput('Say what happened as well as the tags, for example: `/evidence log Called Sam a week after placement to check in #U7:2.1`');
  }
  if (cleaned.length > MAX_SUMMARY) {
    throw invalidInput(`That summary is ${cleaned.length} characters; please keep it under ${MAX_SUMMARY} (split it into two entries).`);
  }
  if (tags.length === 0) {
    throw invalidInput(`Which criteria does this evidence? ${HELP_TAG} Browse them with \`/evidence criteria\`.`);
  }
  return { summary: cleaned, tags, followUp, contactName, minutes, simulated, placement };
}

/** Removes the gaps the tokens left, keeping the learner's own line breaks. */
function tidy(text: string): string {
  return text
    .split('\n')
    // Spaces before punctuation are matched from the start of their run only: tried from inside
    // it too, a long run of spaces not followed by punctuation takes quadratic time.
    .map((line) => line.replace(/[ \t]{2,}/g, ' ').replace(/(?<!\s)\s+([,.;:!?])/g, '$1').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export function parseFollowUp(value: string): FollowUp {
  const v = value.trim().toLowerCase();
  const rel = /^(\d{1,3})([dw])$/.exec(v);
  if (rel) {
    const days = Number(rel[1]) * (rel[2] === 'w' ? 7 : 1);
    if (days >= 1 && days <= 366) return { kind: 'in', days };
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(v) && isRealDate(v)) return { kind: 'date', date: v };
  throw invalidInput(
    `\`follow-up:${value}\` is not a date I understand. Use a date (\`follow-up:2026-12-01\`) or a delay (\`follow-up:7d\`, \`follow-up:2w\`).`,
  );
}

export function isRealDate(ymd: string): boolean {
  const d = new Date(`${ymd}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === ymd;
}
