// Weekly manager digests, Monday 09:00 in each manager's time zone. Every quarter of an hour the
// sweep writes the digests that are due and not yet written (src/services/schedules/send-digests.ts), so a
// digest missed while the bot was down goes out when it is back, and never twice for one week.
import { runInSlot } from '../src/services/kernel/job-runs.ts';
import { sendDueDigests } from '../src/services/schedules/send-digests.ts';
import type { JobDefinition } from './types.ts';

export const digestsJob: JobDefinition = {
  name: 'digests',
  cron: '*/15 * * * *',
  description: 'weekly digest to each manager about their learners',
  run: async ({ ctx }, now) => {
    const r = await runInSlot(ctx, 'digests', now, async () => ({ ...(await sendDueDigests(ctx, now)) }));
    return r.ran ? r.summary : { skipped: r.reason };
  },
};
