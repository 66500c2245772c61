import { describe, expect, it } from 'vitest';
import {
  detectPersonalData, erasurePatterns, redactPersonalData, scrubJson, scrubText, ukNationalDigits,
} from '../../src/domain/personal-data.ts';

const kinds = (t: string) => detectPersonalData(t).map((f) => [f.kind, f.value]);

describe('detectPersonalData', () => {
  it('finds email addresses', () => {
    expect(kinds('Emailed sam.taylor+jobs@example.co.uk about the role')).toEqual([['email', 'sam.taylor+jobs@example.co.uk']]);
  });

  it('finds UK phone numbers however they are typed', () => {
    for (const p of ['07700 900123', '07700900123', '+44 7700 900123', '+44 (0)7700 900123', '0044 7700 900123', '020 7946 0000', '0161-496-0000', '(0117) 496 0123']) {
      expect(kinds(`Rang them on ${p} today`), p).toEqual([['phone', p]]);
    }
  });

  it('does not take a number running on after the phone number as part of it', () => {
    expect(kinds('call 07700 900123 2026 plans')).toEqual([['phone', '07700 900123']]);
  });

  it('finds National Insurance numbers, spaced or not', () => {
    expect(kinds('NI AB123456C on file')).toEqual([['nino', 'AB123456C']]);
    expect(kinds('NI ab 12 34 56 c')).toEqual([['nino', 'ab 12 34 56 c']]);
  });

  it('leaves criterion tags, unit references, dates, durations and prefixes HMRC never issues alone', () => {
    expect(kinds('Called Sam #U7:2.1 #K/507/0949:1.4 follow-up:2026-12-01 mins:45 on 01/12/2026 at 10:30')).toEqual([]);
    expect(kinds('Reference GB123456A and QQ123456C and 12345678')).toEqual([]);
    expect(kinds('Placed 3 candidates for £25,000 each, 0.5 FTE')).toEqual([]);
  });

  it('finds several kinds in one text, in order', () => {
    expect(detectPersonalData('Sam (sam@example.com, 07700 900123, AB123456C)').map((f) => f.kind)).toEqual(['email', 'phone', 'nino']);
  });
});

describe('redactPersonalData', () => {
  it('replaces each finding with a neutral label and keeps the rest as written', () => {
    expect(redactPersonalData('Called Sam on 07700 900123, then emailed sam@example.com. NI AB123456C #U7:2.1'))
      .toBe('Called Sam on [phone removed], then emailed [email removed]. NI [NI number removed] #U7:2.1');
  });
});

describe('ukNationalDigits', () => {
  it('normalises the ways a UK number is written', () => {
    expect(ukNationalDigits('07700 900123')).toBe('7700900123');
    expect(ukNationalDigits('+44 (0)7700-900-123')).toBe('7700900123');
    expect(ukNationalDigits('+33 1 23 45 67 89')).toBeUndefined();
    expect(ukNationalDigits('12345')).toBeUndefined();
  });
});

describe('erasure patterns', () => {
  const terms = { name: 'Quentin Blakesley', email: 'quentin.b@example.org', phone: '+447700900123' };

  it('find the name in any case and spacing, the email, and the phone however it was typed', () => {
    const p = erasurePatterns(terms);
    expect(scrubText('Met QUENTIN  blakesley (Quentin.B@Example.org) on 07700 900 123, +44 7700 900123 and 7700-900-123; not 177009001234.', p))
      .toBe('Met [erased contact] ([erased contact]) on [erased contact], [erased contact] and [erased contact]; not 177009001234.');
    expect(scrubText('Mail quentin.b@example.org', erasurePatterns({ ...terms, nameParts: true }))).toBe('Mail [erased contact]');
  });

  it('replace the first name alone only when asked (texts known to be about this contact)', () => {
    expect(scrubText('Called Quentin about the role', erasurePatterns(terms))).toBe('Called Quentin about the role');
    expect(scrubText("Called Quentin about Quentin's role; Quentina is someone else", erasurePatterns({ ...terms, nameParts: true })))
      .toBe("Called [erased contact] about [erased contact]'s role; Quentina is someone else");
  });

  it('never find a name again inside the marker it put in', () => {
    expect(scrubText('Met Old Contact, then Contact again', erasurePatterns({ name: 'Old Contact', nameParts: true }))).toBe('Met [erased contact], then [erased contact] again');
  });

  it('scrub every string inside JSON, keys and other values untouched', () => {
    const json = { purpose: 'entry_root', message: { fallback: 'Quentin Blakesley', blocks: [{ type: 'text', text: 'mail quentin.b@example.org' }] }, n: 3 };
    expect(scrubJson(json, erasurePatterns(terms))).toEqual({
      purpose: 'entry_root', message: { fallback: '[erased contact]', blocks: [{ type: 'text', text: 'mail [erased contact]' }] }, n: 3,
    });
  });
});
