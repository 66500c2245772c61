// The Block Kit renderer and the logging modal: user text never pings or forges a link, and no
// message breaks one of Slack's limits (a message over a limit is refused whole by Slack).
import { describe, expect, it } from 'vitest';
import { escapeAndFit, escapeMrkdwn, splitForSections } from '../../adapters/slack/block-kit/escape.ts';
import {
  FIELD, logFormView, parseLogFormMetadata, parseLogSubmission, blockForField,
} from '../../adapters/slack/block-kit/log-modal.ts';
import {
  actionIdBase, fallbackText, fitBlocks, LIMITS, paginate, renderBlocks, renderReply, type Block,
} from '../../adapters/slack/block-kit/message.ts';
import { homeView } from '../../adapters/slack/block-kit/views.ts';
import type { ChatMessage, MessageBlock } from '../../src/ports/message.ts';
import { logFormValues } from '../helpers/slack-payloads.ts';

const msg = (...blocks: MessageBlock[]): ChatMessage => ({ fallback: 'f', blocks });
const sectionText = (b: Block) => (b.type === 'section' && b.text ? b.text.text : '');

describe('escaping user text for mrkdwn', () => {
  it('turns Slack control sequences into text: no @channel, no mention, no forged link', () => {
    expect(escapeMrkdwn('<!channel> hi')).toBe('&lt;!channel&gt; hi');
    expect(escapeMrkdwn('ping <@U0ADMIN1>')).toBe('ping &lt;@U0ADMIN1&gt;');
    expect(escapeMrkdwn('<https://evil.example|your bank>')).toBe('&lt;https://evil.example|your bank&gt;');
    expect(escapeMrkdwn('<!subteam^S123>')).toBe('&lt;!subteam^S123&gt;');
  });

  it('escapes & first, so an already-escaped entity cannot be smuggled through', () => {
    expect(escapeMrkdwn('&lt;!channel&gt;')).toBe('&amp;lt;!channel&amp;gt;');
    expect(escapeMrkdwn('Tom & Jerry')).toBe('Tom &amp; Jerry');
  });

  it('every text block, field, progress label and context line is escaped when rendered', () => {
    const evil = '<!channel> <@U1> <https://x|y> & co';
    const blocks = renderBlocks(msg(
      { type: 'text', text: evil },
      { type: 'text', text: evil, bold: true },
      { type: 'fields', fields: [{ label: evil, value: evil }] },
      { type: 'progress', label: evil, done: 1, total: 2, note: evil },
      { type: 'context', text: evil },
    ));
    const all = JSON.stringify(blocks);
    expect(all).not.toContain('<!channel>');
    expect(all).not.toContain('<@U1>');
    expect(all).not.toContain('<https://x|y>');
    expect(all).toContain('&lt;!channel&gt; &lt;@U1&gt; &lt;https://x|y&gt; &amp; co');
  });

  it('the notification text beside the blocks is escaped too (Slack parses it for mentions)', () => {
    expect(fallbackText({ fallback: 'Evidence from <!everyone>', blocks: [] })).toBe('Evidence from &lt;!everyone&gt;');
  });

  it('headers and buttons are plain_text, which Slack never parses for mentions', () => {
    const [header] = renderBlocks(msg({ type: 'header', text: '<!channel> title' }));
    expect(header).toEqual({ type: 'header', text: { type: 'plain_text', text: '<!channel> title', emoji: true } });
  });

  it('fitting escaped text never cuts an entity in half', () => {
    const fitted = escapeAndFit('a'.repeat(8) + '&&&&', 12);
    expect(fitted.length).toBeLessThanOrEqual(12);
    expect(fitted).toMatch(/^a+(&amp;)*…$/);
  });
});

describe("Slack's limits", () => {
  it('a text longer than 3,000 characters becomes several sections, split at line breaks', () => {
    const lines = Array.from({ length: 120 }, (_, i) => `Line ${i}: ${'x'.repeat(40)}`);
    const blocks = renderBlocks(msg({ type: 'text', text: lines.join('\n') }));
    expect(blocks.length).toBeGreaterThan(1);
    for (const b of blocks) expect(sectionText(b).length).toBeLessThanOrEqual(LIMITS.sectionText);
    expect(blocks.map(sectionText).join('\n')).toBe(lines.join('\n'));
  });

  it('escaping counts against the limit: 1,000 ampersands still fit', () => {
    const blocks = renderBlocks(msg({ type: 'text', text: '&'.repeat(1000) }));
    for (const b of blocks) expect(sectionText(b).length).toBeLessThanOrEqual(LIMITS.sectionText);
    expect(blocks.map(sectionText).join('')).toBe('&amp;'.repeat(1000));
  });

  it('a single line longer than a section is split too', () => {
    const parts = splitForSections('word '.repeat(1000).trim(), 3000);
    expect(parts.length).toBe(2);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(3000);
  });

  it('more than 10 fields become several sections; long values are cut', () => {
    const fields = Array.from({ length: 23 }, (_, i) => ({ label: `F${i}`, value: 'v'.repeat(i === 0 ? 5000 : 3) }));
    const blocks = renderBlocks(msg({ type: 'fields', fields }));
    expect(blocks).toHaveLength(3);
    for (const b of blocks) {
      const f = b.type === 'section' ? b.fields ?? [] : [];
      expect(f.length).toBeLessThanOrEqual(LIMITS.sectionFields);
      for (const x of f) expect(x.text.length).toBeLessThanOrEqual(LIMITS.fieldText);
    }
  });

  it('more than 25 buttons become several actions blocks; duplicate action IDs in a block are told apart', () => {
    const actions = Array.from({ length: 30 }, (_, i) => ({ id: 'criterion.log', label: `Log 1.${i + 1}`, value: `K/507/0949:1.${i + 1}` }));
    const blocks = renderBlocks(msg({ type: 'actions', actions }));
    expect(blocks).toHaveLength(2);
    for (const b of blocks) {
      if (b.type !== 'actions') throw new Error('expected actions');
      expect(b.elements.length).toBeLessThanOrEqual(LIMITS.actionsElements);
      const ids = b.elements.map((e) => (e as { action_id: string }).action_id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.every((id) => actionIdBase(id) === 'criterion.log')).toBe(true);
    }
    const first = (blocks[0] as { elements: { action_id: string; value: string }[] }).elements[0]!;
    expect(first).toMatchObject({ action_id: 'criterion.log', value: 'K/507/0949:1.1' });
  });

  it('buttons carry the MessageAction id, value and style; labels are cut to 75 characters', () => {
    const [b] = renderBlocks(msg({ type: 'actions', actions: [{ id: 'entry.approve', label: 'A'.repeat(100), value: 'e1:1', style: 'primary' }] }));
    expect(b).toEqual({
      type: 'actions',
      elements: [{ type: 'button', action_id: 'entry.approve', value: 'e1:1', style: 'primary', text: { type: 'plain_text', text: expect.any(String), emoji: true } }],
    });
    expect((b as any).elements[0].text.text.length).toBe(75);
  });

  it('a header is cut to 150 characters', () => {
    const [h] = renderBlocks(msg({ type: 'header', text: 'H'.repeat(400) }));
    expect((h as any).text.text.length).toBe(150);
  });

  it('a reply keeps at most 50 blocks and says how many were left out; long messages paginate instead', () => {
    const many = msg(...Array.from({ length: 120 }, (_, i): MessageBlock => ({ type: 'text', text: `Entry ${i}` })));
    const reply = renderReply(many);
    expect(reply.blocks).toHaveLength(50);
    expect(JSON.stringify(reply.blocks.at(-1))).toContain('71 more');
    const pages = paginate(renderBlocks(many));
    expect(pages.map((p) => p.length)).toEqual([50, 50, 20]);
    expect(fitBlocks(renderBlocks(many), LIMITS.surfaceBlocks)).toHaveLength(100);
  });

  it('the App Home takes up to 100 blocks', () => {
    const home = homeView(msg(...Array.from({ length: 150 }, (_, i): MessageBlock => ({ type: 'context', text: `c${i}` }))));
    expect(home.type).toBe('home');
    expect(home.blocks).toHaveLength(100);
  });

  it('empty text blocks are left out (Slack refuses an empty section)', () => {
    expect(renderBlocks(msg({ type: 'text', text: '  ' }), )).toEqual([]);
  });
});

describe('progress blocks', () => {
  it('render as a text bar with the counts', () => {
    const [b] = renderBlocks(msg({ type: 'progress', label: 'U7 Building relationships', done: 3, total: 10 }));
    expect(sectionText(b!)).toBe('*U7 Building relationships*\n▓▓▓░░░░░░░ 3/10');
  });

  it('use the note as is when it already carries the bar', () => {
    const [b] = renderBlocks(msg({ type: 'progress', label: 'U1', done: 5, total: 10, note: '▓▓▓▓▓░░░░░ 5/10 approved' }));
    expect(sectionText(b!)).toBe('*U1*\n▓▓▓▓▓░░░░░ 5/10 approved');
  });
});

describe('the logging modal', () => {
  const now = new Date('2026-11-23T10:00:00Z');

  it('fits Slack: title of 24 characters at most, small private_metadata, one input per field', () => {
    const view = logFormView({ now, contactName: 'Sam <Taylor>', criteria: [{ value: 'K/507/0949:2.1', label: 'U7 2.1 Identify new ways of helping candidates based on their feedback, and more words beyond 75' }] });
    expect(view.title.text.length).toBeLessThanOrEqual(24);
    expect(view.private_metadata!.length).toBeLessThanOrEqual(3000);
    expect(parseLogFormMetadata(view.private_metadata)).toMatchObject({ contactName: 'Sam <Taylor>' });
    const ids = view.blocks.filter((b) => b.type === 'input').map((b) => (b as { block_id: string }).block_id);
    expect(ids).toEqual(Object.values(FIELD));
    const picker = view.blocks.find((b) => (b as { block_id?: string }).block_id === 'criteria') as any;
    expect(picker.element.initial_options[0].text.text.length).toBeLessThanOrEqual(75);
    expect(JSON.stringify(view)).toContain('Sam &lt;Taylor&gt;');
  });

  it('turns a submission into the core draft: tags from option values, dates, minutes, boxes', () => {
    const at = new Date('2026-11-20T14:30:00Z');
    const r = parseLogSubmission(logFormValues({
      summary: '  Called Sam  ', criteria: ['K/507/0949:1.4', 'J/507/0943:2.1'], occurredAt: at, kind: 'candidate', channel: 'phone',
      outcome: 'Booked in', followUp: '2026-12-01', minutes: 30, simulated: true, placement: true,
    }));
    expect(r).toEqual({
      ok: true,
      draft: {
        summary: 'Called Sam', occurredAt: at, kind: 'candidate', channel: 'phone', outcome: 'Booked in',
        tags: [{ unit: 'K/507/0949', number: '1.4', raw: '#K/507/0949:1.4' }, { unit: 'J/507/0943', number: '2.1', raw: '#J/507/0943:2.1' }],
        followUp: { kind: 'date', date: '2026-12-01' }, minutes: 30, simulated: true, placement: true, keepPersonalData: false,
      },
    });
  });

  it('reports what Slack inputs cannot guarantee as field errors', () => {
    expect(parseLogSubmission(logFormValues({ summary: ' ', criteria: [] }))).toEqual({
      ok: false, errors: { summary: 'Say what happened.', criteria: expect.stringContaining('Choose at least one criterion') },
    });
    expect(parseLogSubmission(logFormValues({ summary: 'x', criteria: ['K/507/0949:1.4'], minutes: 0 }))).toMatchObject({ ok: false, errors: { minutes: expect.any(String) } });
    expect(parseLogSubmission(logFormValues({ summary: 'x', criteria: ['<script>'] }))).toMatchObject({ ok: false, errors: { criteria: expect.any(String) } });
    expect(parseLogSubmission({ nonsense: true })).toMatchObject({ ok: false });
  });

  it("puts the core's field errors under the right input", () => {
    expect(blockForField('tags')).toBe('criteria');
    expect(blockForField('followUp')).toBe('followUp');
    expect(blockForField('occurredAt')).toBe('occurredAt');
    expect(blockForField(undefined)).toBe('summary');
  });
});
