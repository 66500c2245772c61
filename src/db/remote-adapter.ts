// The embedded database lives in the worker thread (src/worker/): PGlite runs PostgreSQL on the
// thread that owns it, so it must not be the thread that acknowledges Slack. The main thread's
// Prisma client reaches it through this driver adapter, which forwards each query, script and
// transaction step to the owner's real adapter. PGlite serialises them as it always does.
import type { IsolationLevel, SqlDriverAdapter, SqlDriverAdapterFactory, SqlQuery, SqlResultSet, Transaction } from '@prisma/driver-adapter-utils';
import type { Handlers, Rpc } from '../worker/rpc.ts';

/**
 * Owner side: the handlers that serve the database to the other thread. `factory` is asked for at
 * the first call (the database may open after the handlers are registered) and may throw.
 */
export function driverAdapterHandlers(factory: () => SqlDriverAdapterFactory): Handlers {
  let adapter: Promise<SqlDriverAdapter> | undefined;
  const connected = () => (adapter ??= factory().connect());
  const open = new Map<number, Transaction>();
  let seq = 0;
  const tx = (id: number) => {
    const t = open.get(id);
    if (!t) throw new Error('transaction already closed');
    return t;
  };
  return {
    'db.info': async () => ({ provider: factory().provider, adapterName: factory().adapterName, connectionInfo: (await connected()).getConnectionInfo?.() }),
    'db.queryRaw': async (q: SqlQuery) => (await connected()).queryRaw(q),
    'db.executeRaw': async (q: SqlQuery) => (await connected()).executeRaw(q),
    'db.executeScript': async (script: string) => (await connected()).executeScript(script),
    'db.begin': async (isolationLevel?: IsolationLevel) => {
      const t = await (await connected()).startTransaction(isolationLevel);
      const id = seq++;
      open.set(id, t);
      return { id, options: t.options };
    },
    'db.tx.queryRaw': (id: number, q: SqlQuery) => tx(id).queryRaw(q),
    'db.tx.executeRaw': (id: number, q: SqlQuery) => tx(id).executeRaw(q),
    'db.tx.commit': async (id: number) => {
      const t = tx(id);
      open.delete(id);
      await t.commit();
    },
    'db.tx.rollback': async (id: number) => {
      const t = tx(id);
      open.delete(id);
      await t.rollback();
    },
  };
}

/** The other side: a driver adapter factory for the main thread's Prisma client. */
export async function remoteAdapterFactory(rpc: Rpc): Promise<SqlDriverAdapterFactory> {
  const info = await rpc.call<{ provider: 'postgres'; adapterName: string; connectionInfo?: ReturnType<NonNullable<SqlDriverAdapter['getConnectionInfo']>> }>('db.info');
  const base = { provider: info.provider, adapterName: info.adapterName };
  const adapter: SqlDriverAdapter = {
    ...base,
    queryRaw: (q) => rpc.call<SqlResultSet>('db.queryRaw', q),
    executeRaw: (q) => rpc.call<number>('db.executeRaw', q),
    executeScript: (script) => rpc.call<void>('db.executeScript', script),
    getConnectionInfo: () => info.connectionInfo ?? { supportsRelationJoins: false },
    async startTransaction(isolationLevel) {
      const { id, options } = await rpc.call<{ id: number; options: Transaction['options'] }>('db.begin', isolationLevel);
      return {
        ...base,
        options,
        queryRaw: (q) => rpc.call<SqlResultSet>('db.tx.queryRaw', id, q),
        executeRaw: (q) => rpc.call<number>('db.tx.executeRaw', id, q),
        commit: () => rpc.call<void>('db.tx.commit', id),
        rollback: () => rpc.call<void>('db.tx.rollback', id),
      };
    },
    dispose: async () => {},
  };
  return { ...base, connect: async () => adapter };
}
