import { describe, expect, it } from 'vitest';
import { parseFollowUp, parseLogText } from '../../src/domain/log-grammar.ts';
import { AppError } from '../../src/lib/errors.ts';

const refusal = (text: string) => {
  try {
    parseLogText(text);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return (err as AppError).userMessage;
  }
  throw new Error(`expected "${text}" to be refused`);
};

describe('the log grammar', () => {
  it('takes the contract example apart and keeps the summary as written', () => {
    const r = parseLogText('Called Sam a week after placement to check in #U7:2.1 #K/507/0949:1.4');
    expect(r.summary).toBe('Called Sam a week after placement to check in');
    expect(r.tags.map((t) => `${t.unit}:${t.number}`)).toEqual(['U7:2.1', 'K/507/0949:1.4']);
    expect(r.simulated).toBe(false);
    expect(r.placement).toBe(false);
  });

  it('reads tags in any case and anywhere, once each', () => {
    const r = parseLogText('#u7:1.1 Met Jo at the REC breakfast #k/507/0949:1.1 and again #U7:1.1');
    expect(r.tags.map((t) => `${t.unit.toUpperCase()}:${t.number}`)).toEqual(['U7:1.1', 'K/507/0949:1.1']);
    expect(r.summary).toBe('Met Jo at the REC breakfast and again');
  });

  it('understands follow-up, with, mins, simulated and placement tokens', () => {
    const r = parseLogText('Role-play interview with:"Sam Taylor" mins:45 follow-up:2w simulated placement:yes #U1:1.2');
    expect(r).toMatchObject({
      summary: 'Role-play interview',
      contactName: 'Sam Taylor',
      minutes: 45,
      followUp: { kind: 'in', days: 14 },
      simulated: true,
      placement: true,
    });
    expect(parseLogText('x with:Sam #U1:1.1').contactName).toBe('Sam');
    expect(parseLogText('x with:“Ann Lee” #U1:1.1').contactName).toBe('Ann Lee');
  });

  it('accepts dates and delays for follow-ups and refuses impossible ones', () => {
    expect(parseFollowUp('2026-12-01')).toEqual({ kind: 'date', date: '2026-12-01' });
    expect(parseFollowUp('7d')).toEqual({ kind: 'in', days: 7 });
    expect(parseFollowUp('2W')).toEqual({ kind: 'in', days: 14 });
    expect(() => parseFollowUp('2026-02-30')).toThrow(/not a date I understand/);
    expect(() => parseFollowUp('soon')).toThrow(/follow-up:2026-12-01/);
  });

  it('explains how to fix a bad log instead of guessing', () => {
    expect(refusal('Called Sam #U7')).toMatch(/missing its criterion number/);
    expect(refusal('Called Sam')).toMatch(/Which criteria/);
    expect(refusal('#U7:1.1')).toMatch(/Say what happened/);
    expect(refusal('Called Sam mins:0 #U7:1.1')).toMatch(/whole minutes/);
    expect(refusal('Called Sam placement:maybe #U7:1.1')).toMatch(/placement:yes/);
    expect(refusal(`${'x'.repeat(2600)} #U7:1.1`)).toMatch(/under 2500/);
  });

  it('leaves ordinary words and numbers alone', () => {
    const r = parseLogText('Ranked #1 in the team, placement went well #U7:2.1');
    expect(r.summary).toBe('Ranked #1 in the team, placement went well');
    expect(r.placement).toBe(false);
  });
});
