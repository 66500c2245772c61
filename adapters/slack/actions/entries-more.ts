// "More" under `/evidence list`: the next page of the learner's entries, in place of the last one.
import { z } from 'zod';
import { invalidInput } from '../../../src/lib/errors.ts';
import { entryListMessage } from '../../../src/services/evidence/list-entries.ts';
import type { SlackActionHandler } from './types.ts';

/** `<filter|all>:<page>`, as entryListMessage writes it. */
const ZMoreValue = z.string().regex(/^(all|pending|approved|changes|rejected):(\d{1,4})$/);

export const entriesMoreAction: SlackActionHandler = {
  id: 'entries.more',
  async handle({ value, actor, deps, reply }) {
    const parsed = ZMoreValue.safeParse(value);
    if (!parsed.success) throw invalidInput('That button is out of date. Type `/evidence list` for your entries.');
    const [filter, page] = parsed.data.split(':') as [string, string];
    const r = await deps.services.listEntries({ actor, filter: filter === 'all' ? undefined : filter, page: Number(page) });
    await reply(entryListMessage(r), { replaceOriginal: true });
  },
};
