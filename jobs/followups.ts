// Follow-up reminders and post-placement check-ins, in each learner's morning, each sent once
// (src/services/schedules/send-follow-ups.ts); also contacts whose planned contact date has come.
import { runInSlot } from '../src/services/kernel/job-runs.ts';
import { sendDueFollowUps } from '../src/services/schedules/send-follow-ups.ts';
import type { JobDefinition } from './types.ts';

export const followupsJob: JobDefinition = {
  name: 'followups',
  cron: '*/5 * * * *',
  description: 'follow-up reminders, post-placement check-ins and contacts due',
  run: async ({ ctx }, now) => {
    const r = await runInSlot(ctx, 'followups', now, async () => ({ ...(await sendDueFollowUps(ctx, now)) }));
    return r.ran ? r.summary : { skipped: r.reason };
  },
};
