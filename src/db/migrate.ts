// Applies the committed SQL migrations in prisma/migrations/ without Prisma's native binary, through
// Prisma's schema engine compiled to WebAssembly (@prisma/schema-engine-wasm, an ordinary npm
// dependency, so nothing is downloaded at run time). It keeps the same _prisma_migrations table as
// `prisma migrate deploy`, so either tool can take over.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import type { Database } from './database.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const MIGRATIONS_DIR = join(root, 'prisma', 'migrations');
export const SCHEMA_PATH = join(root, 'prisma', 'schema.prisma');

type SchemaEngineModule = typeof import('@prisma/schema-engine-wasm/schema_engine_bg');
type SchemaEngine = Awaited<ReturnType<SchemaEngineModule['SchemaEngine']['new']>>;

interface WasmApi {
  instantiate(bytes: Uint8Array, imports: Record<string, unknown>): Promise<{ instance: { exports: unknown } }>;
}

let engineModule: Promise<SchemaEngineModule> | undefined;

/** Loads the WebAssembly module once per process (it is an ES module importing a .wasm file). */
function loadEngineModule(): Promise<SchemaEngineModule> {
  engineModule ??= (async () => {
    const bg = await import('@prisma/schema-engine-wasm/schema_engine_bg');
    const require = createRequire(import.meta.url);
    const wasmPath = join(dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg')), 'schema_engine_bg.wasm');
    // @types/node 20 does not declare the WebAssembly global; its shape here is all we use.
    const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const { instance } = await wasm.instantiate(readFileSync(wasmPath), { './schema_engine_bg.js': bg });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start: () => void }).__wbindgen_start();
    return bg;
  })();
  return engineModule;
}

export interface EngineSession {
  engine: SchemaEngine;
  /** Frees the engine and releases the connections it opened (else PostgreSQL keeps the
   *  migration advisory lock until the pool times out, and the next run waits for it). */
  dispose(): Promise<void>;
}

export async function createSchemaEngine(adapterFactory: SqlMigrationAwareDriverAdapterFactory): Promise<EngineSession> {
  const bg = await loadEngineModule();
  const schema = readFileSync(SCHEMA_PATH, 'utf8');
  const opened: SqlDriverAdapter[] = [];
  const track = async (connect: () => Promise<SqlDriverAdapter>) => {
    const adapter = await connect();
    opened.push(adapter);
    return adapter;
  };
  const tracking: SqlMigrationAwareDriverAdapterFactory = {
    provider: adapterFactory.provider,
    adapterName: adapterFactory.adapterName,
    connect: () => track(() => adapterFactory.connect()),
    connectToShadowDb: () => track(() => adapterFactory.connectToShadowDb()),
  };
  const engine = await bg.SchemaEngine.new(
    { datamodels: [[SCHEMA_PATH, schema]] },
    () => {},
    bindMigrationAwareSqlAdapterFactory(tracking),
  );
  return {
    engine,
    async dispose() {
      engine.free();
      await Promise.allSettled(opened.map((a) => a.dispose()));
    },
  };
}

export const NO_FILTERS = { externalTables: [], externalEnums: [] };

/** The committed migrations, as the engine wants them. */
export function readMigrationsList(dir = MIGRATIONS_DIR) {
  const names = existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()
    : [];
  const lockPath = join(dir, 'migration_lock.toml');
  return {
    baseDir: dir,
    lockfile: { path: 'migration_lock.toml', content: existsSync(lockPath) ? readFileSync(lockPath, 'utf8') : null },
    shadowDbInitScript: '',
    migrationDirectories: names.map((name) => ({
      path: name,
      migrationFile: {
        path: 'migration.sql',
        content: { tag: 'ok' as const, value: readFileSync(join(dir, name, 'migration.sql'), 'utf8') },
      },
    })),
  };
}

/** Applies every pending migration; returns the names applied now (empty when up to date). */
export async function applyMigrations(db: Database): Promise<string[]> {
  const session = await createSchemaEngine(db.migrationAdapterFactory);
  try {
    const out = await session.engine.applyMigrations({ migrationsList: readMigrationsList(), filters: NO_FILTERS });
    if (out.appliedMigrationNames.length) await db.refreshTypes?.();
    return out.appliedMigrationNames;
  } finally {
    await session.dispose();
  }
}

export interface MigrationStatus {
  applied: { name: string; finishedAt: Date | null }[];
  pending: string[];
  /** Recorded in the database but missing from prisma/migrations (a newer version ran here). */
  unknown: string[];
}

export async function migrationStatus(db: Database): Promise<MigrationStatus> {
  const committed = readMigrationsList().migrationDirectories.map((d) => d.path);
  let rows: { migration_name: string; finished_at: Date | null; rolled_back_at: Date | null }[] = [];
  try {
    rows = await db.prisma.$queryRawUnsafe(
      'SELECT migration_name, finished_at, rolled_back_at FROM _prisma_migrations ORDER BY started_at',
    );
  } catch (err) {
    if (!/_prisma_migrations/.test(String(err))) throw err;
  }
  const done = rows.filter((r) => r.finished_at && !r.rolled_back_at);
  const doneNames = new Set(done.map((r) => r.migration_name));
  return {
    applied: done.map((r) => ({ name: r.migration_name, finishedAt: r.finished_at })),
    pending: committed.filter((n) => !doneNames.has(n)),
    unknown: [...doneNames].filter((n) => !committed.includes(n)),
  };
}
