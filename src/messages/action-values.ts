// The ids of the buttons and the values they carry, written by the message builders and read back
// by the core (verification-actions.ts) for Slack and Teams alike. A value only says WHICH thing was
// clicked (and the version the person saw); who may act on it is always checked by the service
// against the database. Every value format is written and parsed here, and nowhere else.

export const ACTION = {
  approve: 'entry.approve',
  changes: 'entry.changes',
  reject: 'entry.reject',
  edit: 'entry.edit',
  witness: 'entry.witness',
  history: 'entry.history',
  countersign: 'decision.countersign',
  overturn: 'decision.overturn',
  iqaConfirm: 'iqa.confirm',
  iqaAction: 'iqa.action',
  witnessWrite: 'witness.write',
} as const;

/**
 * The submit buttons of the two verification forms whose opener carries no field of its own, where
 * a form is drawn as a card (Teams). The other forms submit with their opener's own id, value and
 * the field typed beside it (verification-forms.ts, formSubmitAction).
 */
export const FORM_SUBMIT = {
  editSave: 'entry.edit.save',
  witnessAsk: 'entry.witness.ask',
} as const;

/** `<entryId>:<version>` on the entry buttons (approve, changes, reject, edit). */
export const entryActionValue = (entryId: string, version: number) => `${entryId}:${version}`;

export function parseEntryActionValue(value: string): { entryId: string; version: number } | undefined {
  const m = /^([0-9a-f-]{36}):(\d{1,9})$/i.exec(value.trim());
  return m ? { entryId: m[1]!.toLowerCase(), version: Number(m[2]) } : undefined;
}

/** A bare record id (a decision, an IQA sample, a witness request, an entry). */
export function parseIdValue(value: string): string | undefined {
  const v = value.trim();
  return /^[0-9a-f-]{36}$/i.test(v) ? v.toLowerCase() : undefined;
}

/** `<filter|all>:<page>` on the More button under `list` (`entries.more`). */
export const LIST_MORE_ACTION = 'entries.more';
export const entriesMoreValue = (filter: string | undefined, page: number) => `${filter ?? 'all'}:${page}`;

export function parseEntriesMoreValue(value: string): { filter?: string; page: number } | undefined {
  const m = /^(all|pending|approved|changes|rejected):(\d{1,4})$/.exec(value.trim());
  if (!m) return undefined;
  return { ...(m[1] === 'all' ? {} : { filter: m[1] }), page: Number(m[2]) };
}

/** `<unit ref>:<criterion>` (`K/507/0949:2.1`) on a criterion's Log button (`criterion.log`). */
export const CRITERION_LOG_ACTION = 'criterion.log';
export const criterionLogValue = (unitRef: string, number: string) => `${unitRef}:${number}`;

export function parseCriterionLogValue(value: string): { unitRef: string; number: string } | undefined {
  const m = /^([A-Za-z]\/\d{3}\/\d{4}):(\d+\.\d+)$/.exec(value.trim());
  return m ? { unitRef: m[1]!, number: m[2]! } : undefined;
}
