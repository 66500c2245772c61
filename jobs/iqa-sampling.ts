// Weekly IQA sampling: on Monday morning, a share of each assessor's decisions of the week just
// ended goes to an IQA. `npm run cli -- jobs run iqa-sampling --now 2026-11-30T07:00:00Z` samples
// 2026-W48; a rerun for the same week does nothing (src/services/verification/sample-decisions-for-iqa.ts).
import { IQA_JOB, sampleDecisionsForIqa } from '../src/services/verification/sample-decisions-for-iqa.ts';
import type { JobDefinition } from './types.ts';

export const iqaSamplingJob: JobDefinition = {
  name: IQA_JOB,
  cron: '0 7 * * 1',
  description: 'send a share of last week\'s assessment decisions to the IQAs',
  run: async ({ ctx }, now) => ({ ...(await sampleDecisionsForIqa(ctx, { now })) }),
};
