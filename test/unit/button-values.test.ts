// Button values are written and read in one place (src/messages/action-values.ts, and the form
// targets in verification-forms.ts): what the core writes on a button, or on a form's submit button
// where a form is drawn as a card (Teams), reads back as the same thing.
import { describe, expect, it } from 'vitest';
import {
  ACTION, criterionLogValue, entriesMoreValue, entryActionValue, FORM_SUBMIT, parseCriterionLogValue, parseEntriesMoreValue, parseEntryActionValue,
} from '../../src/messages/action-values.ts';
import { VERIFICATION_ACTION_IDS } from '../../src/services/verification/verification-actions.ts';
import { formSubmitAction, formTargetForAction, type FormTarget } from '../../src/services/verification/verification-forms.ts';

const E = '0b6f5c1e-2f0a-4c55-9d3e-1a2b3c4d5e6f';
const D = '1c7a6d2f-3a1b-4d66-8e4f-2b3c4d5e6f70';

describe('button values', () => {
  const targets: FormTarget[] = [
    { kind: 'decision', entryId: E, version: 3, outcome: 'changes' },
    { kind: 'decision', entryId: E, version: 3, outcome: 'reject' },
    { kind: 'overturn', decisionId: D },
    { kind: 'iqa_action', sampleId: D },
    { kind: 'witness_statement', witnessRequestId: D },
    { kind: 'edit', entryId: E, version: 2 },
    { kind: 'witness_request', entryId: E },
  ];

  it.each(targets)('a form drawn as a card submits back to the same target ($kind)', (target) => {
    const submit = formSubmitAction(target);
    expect(VERIFICATION_ACTION_IDS).toContain(submit.id);
    expect(formTargetForAction(submit.id, submit.value)).toEqual(target);
  });

  it('the buttons that open a form read the values the messages write', () => {
    expect(formTargetForAction(ACTION.changes, entryActionValue(E, 4))).toEqual({ kind: 'decision', entryId: E, version: 4, outcome: 'changes' });
    expect(formTargetForAction(ACTION.edit, entryActionValue(E, 2))).toEqual({ kind: 'edit', entryId: E, version: 2 });
    expect(formTargetForAction(FORM_SUBMIT.witnessAsk, E)).toEqual({ kind: 'witness_request', entryId: E });
    expect(parseEntryActionValue(entryActionValue(E, 7))).toEqual({ entryId: E, version: 7 });
    // Malformed values are out of date, never a target.
    for (const bad of [`${E}`, `${E}:x`, 'e1:3', `${E}:3:9`, '']) expect(formTargetForAction(ACTION.changes, bad)).toBeUndefined();
    expect(formTargetForAction(ACTION.overturn, `${D}:1`)).toBeUndefined();
    expect(formTargetForAction('entry.teleport', E)).toBeUndefined();
  });

  it('the list and criteria buttons read back what they write', () => {
    expect(parseEntriesMoreValue(entriesMoreValue(undefined, 2))).toEqual({ page: 2 });
    expect(parseEntriesMoreValue(entriesMoreValue('changes', 1))).toEqual({ filter: 'changes', page: 1 });
    expect(parseEntriesMoreValue('wizard:1')).toBeUndefined();
    expect(parseCriterionLogValue(criterionLogValue('K/507/0949', '2.1'))).toEqual({ unitRef: 'K/507/0949', number: '2.1' });
    expect(parseCriterionLogValue('U7:2.1')).toBeUndefined();
  });
});
