// Text as people type it, made fit to store and to show, and the most of it the bot will read at
// once. Every place where typed text comes in (commands, forms, thread replies) uses these. Pure.
import { invalidInput } from '../lib/errors.ts';

/**
 * The longest message the bot reads. Longer is refused before any pattern reads it, so a huge paste
 * costs next to nothing. An entry's summary (2,500) with its tags and options fits well within it.
 */
export const MAX_TEXT_INPUT = 4000;

// C0 controls except tab and newline (carriage returns become newlines first), DEL and C1: PostgreSQL
// refuses NUL in text (error 22021) and the rest only garble what is shown. Then the bidirectional
// embeddings, overrides and isolates, which let stored text display in an order other than the one
// it was written in (a Trojan Source spoof in an assessor's view).
const UNWANTED = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;

/** The text without control and bidirectional-override characters; line breaks kept as `\n`. */
export function cleanText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(UNWANTED, '');
}

/** 150000 → "150,000" (fixed, so a message reads the same on every host). */
const count = (n: number) => n.toLocaleString('en-GB');

/**
 * Refuses a typed message the bot cannot take, saying what to fix: one over MAX_TEXT_INPUT (checked
 * before any pattern reads it), or one holding a NUL character. A NUL is refused rather than
 * stripped because a command's raw text may be recorded before it is parsed, and PostgreSQL stores
 * NUL neither in text (22021) nor in JSON (22P05). Other control characters are only stripped.
 */
export function refuseUnreadable(text: string): void {
  if (text.length > MAX_TEXT_INPUT) {
    throw invalidInput(
      `That message is ${count(text.length)} characters long; the most I read at once is ${count(MAX_TEXT_INPUT)}, so nothing was saved. Shorten it and send it again: an evidence summary can be up to 2,500 characters, so split a longer story into two entries.`,
    );
  }
  if (text.includes('\u0000')) {
    throw invalidInput(
      'That message contains a NUL character (invisible, usually from pasting), which I cannot store, so nothing was saved. Type the text again instead of pasting it, and send it again.',
    );
  }
}
