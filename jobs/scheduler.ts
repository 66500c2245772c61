// Starts every job on its cron in the running bot; the one file that imports node-cron. A job
// still running when its next tick comes is skipped (noOverlap), and failures are logged, never
// thrown into the timer.
import cron, { type ScheduledTask } from 'node-cron';
import type { JobDefinition, JobDeps } from './types.ts';

export interface Scheduler {
  stop(): Promise<void>;
}

export function startScheduler(jobs: JobDefinition[], deps: JobDeps): Scheduler {
  const tasks: ScheduledTask[] = jobs.map((job) =>
    cron.schedule(
      job.cron,
      async () => {
        const started = Date.now();
        try {
          const summary = await job.run(deps, deps.ctx.clock.now());
          deps.ctx.log.debug({ job: job.name, ms: Date.now() - started, ...summary }, 'job ran');
        } catch (err) {
          deps.ctx.log.error({ err, job: job.name }, 'job failed');
        }
      },
      { name: job.name, timezone: 'Etc/UTC', noOverlap: true },
    ),
  );
  return {
    async stop() {
      await Promise.all(tasks.map((t) => t.stop()));
    },
  };
}
