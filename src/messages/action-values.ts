// The ids of the verification buttons and the values they carry, written by the message builders
// and read back by the adapters. A value only says WHICH thing was clicked (and the version the
// person saw); who may act on it is always checked by the service against the database.

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
