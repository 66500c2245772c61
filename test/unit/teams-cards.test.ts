// Adaptive Cards and the logging form are pure functions: what a Teams user would see, and what a
// submitted form becomes.
import { describe, expect, it } from 'vitest';
import { messageActivity, messageCard, textRuns } from '../../adapters/teams/cards.ts';
import { NotInstalledError, retryAfterSeconds, toChatError } from '../../adapters/teams/errors.ts';
import { draftFromForm, logFormCard, parseCriteria } from '../../adapters/teams/forms.ts';
import { AppError } from '../../src/lib/errors.ts';
import { PermanentChatError, RateLimitedError, TransientChatError } from '../../src/ports/chat.ts';
import type { ChatMessage } from '../../src/ports/message.ts';
import { shownText, submitActions } from '../helpers/teams-harness.ts';

const all = (node: unknown, type: string): any[] => {
  const found: any[] = [];
  const walk = (n: any) => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (!n || typeof n !== 'object') return;
    if (n.type === type) found.push(n);
    Object.values(n).forEach(walk);
  };
  walk(node);
  return found;
};

const entryCard: ChatMessage = {
  fallback: 'Evidence from Tess',
  blocks: [
    { type: 'header', text: 'Evidence from Tess' },
    { type: 'text', text: 'Met [the client](https://evil.example) **today** <at>Everyone</at>' },
    { type: 'fields', fields: [{ label: 'Learner', value: 'Tess _Teams_' }] },
    { type: 'divider' },
    { type: 'actions', actions: [
      { id: 'entry.approve', label: 'Approve', value: 'e1:1', style: 'primary' },
      { id: 'entry.changes', label: 'Request changes', value: 'e1:1' },
      { id: 'entry.reject', label: 'Reject', value: 'e1:1', style: 'danger' },
    ] },
  ],
};

describe('Adaptive Cards from neutral messages', () => {
  it('shows what people typed as plain text runs, which Teams never reads as Markdown', () => {
    const card = messageCard(entryCard);
    expect(all(card, 'TextBlock')).toEqual([]);
    const runs = all(card, 'TextRun').map((r) => r.text);
    expect(runs).toContain('Met [the client](https://evil.example) **today** <at>Everyone</at>');
    expect(runs).toContain('Tess _Teams_');
    expect(card.version).toBe('1.5');
  });

  it('gives decision buttons a feedback box and sends back the action and its value', () => {
    const activity = messageActivity(entryCard);
    expect(submitActions(activity)).toEqual([
      { title: 'Approve', data: { action: 'entry.approve', value: 'e1:1' } },
      { title: 'Request changes', data: { action: 'entry.changes', value: 'e1:1' } },
      { title: 'Reject', data: { action: 'entry.reject', value: 'e1:1' } },
    ]);
    const [input] = all(activity, 'Input.Text');
    expect(input).toMatchObject({ id: 'feedback', isMultiline: true });
    expect(all(activity, 'Action.Submit').map((a) => a.style)).toEqual(['positive', undefined, 'destructive']);
  });

  it('marks a divider as a separator on what follows', () => {
    const [actionSetOwner] = messageCard(entryCard).body.filter((e) => e.separator);
    expect(actionSetOwner).toMatchObject({ type: 'Input.Text', separator: true });
  });

  it('renders `code` as monospace runs and keeps a lone backtick', () => {
    expect(textRuns('Type `help` now')).toEqual([
      { type: 'TextRun', text: 'Type ' },
      { type: 'TextRun', text: 'help', fontType: 'Monospace' },
      { type: 'TextRun', text: ' now' },
    ]);
    expect(textRuns('it`s').map((r) => r.text).join('')).toBe('it`s');
  });

  it('sends a message of plain paragraphs as plain text, never Markdown', () => {
    const a = messageActivity({ fallback: 'x', blocks: [{ type: 'text', text: 'Use **bold**?' }, { type: 'context', text: 'small' }] });
    expect(a).toEqual({ type: 'message', text: 'Use **bold**?\n\nsmall', textFormat: 'plain' });
  });

  it('draws progress with a bar', () => {
    const a = messageActivity({ fallback: 'p', blocks: [{ type: 'progress', label: 'Credits', done: 14, total: 28, note: '14 of 28 credits' }] });
    expect(shownText(a)).toContain('▓▓▓▓▓░░░░░ ');
    expect(shownText(a)).toContain('14 of 28 credits');
  });
});

describe('the logging form', () => {
  const now = new Date('2026-11-23T10:00:00Z');
  const tz = 'Europe/London';

  it('has the inputs of the Slack form and a Save button', () => {
    const card = logFormCard({ today: '2026-11-23' });
    const ids = [...all(card, 'Input.Text'), ...all(card, 'Input.Date'), ...all(card, 'Input.ChoiceSet'), ...all(card, 'Input.Number'), ...all(card, 'Input.Toggle')].map((i) => i.id);
    expect(ids.sort()).toEqual(['channel', 'contactName', 'criteria', 'followUpOn', 'keepPersonalData', 'kind', 'minutes', 'occurredOn', 'outcome', 'placement', 'simulated', 'summary']);
    expect(card.actions).toEqual([{ type: 'Action.Submit', title: 'Save evidence', style: 'positive', data: { action: 'form.log' } }]);
  });

  it('comes back after an error filled in, saying what to fix and marking the field', () => {
    const card = logFormCard({ today: '2026-11-23', values: { summary: 'Called Sam', criteria: '#U7:9.9' }, error: { message: '`#U7:9.9` is not one of your criteria.', field: 'tags' } });
    const text = all(card, 'TextRun').map((r) => r.text).join(' ');
    expect(text).toContain('is not one of your criteria. Nothing was saved; fix it and submit again.');
    expect(all(card, 'Input.Text').find((i) => i.id === 'criteria')).toMatchObject({ value: '#U7:9.9', label: 'Criteria it proves ⚠' });
    expect(all(card, 'Input.Text').find((i) => i.id === 'summary')).toMatchObject({ value: 'Called Sam' });
  });

  it('turns the submitted strings into the core draft', () => {
    const draft = draftFromForm(
      { summary: 'Called Sam', criteria: 'U7:2.1, #k/507/0949:1.4', occurredOn: '2026-11-20', kind: 'candidate', channel: 'phone', minutes: '45', followUpOn: '2026-12-01', simulated: 'true', placement: 'false', outcome: ' ', contactName: '' },
      { timeZone: tz, now },
    );
    expect(draft).toMatchObject({
      summary: 'Called Sam', kind: 'candidate', channel: 'phone', minutes: 45, simulated: true, placement: false,
      followUp: { kind: 'date', date: '2026-12-01' }, outcome: undefined, contactName: undefined,
      occurredOn: '2026-11-20',
    });
    expect(draft.tags.map((t) => `${t.unit}:${t.number}`)).toEqual(['U7:2.1', 'k/507/0949:1.4']);
    expect(draftFromForm({ summary: 'x', criteria: 'U7:2.1' }, { timeZone: tz, now }).occurredOn).toBeUndefined();
  });

  it('refuses bad values naming the field', () => {
    const fieldOf = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        return (err as AppError).details?.field;
      }
      return 'no error';
    };
    expect(fieldOf(() => draftFromForm({ summary: 'x', criteria: 'U7:2.1', minutes: '0' }, { timeZone: tz, now }))).toBe('minutes');
    expect(fieldOf(() => parseCriteria('U7'))).toBe('criteria');
    expect(fieldOf(() => parseCriteria('U7:2.1 because'))).toBe('criteria');
    expect(parseCriteria('')).toEqual([]);
  });
});

describe('connector errors become chat errors', () => {
  const rest = (statusCode: number | undefined, code?: string, headers: Record<string, string> = {}) =>
    Object.assign(new Error('x'), { statusCode, code, response: { headers: { get: (n: string) => headers[n] } } });

  it('waits for Retry-After on 429', () => {
    const e = toChatError(rest(429, undefined, { 'retry-after': '7' }), 'send');
    expect(e).toBeInstanceOf(RateLimitedError);
    expect(e.retryAfterSeconds).toBe(7);
    expect(retryAfterSeconds(new Date(Date.UTC(2026, 0, 1, 0, 1)).toUTCString(), Date.UTC(2026, 0, 1))).toBe(60);
  });

  it('gives up on 401 and 403, retries 5xx and network failures, waits for a missing install', () => {
    expect(toChatError(rest(401), 'send')).toBeInstanceOf(PermanentChatError);
    expect(toChatError(rest(403, 'ConversationBlockedByUser'), 'send')).toBeInstanceOf(PermanentChatError);
    expect(toChatError(rest(403, 'BotNotInConversationRoster'), 'send')).toBeInstanceOf(NotInstalledError);
    expect(toChatError(rest(502), 'send')).toBeInstanceOf(TransientChatError);
    expect(toChatError(new Error('ECONNRESET'), 'send')).toBeInstanceOf(TransientChatError);
    expect(new NotInstalledError('x').retryable).toBe(true);
  });
});
