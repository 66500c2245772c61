// A ServiceContext for tests: a real test database, a settable clock, a silent logger, and the
// roster fixture loaded on demand.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../../src/lib/logger.ts';
import type { Clock } from '../../src/ports/clock.ts';
import type { ActorRef, ServiceContext } from '../../src/services/kernel/context.ts';
import { importRoster } from '../../src/services/roster/import-roster.ts';
import { createTestDatabase, type Backend, type TestDatabase } from './db.ts';

export class TestClock implements Clock {
  constructor(private at: Date = new Date('2026-11-23T10:00:00Z')) {}
  now(): Date {
    return new Date(this.at);
  }
  set(iso: string | Date): void {
    this.at = new Date(iso);
  }
  advance(ms: number): void {
    this.at = new Date(this.at.getTime() + ms);
  }
}

export const quietLogger = () => createLogger('silent');

export interface TestContext {
  db: TestDatabase;
  ctx: ServiceContext;
  clock: TestClock;
  kicks: number;
}

export async function createTestContext(backend: Backend = 'pglite'): Promise<TestContext> {
  const db = await createTestDatabase(backend);
  const clock = new TestClock();
  const t: TestContext = {
    db, clock, kicks: 0,
    ctx: { db: db.prisma, clock, log: quietLogger(), defaultTimeZone: 'Europe/London', kickOutbox: () => void t.kicks++ },
  };
  return t;
}

export const ROSTER_CSV = readFileSync(fileURLToPath(new URL('../fixtures/roster.csv', import.meta.url)), 'utf8');

export async function loadRoster(ctx: ServiceContext, csv = ROSTER_CSV) {
  return importRoster(ctx, { csv });
}

/** Chat identities from the roster fixture. */
export const PEOPLE = {
  learner: { platform: 'slack', workspaceId: 'T0CENTRE', userId: 'U0LEARN1' },
  learner2: { platform: 'slack', workspaceId: 'T0CENTRE', userId: 'U0LEARN2' },
  assessor: { platform: 'slack', workspaceId: 'T0CENTRE', userId: 'U0ASSESS1' },
  unqualifiedAssessor: { platform: 'slack', workspaceId: 'T0CENTRE', userId: 'U0ASSESS2' },
  manager: { platform: 'slack', workspaceId: 'T0CENTRE', userId: 'U0MANAGE1' },
  iqa: { platform: 'slack', workspaceId: 'T0CENTRE', userId: 'U0IQA1' },
  admin: { platform: 'slack', workspaceId: 'T0CENTRE', userId: 'U0ADMIN1' },
  teamsLearner: { platform: 'teams', workspaceId: 'tenant-1', userId: '00000000-0000-0000-0000-0000000000a1' },
  teamsAssessor: { platform: 'teams', workspaceId: 'tenant-1', userId: '00000000-0000-0000-0000-0000000000b1' },
  stranger: { platform: 'slack', workspaceId: 'T0CENTRE', userId: 'U0STRANGER' },
} satisfies Record<string, ActorRef>;
