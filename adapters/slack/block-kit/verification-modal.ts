// The verification forms (feedback for Request changes / Reject, an overturn note, an IQA action, a
// witness statement, an edit, a witness choice) as one kind of Slack modal, and the parse of its
// submission. The core's form says what to show and carries a `target` (which entry, decision,
// sample or request); it rides in private_metadata and goes back to the core untouched.
import type { types } from '@slack/bolt';
import { z } from 'zod';
import type { FormTarget, VerificationForm } from '../../../src/services/verification/verification-forms.ts';
import { plainText } from './escape.ts';
import { fitBlocks, LIMITS, renderBlocks } from './message.ts';
import { MODAL_LIMITS } from './log-modal.ts';

export const VERIFICATION_FORM_CALLBACK_ID = 'verification_form';
/** The one input's block and action ID; field errors are reported against it. */
export const VALUE_FIELD = 'value';

export function verificationModal(form: VerificationForm): types.ModalView {
  const f = form.field;
  const element: types.InputBlockElement = f.type === 'text'
    ? {
      type: 'plain_text_input', action_id: VALUE_FIELD, multiline: true, max_length: f.maxLength,
      ...(f.initial ? { initial_value: f.initial.slice(0, f.maxLength) } : {}),
      ...(f.placeholder ? { placeholder: plainText(f.placeholder, 150) } : {}),
    }
    : {
      type: 'static_select', action_id: VALUE_FIELD,
      options: f.choices.slice(0, 100).map((c) => ({ text: plainText(c.label, MODAL_LIMITS.optionText), value: c.value.slice(0, MODAL_LIMITS.optionValue) })),
      ...(f.initial && f.choices.some((c) => c.value === f.initial)
        ? { initial_option: (() => { const c = f.choices.find((x) => x.value === f.initial)!; return { text: plainText(c.label, MODAL_LIMITS.optionText), value: c.value }; })() }
        : {}),
    };
  const input: types.InputBlock = {
    type: 'input', block_id: VALUE_FIELD, label: plainText(f.label, 2000), element,
    ...(f.hint ? { hint: plainText(f.hint, 2000) } : {}),
  };
  return {
    type: 'modal',
    callback_id: VERIFICATION_FORM_CALLBACK_ID,
    title: plainText(form.title, MODAL_LIMITS.title),
    submit: plainText(form.submitLabel, 24),
    close: plainText('Cancel', 24),
    private_metadata: JSON.stringify({ v: 1, target: form.target }).slice(0, MODAL_LIMITS.privateMetadata),
    blocks: [...fitBlocks(renderBlocks(form.intro), LIMITS.surfaceBlocks - 1), input],
  };
}

const ZMetadata = z.object({ v: z.literal(1), target: z.unknown() });
const ZValues = z.object({
  [VALUE_FIELD]: z.object({
    [VALUE_FIELD]: z.object({ value: z.string().nullish(), selected_option: z.object({ value: z.string() }).nullish() }),
  }),
});

/** The target and the value typed or chosen; undefined when the submission is not one of ours. */
export function parseVerificationSubmission(privateMetadata: string | undefined, values: unknown): { target: FormTarget; value: string } | undefined {
  let meta: unknown;
  try {
    meta = JSON.parse(privateMetadata ?? '');
  } catch {
    return undefined;
  }
  const m = ZMetadata.safeParse(meta);
  const v = ZValues.safeParse(values);
  if (!m.success || !v.success) return undefined;
  const field = v.data[VALUE_FIELD][VALUE_FIELD];
  // The target is checked (zod) and authorised by the core; here it is only carried.
  return { target: m.data.target as FormTarget, value: field.value ?? field.selected_option?.value ?? '' };
}
