// Every scheduled job by name: what the scheduler runs and what `npm run cli -- jobs run NAME` finds.
import { digestsJob } from './digests.ts';
import { followupsJob } from './followups.ts';
import { iqaSamplingJob } from './iqa-sampling.ts';
import { nudgesJob } from './nudges.ts';
import { outboxJob } from './outbox.ts';
import { retentionJob } from './retention.ts';
import type { JobDefinition } from './types.ts';

export const JOBS: JobDefinition[] = [outboxJob, retentionJob, nudgesJob, followupsJob, digestsJob, iqaSamplingJob];

export function findJob(name: string): JobDefinition | undefined {
  return JOBS.find((j) => j.name === name);
}
