// Renders the core's platform-neutral ChatMessage as Slack Block Kit. Pure functions: every piece
// of text is escaped for mrkdwn (or sent as plain_text), and Slack's limits are respected —
// 3,000 characters a section, 10 fields a section, 25 buttons an actions block, 150 characters a
// header, 50 blocks a message (100 in a modal or the App Home).
import type { types } from '@slack/bolt';
import { progressBar, type ChatMessage, type MessageAction, type MessageBlock } from '../../../src/ports/message.ts';
import { escapeAndFit, escapeMrkdwn, plainText, splitForSections } from './escape.ts';

export type Block = types.KnownBlock;
export type ButtonElement = types.Button;

export const LIMITS = {
  messageBlocks: 50,
  surfaceBlocks: 100,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  buttonText: 75,
  buttonValue: 2000,
  actionsElements: 25,
  contextText: 3000,
  fallbackText: 3000,
} as const;

/**
 * Separates a duplicate action ID within one actions block: Slack refuses a block whose buttons
 * share an action_id, and a unit's "Log 1.1", "Log 1.2" … buttons all mean `criterion.log`.
 * The first keeps the bare ID; later ones get `~2`, `~3`. `actionIdBase` undoes it for routing.
 */
export const ACTION_ID_SEPARATOR = '~';
export const actionIdBase = (actionId: string) => actionId.split(ACTION_ID_SEPARATOR)[0]!;

/** Every block of the message, in order, with no limit on the count (see fitBlocks / paginate). */
export function renderBlocks(message: ChatMessage): Block[] {
  return message.blocks.flatMap(renderBlock);
}

function renderBlock(b: MessageBlock): Block[] {
  switch (b.type) {
    case 'header':
      return [{ type: 'header', text: plainText(b.text, LIMITS.headerText) }];
    case 'text':
      return sections(b.text, b.bold ?? false);
    case 'fields':
      return chunk(b.fields, LIMITS.sectionFields).map((fields) => ({
        type: 'section',
        fields: fields.map((f) => {
          const label = escapeAndFit(f.label, 200);
          return { type: 'mrkdwn' as const, text: `*${label}*\n${escapeAndFit(f.value || '—', LIMITS.fieldText - label.length - 3)}` };
        }),
      }));
    case 'progress':
      return [{
        type: 'section',
        text: { type: 'mrkdwn', text: `*${escapeAndFit(b.label, 300)}*\n${escapeAndFit(progressLine(b), LIMITS.sectionText - 310)}` },
      }];
    case 'context':
      return b.text.trim() ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: escapeAndFit(b.text, LIMITS.contextText) }] }] : [];
    case 'divider':
      return [{ type: 'divider' }];
    case 'actions':
      return chunk(b.actions, LIMITS.actionsElements).map((actions) => ({ type: 'actions', elements: buttons(actions) }));
  }
}

/** "▓▓▓░░░░░░░ 3/10 · note" — the note is used as is when it already carries the bar. */
function progressLine(b: Extract<MessageBlock, { type: 'progress' }>): string {
  const bar = progressBar(b.done, b.total);
  if (b.note?.includes(bar)) return b.note;
  return b.note ? `${bar} ${b.note}` : `${bar} ${b.done}/${b.total}`;
}

function sections(text: string, bold: boolean): Block[] {
  if (!text.trim()) return [];
  // Bold wraps each line (mrkdwn bold does not span line breaks); leave room for the asterisks.
  const budget = bold ? LIMITS.sectionText - 2 : LIMITS.sectionText;
  return splitForSections(escapeMrkdwn(text), budget).map((chunkText) => ({
    type: 'section',
    text: { type: 'mrkdwn', text: bold ? boldLines(chunkText) : chunkText },
  }));
}

function boldLines(text: string): string {
  const lines = text.split('\n');
  // A single line keeps its asterisks tight; several lines would each need two more characters.
  if (lines.length === 1) return `*${text.trim()}*`;
  const bolded = lines.map((l) => (l.trim() ? `*${l.trim()}*` : l)).join('\n');
  return bolded.length <= LIMITS.sectionText ? bolded : text;
}

function buttons(actions: MessageAction[]): ButtonElement[] {
  const seen = new Map<string, number>();
  return actions.map((a) => {
    const n = (seen.get(a.id) ?? 0) + 1;
    seen.set(a.id, n);
    const button: ButtonElement = {
      type: 'button',
      action_id: n === 1 ? a.id : `${a.id}${ACTION_ID_SEPARATOR}${n}`,
      text: plainText(a.label, LIMITS.buttonText),
      value: a.value.slice(0, LIMITS.buttonValue),
    };
    if (a.style) button.style = a.style;
    return button;
  });
}

function chunk<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/**
 * At most `max` blocks: when the message is longer, the last kept block says how many were left
 * out. For single replies (an ephemeral answer, a modal, the App Home) that cannot be split.
 */
export function fitBlocks(blocks: Block[], max: number = LIMITS.messageBlocks): Block[] {
  if (blocks.length <= max) return blocks;
  const kept = blocks.slice(0, max - 1);
  const left = blocks.length - kept.length;
  return [...kept, { type: 'context', elements: [{ type: 'mrkdwn', text: `…and ${left} more not shown here (Slack shows at most ${max} parts in one view).` }] }];
}

/** Splits into messages of at most `max` blocks each, for posting a long message as several. */
export function paginate(blocks: Block[], max: number = LIMITS.messageBlocks): Block[][] {
  if (blocks.length === 0) return [[]];
  return chunk(blocks, max);
}

/** The notification text (`text` beside `blocks`): escaped too, since Slack parses it for mentions. */
export function fallbackText(message: ChatMessage): string {
  return escapeAndFit(message.fallback || 'Evidence bot', LIMITS.fallbackText);
}

/** One message as a single reply: blocks fitted to the limit, with escaped fallback text. */
export function renderReply(message: ChatMessage, max: number = LIMITS.messageBlocks): { text: string; blocks: Block[] } {
  return { text: fallbackText(message), blocks: fitBlocks(renderBlocks(message), max) };
}
