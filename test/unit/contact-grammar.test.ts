import { describe, expect, it } from 'vitest';
import { isDueForReview, normaliseEmail, normalisePhone, parseContactArgs, parseReviewArgs } from '../../src/domain/contact.ts';

describe('contact add grammar', () => {
  it('reads a quoted name and every key', () => {
    expect(parseContactArgs('"Sam Taylor" org:"Acme Ltd" kind:candidate email:Sam@Example.com phone:"07700 900123" channel:phone availability:"weekday mornings" consent:yes consent-method:"verbal on call" notice:yes next:2w'))
      .toEqual({
        name: 'Sam Taylor', org: 'Acme Ltd', kind: 'candidate', email: 'sam@example.com', phone: '+447700900123', channel: 'phone',
        availability: 'weekday mornings', consent: true, consentMethod: 'verbal on call', notice: true, next: { kind: 'in', days: 14 },
      });
  });

  it('takes the bare words before the first key as the name', () => {
    expect(parseContactArgs('Sam Taylor kind:client').name).toBe('Sam Taylor');
    expect(parseContactArgs('“Jo O’Neill” consent:no')).toEqual({ name: 'Jo O’Neill', consent: false });
  });

  it('refuses what it cannot use, saying how to fix it', () => {
    expect(() => parseContactArgs('')).toThrow(/Start with the contact's name/);
    expect(() => parseContactArgs('Sam kind:boss')).toThrow(/kind:candidate/);
    expect(() => parseContactArgs('Sam email:not-an-email')).toThrow(/should look like `sam@example.com`/);
    expect(() => parseContactArgs('Sam phone:12345')).toThrow(/area code/);
    expect(() => parseContactArgs('Sam consent:maybe')).toThrow(/consent:yes/);
    expect(() => parseContactArgs('Sam colour:blue')).toThrow(/I don't know `colour:`/);
    expect(() => parseContactArgs('Sam org:Acme Ltd')).toThrow(/didn't understand `Ltd`/);
  });
});

describe('email and phone formats', () => {
  it('accepts real-looking ones and normalises them', () => {
    expect(normaliseEmail(' Sam.T@Example.CO.UK ')).toBe('sam.t@example.co.uk');
    expect(normalisePhone('020 7946 0000')).toBe('+442079460000');
    expect(normalisePhone('+33 1 23 45 67 89')).toBe('+33123456789');
  });
  it('refuses others', () => {
    expect(() => normaliseEmail('sam@localhost')).toThrow();
    expect(() => normalisePhone('call me')).toThrow(/not a phone number/);
    expect(() => normalisePhone('7700 900123')).toThrow(/area code/);
  });
});

describe('review grammar', () => {
  it('reads scores, action, next date, tags and the rationale', () => {
    expect(parseReviewArgs('"Sam Taylor" value:4 activity:2 potential:5 action:strengthen next:2026-12-01 Placed twice; prefers calls. #U7:2.1'))
      .toEqual({
        contactName: 'Sam Taylor', value: 4, activity: 2, potential: 5, action: 'strengthen', next: { kind: 'date', date: '2026-12-01' },
        rationale: 'Placed twice; prefers calls.', tags: [{ unit: 'U7', number: '2.1', raw: '#U7:2.1' }],
      });
  });
  it('needs all three scores, an action and a rationale', () => {
    expect(() => parseReviewArgs('Sam value:4 action:keep Good')).toThrow(/`activity:`, `potential:`/);
    expect(() => parseReviewArgs('Sam value:4 activity:3 potential:2 action:keep')).toThrow(/rationale/);
    expect(() => parseReviewArgs('Sam value:6 activity:3 potential:2 action:keep ok')).toThrow(/from 1 \(low\) to 5/);
    expect(() => parseReviewArgs('Sam value:4 activity:3 potential:2 action:drop ok')).toThrow(/action:discontinue/);
  });
});

describe('isDueForReview', () => {
  const now = new Date('2026-11-23T10:00:00Z');
  it('is due when neither added nor reviewed within the interval', () => {
    expect(isDueForReview({ createdAt: new Date('2026-09-01'), lastReviewAt: null }, now, 8)).toBe(true);
    expect(isDueForReview({ createdAt: new Date('2026-09-01'), lastReviewAt: new Date('2026-11-01') }, now, 8)).toBe(false);
    expect(isDueForReview({ createdAt: new Date('2026-11-20'), lastReviewAt: null }, now, 8)).toBe(false);
  });
});
