// Text safety for Slack: user text is escaped before it goes into any mrkdwn field, so a learner
// typing `<!channel>`, `<@U123>` or `<https://evil|bank>` can never ping anyone or forge a link.
// Slack's three control characters are &, < and >; `&` must go first or the others double-escape.

export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts to at most `max` characters, ending with an ellipsis when it had to cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/**
 * Escapes, then truncates so the ESCAPED text fits `max` (an `&` becomes five characters), without
 * cutting an entity such as `&amp;` in half.
 */
export function escapeAndFit(text: string, max: number): string {
  const escaped = escapeMrkdwn(text);
  if (escaped.length <= max) return escaped;
  let cut = escaped.slice(0, Math.max(0, max - 1));
  const amp = cut.lastIndexOf('&');
  if (amp >= 0 && !cut.slice(amp).includes(';')) cut = cut.slice(0, amp);
  return `${cut}…`;
}

/** A plain_text object (never parsed for mentions or links), cut to Slack's limit for the field. */
export function plainText(text: string, max: number): { type: 'plain_text'; text: string; emoji: true } {
  return { type: 'plain_text', text: truncate(text.trim() || ' ', max), emoji: true };
}

/**
 * Splits escaped mrkdwn into chunks of at most `max` characters, at line breaks where it can, so a
 * long list becomes several sections instead of one Slack refuses (3,000 characters a section).
 */
export function splitForSections(escaped: string, max: number): string[] {
  const chunks: string[] = [];
  let current = '';
  for (const line of escaped.split('\n')) {
    const pieces = line.length <= max ? [line] : hardSplit(line, max);
    for (const piece of pieces) {
      if (!current) current = piece;
      else if (current.length + 1 + piece.length <= max) current += `\n${piece}`;
      else {
        chunks.push(current);
        current = piece;
      }
    }
  }
  if (current) chunks.push(current);
  return chunks;
}

function hardSplit(line: string, max: number): string[] {
  const out: string[] = [];
  let rest = line;
  while (rest.length > max) {
    let at = rest.lastIndexOf(' ', max);
    if (at < max / 2) at = max;
    // never split inside an entity (&amp; &lt; &gt;)
    const amp = rest.lastIndexOf('&', at - 1);
    if (amp >= 0 && amp > at - 5 && !rest.slice(amp, at).includes(';')) at = amp;
    out.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
  }
  if (rest) out.push(rest);
  return out;
}
