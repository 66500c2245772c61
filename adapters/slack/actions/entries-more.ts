// "More" under `/evidence list`: the next page of the learner's entries, in place of the last one.
import { invalidInput } from '../../../src/lib/errors.ts';
import { LIST_MORE_ACTION, parseEntriesMoreValue } from '../../../src/messages/action-values.ts';
import { entryListMessage } from '../../../src/services/evidence/list-entries.ts';
import type { SlackActionHandler } from './types.ts';

export const entriesMoreAction: SlackActionHandler = {
  id: LIST_MORE_ACTION,
  async handle({ value, actor, deps, reply }) {
    const more = parseEntriesMoreValue(value);
    if (!more) throw invalidInput('That button is out of date. Type `/evidence list` for your entries.');
    const r = await deps.services.listEntries({ actor, filter: more.filter, page: more.page });
    await reply(entryListMessage(r), { replaceOriginal: true });
  },
};
