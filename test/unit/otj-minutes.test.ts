// Off-the-job minutes have one range (src/domain/otj-minutes.ts): the `log` grammar, the draft's
// schema, Slack's modal and Teams' card accept and refuse the same values.
import { describe, expect, it } from 'vitest';
import { logFormView, parseLogSubmission } from '../../adapters/slack/block-kit/log-modal.ts';
import { draftFromForm, logFormCard } from '../../adapters/teams/forms.ts';
import { parseLogText } from '../../src/domain/log-grammar.ts';
import { isOtjMinutes, MAX_MINUTES, MIN_MINUTES } from '../../src/domain/otj-minutes.ts';
import { ZEvidenceDraft } from '../../src/services/evidence/record-evidence.ts';

describe('off-the-job minutes', () => {
  const slackState = (minutes: string) => ({
    summary: { summary: { type: 'plain_text_input', value: 'Called Sam' } },
    criteria: { criteria: { type: 'multi_static_select', selected_options: [{ value: 'K/507/0949:2.1' }] } },
    minutes: { minutes: { type: 'number_input', value: minutes } },
  });
  const teams = (minutes: string) => () => draftFromForm({ summary: 'Called Sam', criteria: '#U7:2.1', minutes }, { timeZone: 'Europe/London', now: new Date('2026-11-23T10:00:00Z') });
  const draft = (minutes: number) => ZEvidenceDraft.safeParse({ summary: 'Called Sam', tags: [{ unit: 'U7', number: '2.1', raw: '#U7:2.1' }], minutes }).success;

  it('is one range, 1 to a day, everywhere minutes are taken', () => {
    expect([MIN_MINUTES, MAX_MINUTES]).toEqual([1, 1440]);
    const slackInput = JSON.stringify(logFormView({ now: new Date('2026-11-23T10:00:00Z') }));
    expect(slackInput).toContain(`"min_value":"${MIN_MINUTES}","max_value":"${MAX_MINUTES}"`);
    const teamsInput = JSON.stringify(logFormCard({ today: '2026-11-23' }));
    expect(teamsInput).toContain(`"min":${MIN_MINUTES},"max":${MAX_MINUTES}`);

    for (const ok of [MIN_MINUTES, 45, MAX_MINUTES]) {
      expect(isOtjMinutes(ok)).toBe(true);
      expect(parseLogText(`Called Sam #U7:2.1 mins:${ok}`).minutes).toBe(ok);
      expect(draft(ok)).toBe(true);
      expect(parseLogSubmission(slackState(String(ok)))).toMatchObject({ ok: true, draft: { minutes: ok } });
      expect(teams(String(ok))().minutes).toBe(ok);
    }
    for (const bad of [MIN_MINUTES - 1, MAX_MINUTES + 1, 2.5]) {
      expect(isOtjMinutes(bad)).toBe(false);
      expect(() => parseLogText(`Called Sam #U7:2.1 mins:${bad}`)).toThrow(`between ${MIN_MINUTES} and ${MAX_MINUTES}`);
      expect(draft(bad)).toBe(false);
      expect(parseLogSubmission(slackState(String(bad)))).toMatchObject({ ok: false, errors: { minutes: `Whole minutes between ${MIN_MINUTES} and ${MAX_MINUTES}.` } });
      expect(teams(String(bad))).toThrow(`from ${MIN_MINUTES} to ${MAX_MINUTES}`);
    }
  });
});
