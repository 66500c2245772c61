// A scheduled job: a name, when it runs, and a handler that takes the time as an argument, finds
// the work due at or before it, and does one unit of work per row. Exactly-once comes from the
// database (JobRun rows and outbox dedupe keys), not from the scheduler.
import type { ServiceContext } from '../src/services/kernel/context.ts';
import type { ChatPorts } from '../src/services/outbox/deliver-outbox.ts';

export interface JobDeps {
  ctx: ServiceContext;
  ports: ChatPorts;
}

export interface JobDefinition {
  name: string;
  /** node-cron expression, evaluated in UTC; handlers do their own per-person time zones. */
  cron: string;
  description: string;
  run(deps: JobDeps, now: Date): Promise<Record<string, unknown>>;
}
