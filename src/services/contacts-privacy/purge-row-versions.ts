// After an erasure the rows say "[erased contact]", but the database files may still hold what they
// said before: PostgreSQL keeps old row versions in the table pages until a vacuum, and every change
// in its write-ahead log (WAL), whose segment files are recycled (renamed for reuse, not cleared).
//
// On the embedded database (PGlite, all under DATA_DIR) this removes them: VACUUM FULL rewrites each
// table with only its live rows (the old files are deleted at the next checkpoint); then, with WAL
// recycling off, the log is switched onto a newly created (zero-filled) segment and checkpointed, so
// every older segment, and every recycled one waiting for reuse, is deleted rather than kept.
//
// On a PostgreSQL server a plain VACUUM of the same tables makes the old row versions reclaimable
// without locking the bot out of them (VACUUM FULL would). The server's WAL, its archive and its
// backups are the server's: they keep the data for their own retention.
import type { ServiceContext } from '../kernel/context.ts';

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

let running: Promise<unknown> = Promise.resolve();

/**
 * Purges old row versions (and, on PGlite, the WAL) after an erasure has committed. Never throws:
 * the erasure itself is done; a failure is logged and reported as false.
 */
export function purgeOldRowVersions(ctx: ServiceContext): Promise<boolean> {
  // One at a time: two interleaved purges would switch WAL recycling back on under each other.
  const next = running.then(() => purge(ctx));
  running = next.catch(() => undefined);
  return next.then(
    () => true,
    (err) => {
      ctx.log.error({ err }, 'purging old row versions after an erasure failed: the database files may still hold erased data until the next erasure or vacuum');
      return false;
    },
  );
}

async function purge(ctx: ServiceContext): Promise<void> {
  const started = Date.now();
  const db = ctx.db;
  const [{ version }] = await db.$queryRawUnsafe<{ version: string }[]>('SELECT version() AS version') as [{ version: string }];
  const tables = (await db.$queryRawUnsafe<{ name: string }[]>(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename <> '_prisma_migrations' ORDER BY tablename`,
  )).map((t) => quote(t.name));
  if (tables.length === 0) return;

  if (!version.includes('PGlite')) {
    await db.$executeRawUnsafe(`VACUUM ${tables.join(', ')}`);
    ctx.log.info({ tables: tables.length, ms: Date.now() - started }, 'old row versions vacuumed after an erasure');
    return;
  }

  // VACUUM and CHECKPOINT cannot run inside a transaction: each is a statement of its own.
  const walFile = async () =>
    (await db.$queryRawUnsafe<{ name: string }[]>(`SELECT pg_walfile_name(pg_current_wal_lsn()) AS name`))[0]!.name;
  await db.$executeRawUnsafe('SET wal_recycle = off');
  try {
    await db.$executeRawUnsafe('SET wal_init_zero = on');
    await db.$executeRawUnsafe(`VACUUM FULL ${tables.join(', ')}`);
    await db.$executeRawUnsafe('CHECKPOINT');
    // Every segment that exists now may hold erased data, the current one and the recycled ones
    // waiting ahead of it alike: move past the last of them, onto a new one, then checkpoint.
    const [{ last }] = await db.$queryRawUnsafe<{ last: string }[]>(
      `SELECT max(name) AS last FROM pg_ls_waldir() WHERE name ~ '^[0-9A-F]{24}$'`,
    ) as [{ last: string }];
    let switches = 0;
    while ((await walFile()) <= last) {
      // A checkpoint writes a WAL record, so the switch that follows always moves on.
      await db.$queryRawUnsafe('SELECT pg_switch_wal()::text AS lsn');
      await db.$executeRawUnsafe('CHECKPOINT');
      if (++switches > 1000) throw new Error('the WAL did not move past its old segments');
    }
    await db.$executeRawUnsafe('CHECKPOINT');
    ctx.log.info({ tables: tables.length, switches, ms: Date.now() - started }, 'old row versions and WAL purged after an erasure');
  } finally {
    await db.$executeRawUnsafe('RESET wal_recycle');
    await db.$executeRawUnsafe('RESET wal_init_zero');
  }
}
