// Check-in nudges: every minute, learners whose check-in time has come and who have logged nothing
// since the last one get a nudge (src/services/schedules/send-nudges.ts). One run per minute slot.
import { runInSlot } from '../src/services/kernel/job-runs.ts';
import { sendDueNudges } from '../src/services/schedules/send-nudges.ts';
import type { JobDefinition } from './types.ts';

export const nudgesJob: JobDefinition = {
  name: 'nudges',
  cron: '* * * * *',
  description: 'check-in nudges to learners who have logged nothing since their last check-in',
  run: async ({ ctx }, now) => {
    const r = await runInSlot(ctx, 'nudges', now, async () => ({ ...(await sendDueNudges(ctx, now)) }));
    return r.ran ? r.summary : { skipped: r.reason };
  },
};
