// Starts every job on its cron in the running bot; the one file that imports node-cron. A job
// still running when its next tick comes is skipped (noOverlap), and failures are logged, never
// thrown into the timer.
import cron, { type ScheduledTask } from 'node-cron';
import { measureJob } from '../src/lib/metrics.ts';
import type { JobDefinition, JobDeps } from './types.ts';

export interface Scheduler {
  stop(): Promise<void>;
}

export function startScheduler(jobs: JobDefinition[], deps: JobDeps): Scheduler {
  // Runs in progress, so that stop() lets them finish before the database is closed.
  const running = new Set<Promise<void>>();
  const tasks: ScheduledTask[] = jobs.map((job) =>
    cron.schedule(
      job.cron,
      async () => {
        const started = Date.now();
        const run = (async () => {
          try {
            const summary = await measureJob(job.name, () => job.run(deps, deps.ctx.clock.now()));
            deps.ctx.log.debug({ job: job.name, ms: Date.now() - started, ...summary }, 'job ran');
          } catch (err) {
            deps.ctx.log.error({ err, job: job.name }, 'job failed');
          }
        })();
        running.add(run);
        await run.finally(() => running.delete(run));
      },
      { name: job.name, timezone: 'Etc/UTC', noOverlap: true },
    ),
  );
  return {
    async stop() {
      await Promise.all(tasks.map((t) => t.stop()));
      await Promise.all(running);
    },
  };
}
