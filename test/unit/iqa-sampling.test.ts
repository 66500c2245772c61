// The IQA sample rules: how many, which ones, and which week.
import { describe, expect, it } from 'vitest';
import { chooseSample, pickSample, previousIsoWeek, sampleSize } from '../../src/domain/iqa-sampling.ts';

describe('IQA sampling rules', () => {
  it('samples a share, at least one per assessor with decisions, never more than there are', () => {
    expect(sampleSize(0, 0.1)).toBe(0);
    expect(sampleSize(1, 0.1)).toBe(1);
    expect(sampleSize(9, 0.1)).toBe(1);
    expect(sampleSize(10, 0.1)).toBe(1);
    expect(sampleSize(11, 0.1)).toBe(2);
    expect(sampleSize(30, 0.1)).toBe(3);
    expect(sampleSize(3, 0.5)).toBe(2);
    expect(sampleSize(3, 2)).toBe(3);
    expect(sampleSize(5, 0)).toBe(0);
  });

  it('picks the same decisions whatever order they come in, and different ones in another week', () => {
    const items = Array.from({ length: 40 }, (_, i) => ({ id: `d${i}`, assessorId: i % 2 ? 'a' : 'b' }));
    const a = pickSample(items, 4, 'W1').map((x) => x.id);
    expect(pickSample([...items].reverse(), 4, 'W1').map((x) => x.id)).toEqual(a);
    expect(pickSample(items, 4, 'W2').map((x) => x.id)).not.toEqual(a);
    const chosen = chooseSample(items, () => 0.1, '2026-W48');
    expect(chosen.filter((d) => d.assessorId === 'a')).toHaveLength(2);
    expect(chosen.filter((d) => d.assessorId === 'b')).toHaveLength(2);
  });

  it('works on the last complete ISO week in the centre\'s time zone', () => {
    // Monday 30 Nov 2026 07:00 UTC: the week before is 23–29 Nov, 2026-W48.
    expect(previousIsoWeek(new Date('2026-11-30T07:00:00Z'), 'Europe/London')).toEqual({
      week: '2026-W48', start: new Date('2026-11-23T00:00:00Z'), end: new Date('2026-11-30T00:00:00Z'),
    });
    // Mid-week still means the last complete week; summer time shifts the bounds by an hour.
    expect(previousIsoWeek(new Date('2026-07-01T12:00:00Z'), 'Europe/London')).toEqual({
      week: '2026-W26', start: new Date('2026-06-21T23:00:00Z'), end: new Date('2026-06-28T23:00:00Z'),
    });
    // Across the new year: ISO week 53 of 2026.
    expect(previousIsoWeek(new Date('2027-01-04T09:00:00Z'), 'Europe/London').week).toBe('2026-W53');
  });
});
