// Splits what a person typed (`/evidence …` in Slack, a message to the bot in Teams) into a
// subcommand and its argument text. One grammar for both platforms.
import { cleanText, refuseUnreadable } from './text.ts';

export const SUBCOMMANDS = [
  'log', 'list', 'progress', 'criteria', 'contacts', 'contact', 'review', 'forget',
  'settings', 'snooze', 'export', 'help',
] as const;
export type Subcommand = (typeof SUBCOMMANDS)[number];

export type ParsedCommand =
  | { kind: 'form' }
  | { kind: 'sub'; sub: Subcommand; args: string }
  | { kind: 'unknown'; word: string };

/**
 * `""` opens the logging form; `log …`, `list changes` … are subcommands. In Teams the text may
 * start with "evidence" (and an @mention, stripped by the adapter). Throws AppError('invalid_input')
 * for a message over MAX_TEXT_INPUT or with a NUL in it; the arguments come back without control or
 * bidirectional-override characters (text.ts).
 */
export function parseCommand(text: string, options: { allowPrefix?: boolean } = {}): ParsedCommand {
  // Before anything else reads it: refusing a huge paste must cost next to nothing.
  refuseUnreadable(text);
  let t = cleanText(text).trim();
  if (options.allowPrefix) t = t.replace(/^\/?evidence\b\s*/i, '');
  if (!t) return { kind: 'form' };
  const m = /^(\S+)\s*([\s\S]*)$/.exec(t)!;
  const word = m[1]!.toLowerCase();
  const sub = SUBCOMMANDS.find((s) => s === word) ?? (word === 'contact-add' ? 'contact' : undefined);
  if (!sub) return { kind: 'unknown', word: m[1]! };
  return { kind: 'sub', sub, args: m[2]!.trim() };
}

export const LIST_FILTERS = ['pending', 'approved', 'changes', 'rejected'] as const;
export type ListFilter = (typeof LIST_FILTERS)[number];

/** Splits arguments on spaces, keeping "quoted phrases" (straight or typographic quotes) together. */
export function splitArgs(text: string): string[] {
  const out: string[] = [];
  // An opening “ also ends the search for its closing one, so an unclosed “ is not followed to the
  // end of the text from every one of them (quadratic time).
  const re = /"([^"]*)"|“([^”“]*)”|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

/** `3d`, `12h`, `2w` → milliseconds; undefined when not a duration. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d{1,3})\s*(h|d|w)$/i.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = { h: 3_600_000, d: 86_400_000, w: 604_800_000 }[m[2]!.toLowerCase() as 'h' | 'd' | 'w'];
  return n > 0 ? n * unit : undefined;
}

export const HELP_TEXT = [
  'Log evidence the moment it happens, tagged to the criteria it proves.',
  '',
  '`/evidence` opens the logging form.',
  '`/evidence log TEXT` records evidence now. Tag criteria with `#U7:2.1` or `#K/507/0949:1.4`; add `follow-up:7d`, `with:"Sam Taylor"`, `mins:45`, `simulated`, `placement:yes` anywhere in the text.',
  '`/evidence list [pending|approved|changes|rejected]` shows your recent entries.',
  '`/evidence progress` shows coverage by unit and credits towards the 28 needed.',
  '`/evidence criteria [UNIT]` browses units and criteria (`/evidence criteria U7`).',
  '`/evidence contacts`, `/evidence contact add NAME kind:candidate consent:yes …`, `/evidence review` keep your contact register.',
  '`/evidence forget NAME` erases a contact\'s personal data (GDPR).',
  '`/evidence settings`, `/evidence snooze 3d` set your check-ins.',
  '`/evidence export` sends you your portfolio.',
  '',
  'Example: `/evidence log Called Sam a week after placement to check in #U7:2.1 follow-up:2w mins:15`',
].join('\n');
