// Adaptive Cards for Teams, built by pure functions from the core's neutral ChatMessage. All text
// goes into TextRuns, which Teams never reads as Markdown, so nothing a person typed can forge a
// link or a mention; `code` spans (backticks in the core's text) become monospace runs.
import { progressBar, type ChatMessage, type MessageAction, type MessageBlock } from '../../src/ports/message.ts';

export const CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';
export const CARD_SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';
/** Teams renders 1.5 on desktop, web and mobile. */
export const CARD_VERSION = '1.5';
/** Any one piece of text on a card; the whole activity must stay under Teams' 40 KB. */
const MAX_TEXT = 3000;

export type CardElement = Record<string, unknown>;
export interface AdaptiveCard {
  type: 'AdaptiveCard';
  $schema: string;
  version: string;
  body: CardElement[];
  actions?: CardElement[];
  msteams?: { width: 'Full' };
}

/** What an Action.Submit sends back: the action's id and value, plus the card's inputs. */
export interface SubmitData {
  action: string;
  value?: string;
}

/** Actions that need words from the person, and the input the card shows for them. */
const TEXT_INPUTS: Record<string, { id: string; label: string; placeholder: string }> = {
  'entry.changes': { id: 'feedback', label: 'Feedback for the learner', placeholder: 'Needed to request changes or reject: what is missing, what to add' },
  'entry.reject': { id: 'feedback', label: 'Feedback for the learner', placeholder: 'Needed to request changes or reject: what is missing, what to add' },
  'decision.overturn': { id: 'feedback', label: 'Why overturn', placeholder: 'Needed to overturn: what the decision should be and why' },
  'iqa.action': { id: 'note', label: 'IQA note', placeholder: 'Needed to raise an action: what the assessor should do' },
  'witness.write': { id: 'statement', label: 'Your witness statement', placeholder: 'What you saw the learner do, in your own words' },
};

export function textInputFor(actionId: string) {
  return TEXT_INPUTS[actionId];
}

type RunStyle = { weight?: 'Bolder'; size?: 'Small' | 'Large' | 'Medium'; isSubtle?: boolean; color?: 'Attention' | 'Good' | 'Warning' };

function clip(text: string, max = MAX_TEXT): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A line as TextRuns: `code` spans monospace, the rest plain. Never Markdown. */
export function textRuns(line: string, style: RunStyle = {}): CardElement[] {
  const parts = line.split('`');
  // An odd backtick count means the last one is literal: keep it as text.
  if (parts.length % 2 === 0) parts[parts.length - 2] += `\`${parts.pop()}`;
  return parts
    .map((text, i) => ({ text, code: i % 2 === 1 }))
    .filter((p) => p.text.length > 0)
    .map((p) => ({ type: 'TextRun', text: p.text, ...style, ...(p.code ? { fontType: 'Monospace' } : {}) }));
}

/** A paragraph: one RichTextBlock per line (TextRuns carry no line breaks of their own). */
export function paragraph(text: string, style: RunStyle = {}): CardElement[] {
  const out: CardElement[] = [];
  let gap = false;
  for (const line of clip(text).split('\n')) {
    if (line.trim() === '') {
      gap = true;
      continue;
    }
    out.push({ type: 'RichTextBlock', inlines: textRuns(line, style), ...(out.length ? { spacing: gap ? 'Medium' : 'None' } : {}) });
    gap = false;
  }
  return out.length ? out : [{ type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: ' ' }] }];
}

function fieldRow(label: string, value: string): CardElement {
  return {
    type: 'ColumnSet',
    spacing: 'Small',
    columns: [
      { type: 'Column', width: '110px', items: paragraph(label, { weight: 'Bolder' }) },
      { type: 'Column', width: 'stretch', items: paragraph(value || '—') },
    ],
  };
}

function submit(action: MessageAction): CardElement {
  const data: SubmitData = { action: action.id, value: action.value };
  return {
    type: 'Action.Submit',
    title: clip(action.label, 60),
    data,
    ...(action.style === 'primary' ? { style: 'positive' } : action.style === 'danger' ? { style: 'destructive' } : {}),
  };
}

function blockElements(b: MessageBlock): CardElement[] {
  switch (b.type) {
    case 'header':
      return paragraph(b.text, { weight: 'Bolder', size: 'Large' });
    case 'text':
      return paragraph(b.text, b.bold ? { weight: 'Bolder' } : {});
    case 'context':
      return paragraph(b.text, { size: 'Small', isSubtle: true });
    case 'fields':
      return b.fields.map((f) => fieldRow(f.label, f.value));
    case 'progress': {
      const bar = progressBar(b.done, b.total);
      const note = b.note ?? `${b.done}/${b.total}`;
      return [
        ...paragraph(b.label, { weight: 'Bolder' }),
        { type: 'RichTextBlock', spacing: 'None', inlines: [...(note.startsWith(bar) ? [] : [{ type: 'TextRun', text: `${bar} `, fontType: 'Monospace' }]), ...textRuns(note, { isSubtle: true })] },
      ];
    }
    case 'actions': {
      const input = b.actions.map((a) => TEXT_INPUTS[a.id]).find(Boolean);
      return [
        ...(input ? [{ type: 'Input.Text', id: input.id, label: input.label, placeholder: input.placeholder, isMultiline: true, maxLength: 3000 }] : []),
        { type: 'ActionSet', actions: b.actions.map(submit) },
      ];
    }
    case 'divider':
      return [];
  }
}

/** A ChatMessage as one Adaptive Card (dividers become separators on what follows). */
export function messageCard(m: ChatMessage): AdaptiveCard {
  const body: CardElement[] = [];
  let separate = false;
  for (const b of m.blocks) {
    if (b.type === 'divider') {
      separate = body.length > 0;
      continue;
    }
    const els = blockElements(b);
    if (separate && els[0]) els[0] = { ...els[0], separator: true, spacing: 'Medium' };
    separate = false;
    body.push(...els);
  }
  return card(body);
}

export function card(body: CardElement[], actions?: CardElement[]): AdaptiveCard {
  return { type: 'AdaptiveCard', $schema: CARD_SCHEMA, version: CARD_VERSION, body, ...(actions?.length ? { actions } : {}), msteams: { width: 'Full' } };
}

/** Whether a message is plain paragraphs only: sent as text, a card reads no better. */
export function isPlainText(m: ChatMessage): boolean {
  return m.blocks.every((b) => (b.type === 'text' && !b.bold) || b.type === 'context');
}

/** The Bot Framework activity for a message: plain text when it is only text, else a card. */
export function messageActivity(m: ChatMessage): { type: 'message'; text?: string; textFormat?: 'plain'; summary?: string; attachments?: { contentType: string; content: AdaptiveCard }[] } {
  if (isPlainText(m) && m.blocks.length > 0) {
    const text = m.blocks.map((b) => (b.type === 'text' || b.type === 'context' ? b.text : '')).join('\n\n');
    return { type: 'message', text: clip(text, 12_000), textFormat: 'plain' };
  }
  return cardActivity(messageCard(m), m.fallback);
}

export function cardActivity(c: AdaptiveCard, summary?: string) {
  return { type: 'message' as const, ...(summary ? { summary: clip(summary, 200) } : {}), attachments: [{ contentType: CARD_CONTENT_TYPE, content: c }] };
}
