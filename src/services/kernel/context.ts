// What every use case receives: the database, the clock, the logger, and a way to wake the outbox
// after a commit. Built once in main.ts (and by tests with a fake clock).
import type { Db } from '../../db/database.ts';
import type { Logger } from '../../lib/logger.ts';
import type { Clock } from '../../ports/clock.ts';
import type { AcceptedRequest, ActorRef } from './requests.ts';

export type { ActorRef };

export interface ServiceContext {
  db: Db;
  clock: Clock;
  log: Logger;
  /** IANA zone for people who have none set (TZ_DEFAULT). */
  defaultTimeZone: string;
  /** Wakes the outbox worker so messages written by a service leave now, not at the next tick. */
  kickOutbox(): void;
  /** Where the CLI writes exports (DATA_DIR/exports); erasures remove stale files there. */
  exportDir?: string;
  /**
   * Runs a request the inbox has just committed (commands/inbox.ts), in this process, a few at a
   * time. Absent in the CLI and in tests that run requests themselves: the inbox sweep does them.
   */
  runInbox?(request: AcceptedRequest): void;
}
