// What every use case receives: the database, the clock, the logger, and a way to wake the outbox
// after a commit. Built once in main.ts (and by tests with a fake clock).
import type { Db } from '../../db/database.ts';
import type { Logger } from '../../lib/logger.ts';
import type { Clock } from '../../ports/clock.ts';
import type { CommandInbox } from '../commands/command-inbox.ts';

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
  /** The running bot's journal of acknowledged writes (command-inbox.ts); absent in tests and the CLI. */
  commandInbox?: CommandInbox;
}

/** Who is acting, as the chat platform says. The services look the person up; nothing else is trusted. */
export interface ActorRef {
  platform: 'slack' | 'teams' | 'cli';
  /** Slack team ID or Teams tenant ID; may be empty. */
  workspaceId: string;
  userId: string;
}
