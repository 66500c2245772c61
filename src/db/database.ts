// Opens the database: embedded PGlite under DATA_DIR by default, PostgreSQL when a URL is given.
// The Prisma client is created here, once; this folder is the only importer of @prisma/client.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { makeOwnerOnly, prepareDataDir } from './data-dir.ts';
import { PrismaClient } from './generated/client.ts';

export type Db = PrismaClient;

export interface Database {
  readonly prisma: PrismaClient;
  readonly kind: 'pglite' | 'postgresql';
  /** The driver adapter factory the migration engine connects through. */
  readonly migrationAdapterFactory: SqlMigrationAwareDriverAdapterFactory;
  /** Where the data lives, for logs: a directory or a redacted URL. */
  readonly location: string;
  ping(): Promise<boolean>;
  close(): Promise<void>;
  /** Embedded only: the data directory as a tarball (test templates, backups). */
  dump?(): Promise<Blob>;
  /**
   * Embedded only: re-reads the array types. PGlite learns them when it opens, so an enum array
   * created by a migration afterwards (Role[]) is sent wrongly ("malformed array literal") until this runs.
   */
  refreshTypes?(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** postgresql://… ; unset opens the embedded database. */
  url?: string;
  /** Embedded database directory; ignored with a URL. 'memory://' for an in-memory database. */
  dataDir?: string;
  /** PostgreSQL schema to use instead of public (tests run each file in its own). */
  schema?: string;
  /** PGlite: start from this data-directory dump (tests use a migrated template). */
  loadDataDir?: Blob;
  /** PostgreSQL: connections in the pool (default 10). */
  poolSize?: number;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.url) return openPostgres(options.url, options.schema, options.poolSize);
  return openPGlite(options.dataDir ?? './data', options.loadDataDir);
}

async function openPGlite(dataDir: string, loadDataDir?: Blob): Promise<Database> {
  // Loaded here only: a bot on PostgreSQL never carries PGlite's bundles in its heap.
  const [{ PGlite }, { PrismaPGlite }] = await Promise.all([import('@electric-sql/pglite'), import('pglite-prisma-adapter')]);
  let location = 'memory';
  let pglite: PGlite;
  if (dataDir === 'memory://') {
    pglite = await PGlite.create({ loadDataDir });
  } else {
    const dir = prepareDataDir(dataDir);
    location = join(dir, 'pglite');
    mkdirSync(location, { recursive: true, mode: 0o700 });
    pglite = await PGlite.create(location, { loadDataDir });
    // Owner-only, after PostgreSQL has written (a new database) or found (an older install) its files.
    makeOwnerOnly(dir);
  }
  const adapterFactory = new PrismaPGlite(yieldingBetweenQueries(pglite));
  const prisma = new PrismaClient({ adapter: adapterFactory });
  return {
    prisma,
    kind: 'pglite',
    migrationAdapterFactory: adapterFactory,
    location,
    ping: () => ping(prisma),
    dump: async () => (await pglite.dumpDataDir('none')) as Blob,
    refreshTypes: () => pglite.refreshArrayTypes(),
    async close() {
      await prisma.$disconnect();
      if (!pglite.closed) await pglite.close();
    },
  };
}

/**
 * PGlite runs PostgreSQL (WebAssembly) on this thread, synchronously, and its promises resolve as
 * microtasks: without this, a job or a burst of writes would run from its first query to its last
 * without the event loop turning once, holding every HTTP request (and Slack's 3-second
 * acknowledgements) until it finished. Each query now waits for the next turn first (measured:
 * 20 logs in a row went from no turn at all to one every ~2 ms, at no cost in throughput).
 */
function yieldingBetweenQueries(pglite: PGlite): PGlite {
  const turn = () => new Promise<void>((resolveTurn) => setImmediate(resolveTurn));
  const wrap = <T extends object>(target: T, extra: (prop: string | symbol, bound: unknown) => unknown = () => undefined): T =>
    new Proxy(target, {
      get(t, prop) {
        const value = Reflect.get(t, prop, t);
        if (typeof value !== 'function') return value;
        const bound = (value as (...a: unknown[]) => unknown).bind(t);
        if (prop === 'query') return async (...args: unknown[]) => { await turn(); return bound(...args); };
        return extra(prop, bound) ?? bound;
      },
    });
  return wrap(pglite, (prop, bound) =>
    prop === 'transaction'
      ? (callback: (tx: object) => unknown) => (bound as (cb: (tx: object) => unknown) => unknown)((tx) => callback(wrap(tx)))
      : undefined,
  );
}

async function openPostgres(url: string, schema?: string, poolSize = 10): Promise<Database> {
  const poolConfig = {
    connectionString: url,
    // Each test file may run in its own schema; the migration engine and raw SQL follow search_path.
    ...(schema ? { options: `-c search_path="${schema}"` } : {}),
    max: poolSize,
    connectionTimeoutMillis: 5_000,
  };
  const adapterFactory = new PrismaPg(poolConfig, schema ? { schema } : undefined);
  const prisma = new PrismaClient({ adapter: adapterFactory });
  return {
    prisma,
    kind: 'postgresql',
    migrationAdapterFactory: wholeScripts(adapterFactory, poolConfig),
    location: url.replace(/\/\/[^@/]*@/, '//***@'),
    ping: () => ping(prisma),
    close: () => prisma.$disconnect(),
  };
}

async function ping(prisma: PrismaClient): Promise<boolean> {
  try {
    await prisma.$queryRawUnsafe('SELECT 1');
    return true;
  } catch {
    return false;
  }
}

/**
 * @prisma/adapter-pg runs a migration script by splitting it on every ";", which breaks the
 * PL/pgSQL function bodies in our migrations. This wrapper sends each script whole, over the simple
 * query protocol (as psql and `prisma migrate deploy` do), on a connection of its own.
 */
function wholeScripts(factory: PrismaPg, config: pg.ClientConfig): SqlMigrationAwareDriverAdapterFactory {
  const patch = (adapter: SqlDriverAdapter, clientConfig: pg.ClientConfig): SqlDriverAdapter => {
    adapter.executeScript = async (script: string) => {
      const client = new pg.Client(clientConfig);
      await client.connect();
      try {
        await client.query(script);
      } finally {
        await client.end();
      }
    };
    return adapter;
  };
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => patch(await factory.connect(), config),
    // The shadow database is only used by `npm run db:migration`, which runs on PGlite.
    connectToShadowDb: () => factory.connectToShadowDb(),
  };
}
