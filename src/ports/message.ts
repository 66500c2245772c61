// The platform-neutral message the core writes: a list of simple blocks that each adapter renders
// (Block Kit in Slack, Adaptive Cards in Teams). All text here is plain text as people typed it;
// adapters escape it for their platform, so user text can never ping a channel or forge a link.

export interface MessageAction {
  /** What the button does, e.g. "entry.approve"; adapters route on it. */
  id: string;
  label: string;
  /** Opaque value handed back to the core (an entry ID and version, a criterion key …). */
  value: string;
  style?: 'primary' | 'danger';
}

export type MessageBlock =
  | { type: 'header'; text: string }
  /** A paragraph; `bold` renders it strongly. */
  | { type: 'text'; text: string; bold?: boolean }
  | { type: 'fields'; fields: { label: string; value: string }[] }
  /** A labelled text progress bar: done of total. */
  | { type: 'progress'; label: string; done: number; total: number; note?: string }
  /** Small print: dates, who, hints. */
  | { type: 'context'; text: string }
  | { type: 'divider' }
  | { type: 'actions'; actions: MessageAction[] };

export interface ChatMessage {
  /** A short plain-text summary for notifications and clients that show no blocks. */
  fallback: string;
  blocks: MessageBlock[];
}

/** Renders a bar such as ▓▓▓▓▓░░░░░ for done/total (10 cells). */
export function progressBar(done: number, total: number, cells = 10): string {
  const filled = total > 0 ? Math.round((Math.min(done, total) / total) * cells) : 0;
  return '▓'.repeat(filled) + '░'.repeat(cells - filled);
}
