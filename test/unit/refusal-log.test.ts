// Refused requests are logged as a count: the first at once, the rest summed up in one line per
// window, so a flood of refusals cannot become a flood of log lines.
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRefusalLog } from '../../src/http/refusal-log.ts';
import { createLogger } from '../../src/lib/logger.ts';

let lines: Record<string, any>[];
const capture = () => {
  lines = [];
  return createLogger('info', new Writable({ write(chunk, _e, done) { for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l)); done(); } }));
};

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('refusal log', () => {
  it('logs the first refusal at once and the rest of a burst as one count at the end of the window', () => {
    const refusals = createRefusalLog(capture(), { message: 'refused', windowMs: 10_000 });
    for (let i = 0; i < 300; i++) refusals.note(i % 3 ? 'unsigned' : 'stale');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'warn', msg: 'refused', refused: 1, byReason: { stale: 1 } });

    vi.advanceTimersByTime(9_999);
    expect(lines).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ refused: 299, byReason: { unsigned: 200, stale: 99 }, windowSeconds: 10 });

    // Quiet after that: nothing more is written, and the next refusal waits for its window.
    vi.advanceTimersByTime(60_000);
    expect(lines).toHaveLength(2);
    refusals.note('too_large', { declared: 4_000_000 });
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatchObject({ refused: 1, latest: { reason: 'too_large', declared: 4_000_000 } });
  });

  it('flush writes what is counted and cancels the pending line', () => {
    const refusals = createRefusalLog(capture(), { message: 'refused', level: 'error' });
    refusals.note('a');
    refusals.note('b');
    refusals.flush();
    expect(lines.map((l) => [l.level, l.refused])).toEqual([['error', 1], ['error', 1]]);
    vi.advanceTimersByTime(20_000);
    expect(lines).toHaveLength(2);
  });
});
