// Applies the retention policy once a day: contacts with no interaction for the workspace's period
// are erased, learners long after completion are anonymised, held log texts are dropped
// (src/services/contacts-privacy/apply-retention.ts). The admins get a count of what was removed.
import { applyRetention } from '../src/services/contacts-privacy/apply-retention.ts';
import type { JobDefinition } from './types.ts';

export const retentionJob: JobDefinition = {
  name: 'retention',
  cron: '15 3 * * *',
  description: 'erase personal data past the retention periods and report it to the admins',
  run: async ({ ctx }, now) => ({ ...(await applyRetention(ctx, now)) }),
};
