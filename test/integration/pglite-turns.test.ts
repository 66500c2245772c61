// The embedded database runs on the bot's own thread: the event loop must still turn between its
// queries, or a long job would hold every HTTP request (and Slack's acknowledgements) until it ends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

describe('PGlite and the event loop', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('pglite');
  });
  afterAll(() => db.destroy());

  it('lets other work run between the queries of a long sequence, inside a transaction too', async () => {
    let turns = 0;
    let running = true;
    const probe = () => {
      turns++;
      if (running) setImmediate(probe);
    };
    setImmediate(probe);
    for (let i = 0; i < 20; i++) await db.prisma.$queryRawUnsafe('SELECT count(*)::int AS n FROM generate_series(1, 2000)');
    const outside = turns;
    await db.prisma.$transaction(async (tx) => {
      for (let i = 0; i < 20; i++) await tx.$queryRawUnsafe('SELECT 1');
    });
    running = false;
    expect(outside).toBeGreaterThanOrEqual(20);
    expect(turns - outside).toBeGreaterThanOrEqual(20);
  });
});
