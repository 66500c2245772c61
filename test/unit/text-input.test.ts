// Text entering the bot: a typed message over the limit (or with a NUL) is refused before any
// pattern reads it, control and bidirectional-override characters are stripped, and every
// pattern that reads typed text runs in linear time. The timing tests are a regression guard
// against super-linear patterns: each input below took seconds on the patterns they replaced.
import { describe, expect, it } from 'vitest';
import { commandText } from '../../adapters/teams/bot.ts';
import { parseCommand, parseDuration, splitArgs } from '../../src/domain/command.ts';
import { normaliseEmail, normalisePhone, parseContactArgs, parseReviewArgs } from '../../src/domain/contact.ts';
import { parseFollowUp, parseLogText } from '../../src/domain/log-grammar.ts';
import { parseThreadDecision } from '../../src/domain/parse-thread-decision.ts';
import { detectPersonalData, erasurePatterns, mentions, redactPersonalData, scrubText } from '../../src/domain/personal-data.ts';
import { canonicalTimeZone, parseWeekday } from '../../src/domain/schedule.ts';
import { parseSettingsArgs } from '../../src/domain/settings-args.ts';
import { cleanText, MAX_TEXT_INPUT } from '../../src/domain/text.ts';
import { AppError } from '../../src/lib/errors.ts';
import { cleanText as verificationText } from '../../src/services/verification/assessment-access.ts';

const K = 100_000;
/** About 100 KB of each shape that made a pattern backtrack from every position. */
const ADVERSARIAL: Record<string, string> = {
  'percent signs': '%'.repeat(K),
  'a@ a@ …': 'a@'.repeat(K / 2),
  '1 1 1 …': '1 '.repeat(K / 2),
  '#U7:#U7: …': '#U7:'.repeat(K / 4),
  'straight quotes': '"'.repeat(K),
  'with:with: …': 'with:'.repeat(K / 5),
  'unclosed “': '“ '.repeat(K / 2),
  'with:“ unclosed': 'with:“ '.repeat(K / 7),
  "with:‘ unclosed": 'with:‘ '.repeat(K / 7),
  'key:“ unclosed': 'a:“ '.repeat(K / 4),
  'no-break spaces': `x${'\u00a0'.repeat(K)}x`,
  'em spaces': `x${'\u2003'.repeat(K)}x`,
  'asterisks': `x${'*'.repeat(K)}x`,
  '+44 then spaces': `+44${' '.repeat(K)}x`,
  'spaces': `${' '.repeat(K)}x`,
  'zeros': '0'.repeat(K),
  'domain labels': `a@a${'.a1'.repeat(K / 3)}`,
  '<at> <at> …': '<at>'.repeat(K / 4),
  'NULs': '\u0000'.repeat(K),
};

const BOUND_MS = 50;

interface Timing {
  /** performance.now(), the fastest of the runs. */
  wallMs: number;
  /** This process's CPU time for that run. */
  cpuMs: number;
}

/**
 * Times a few runs of `f` with performance.now() and keeps the fastest: a busy machine may pause
 * any one run, but not every one. A run of over a second is no pause, so it is not repeated.
 */
function fastest(f: () => unknown): Timing {
  let best: Timing = { wallMs: Infinity, cpuMs: Infinity };
  for (let i = 0; i < 5 && (i === 0 || (best.wallMs >= BOUND_MS && best.wallMs < 1000)); i++) {
    const cpu = process.cpuUsage();
    const start = performance.now();
    try {
      f();
    } catch {
      // A refusal is an answer too; only the time counts here.
    }
    const wallMs = performance.now() - start;
    const used = process.cpuUsage(cpu);
    if (wallMs < best.wallMs) best = { wallMs, cpuMs: (used.user + used.system) / 1000 };
  }
  return best;
}

/**
 * The inputs on which `f` took longer than the bound. On a shared machine so busy that every run
 * waits for a core, wall time says little; the run's CPU time then decides. A super-linear pattern
 * takes seconds by either measure.
 */
function slowInputs(f: (text: string) => unknown): string[] {
  fastest(() => f('warm up #U7:2.1 with:"Sam" a@b.co 07700 900123')); // compile the patterns first
  return Object.entries(ADVERSARIAL).flatMap(([name, text]) => {
    const t = fastest(() => f(text));
    return t.wallMs < BOUND_MS || t.cpuMs < BOUND_MS ? [] : [`${name}: ${Math.round(t.wallMs)} ms (CPU ${Math.round(t.cpuMs)} ms)`];
  });
}

const intlPhone = erasurePatterns({ name: 'Sam Taylor', email: 'sam@example.com', phone: '+33 1 23 45 67 89', nameParts: true });
const ukPhone = erasurePatterns({ name: 'Sam Taylor', phone: '07700 900123' });

describe('every pattern that reads typed text runs in linear time (~100 KB inputs)', () => {
  const cases: [string, (text: string) => unknown][] = [
    ['parseCommand', (t) => parseCommand(t)],
    ['parseCommand (Teams, log …)', (t) => parseCommand(`evidence log ${t}`, { allowPrefix: true })],
    ['splitArgs', splitArgs],
    ['parseDuration', parseDuration],
    ['detectPersonalData', detectPersonalData],
    ['redactPersonalData', redactPersonalData],
    ['parseLogText', (t) => parseLogText(`${t} #U7:2.1`)],
    ['parseContactArgs (name)', parseContactArgs],
    ['parseContactArgs (a field)', (t) => parseContactArgs(`Sam org:${t}`)],
    ['parseReviewArgs', (t) => parseReviewArgs(`Sam value:4 activity:3 potential:5 action:keep ${t}`)],
    ['normaliseEmail', normaliseEmail],
    ['normalisePhone', normalisePhone],
    ['parseFollowUp', parseFollowUp],
    ['parseSettingsArgs', parseSettingsArgs],
    ['parseThreadDecision', parseThreadDecision],
    ['parseThreadDecision (a decision)', (t) => parseThreadDecision(`changes: ${t}`)],
    ['parseThreadDecision (a word, then)', (t) => parseThreadDecision(`approve${t}`)],
    ['canonicalTimeZone', canonicalTimeZone],
    ['parseWeekday', parseWeekday],
    ['cleanText', cleanText],
    ['Teams commandText', (t) => commandText({ text: t })],
    ['erasure: scrubText (international phone)', (t) => scrubText(t, intlPhone)],
    ['erasure: scrubText (UK phone)', (t) => scrubText(t, ukPhone)],
    ['erasure: mentions', (t) => mentions(t, intlPhone) || mentions(t, ukPhone)],
  ];
  it.each(cases)('%s', (_name, f) => {
    expect(slowInputs(f)).toEqual([]);
  }, 120_000);
});

describe('typed commands: the length limit and NUL come first', () => {
  it('refuses an over-long message saying the limit and how to fix it, before reading it', () => {
    const text = `log ${'%'.repeat(149_988)} #U7:2.1`; // 150,000 characters
    let err: unknown;
    const { wallMs, cpuMs } = fastest(() => {
      try {
        parseCommand(text, { allowPrefix: true });
      } catch (e) {
        err = e;
        throw e;
      }
    });
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('invalid_input');
    const message = (err as AppError).userMessage;
    expect(message).toContain('That message is 150,000 characters long');
    expect(message).toContain('the most I read at once is 4,000');
    expect(message).toContain('nothing was saved');
    expect(message).toContain('split a longer story into two entries');
    expect(Math.min(wallMs, cpuMs)).toBeLessThan(5);
  });

  it('takes a message at the limit', () => {
    const text = `log ${'a'.repeat(MAX_TEXT_INPUT - 4)}`;
    expect(parseCommand(text)).toMatchObject({ kind: 'sub', sub: 'log' });
  });

  it('refuses a NUL with a message saying what to fix (it could not be stored, even as the raw request)', () => {
    const err = (() => {
      try {
        parseCommand('log Called\u0000Sam #U7:2.1');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).userMessage).toMatch(/contains a NUL character .* Type the text again instead of pasting it/);
  });

  it('hands on its arguments without other control or bidirectional-override characters', () => {
    expect(parseCommand('log Called\u202ESam\u2066 back\u0007 #U7:2.1\r\nsecond line')).toEqual({
      kind: 'sub', sub: 'log', args: 'CalledSam back #U7:2.1\nsecond line',
    });
  });
});

describe('cleanText', () => {
  it('drops C0 controls (not tab or newline), DEL, C1 and the bidi embeddings, overrides and isolates', () => {
    const c0 = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('');
    const c1 = Array.from({ length: 32 }, (_, i) => String.fromCharCode(0x80 + i)).join('');
    expect(cleanText(`a${c0}b\u007Fc${c1}d`)).toBe('a\t\n\nbcd'); // \r alone becomes a line break
    expect(cleanText('\u202Aa\u202Bb\u202Cc\u202Dd\u202Ee\u2066f\u2067g\u2068h\u2069')).toBe('abcdefgh');
  });

  it('keeps what people write: accents, emoji, right-to-left script, line breaks', () => {
    const text = 'Zoë met Siobhán 👋\nمرحبا\r\nnext\tcolumn — “quoted” ‘too’';
    expect(cleanText(text)).toBe('Zoë met Siobhán 👋\nمرحبا\nnext\tcolumn — “quoted” ‘too’');
  });
});

describe('verification texts (feedback, notes, statements)', () => {
  it('lose NUL, other control and bidi characters as well as zero-width ones', () => {
    expect(verificationText(' Add\u0000 the \u202Eoutcome\u200B of the call ')).toBe('Add the outcome of the call');
    expect(verificationText('\u0000\u202E\u2069')).toBeUndefined();
  });
});

describe('what the faster patterns still find', () => {
  it('an email after a run of percent signs, and none inside one', () => {
    expect(detectPersonalData('%%%% sam.taylor@example.com').map((f) => f.value)).toEqual(['sam.taylor@example.com']);
    expect(detectPersonalData('100%%sam@example.com')).toEqual([{ kind: 'email', value: '100%%sam@example.com', index: 0 }]);
    expect(detectPersonalData('%'.repeat(1000))).toEqual([]);
  });

  it('typographic quotes, closed and unclosed', () => {
    expect(splitArgs('a “b c” “d e')).toEqual(['a', 'b c', '“d', 'e']);
    expect(parseLogText('Met “Sam with:“Sam Taylor” #U7:2.1')).toMatchObject({ contactName: 'Sam Taylor', summary: 'Met “Sam' });
    expect(parseLogText('Met with:‘Jo Bloggs’ today #U7:2.1')).toMatchObject({ contactName: 'Jo Bloggs', summary: 'Met today' });
    expect(parseContactArgs('“Sam Taylor” org:“Acme Ltd” availability:“mornings')).toMatchObject({ name: 'Sam Taylor', org: 'Acme Ltd', availability: '“mornings' });
  });

  it('the gap before punctuation that a removed token leaves', () => {
    expect(parseLogText('Called Sam #U7:2.1 , then wrote it up  #U7:2.2 .').summary).toBe('Called Sam, then wrote it up.');
    expect(parseLogText(`Called\u00a0\u00a0Sam\u00a0! #U7:2.1`).summary).toBe('Called\u00a0\u00a0Sam!');
  });

  it('a decision in bold, and its feedback without control or bidi characters', () => {
    expect(parseThreadDecision('**approved**')).toEqual({ outcome: 'approve' });
    expect(parseThreadDecision('*changes: add the \u202Eoutcome\u0000*')).toEqual({ outcome: 'changes', feedback: 'add the outcome' });
    expect(parseThreadDecision(`x${'*'.repeat(50)}x`)).toBeNull();
  });

  it('a person\'s phone number however it was typed', () => {
    const scrub = (text: string) => scrubText(text, intlPhone);
    expect(scrub('call +33 1 23 45 67 89 today')).toBe('call [erased contact] today');
    expect(scrub('call 0033 (1) 23.45.67.89 today')).toBe('call [erased contact] today');
    expect(scrub('room 5 33 1 23 45 67 89')).toBe('room 5 [erased contact]');
    expect(scrub('call (33) 1 23 45 67 89')).toBe('call[erased contact]');
    const uk = (text: string) => scrubText(text, ukPhone);
    expect(uk('ring +44 (0) 7700 900123 or 07700-900-123 or 0044 7700 900123')).toBe('ring [erased contact] or [erased contact] or [erased contact]');
    expect(uk('ring +44  7700900123')).toBe('ring [erased contact]');
  });

  it('an email or phone over any real one is refused without being read', () => {
    expect(() => normaliseEmail(`${'a'.repeat(250)}@example.com`)).toThrow(/not an email address I can use/);
    expect(() => normalisePhone('0'.repeat(41))).toThrow(/41 characters long/);
    expect(normalisePhone('+44 (0) 7700 900 123')).toBe('+447700900123');
  });
});
