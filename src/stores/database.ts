import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import type { Config, DatabaseLocation } from '../config/config.js';

/** An open database: a connection string that `@prisma/adapter-pg` can use, whatever serves it. */
export interface Database {
  readonly name: string;
  readonly kind: DatabaseLocation['kind'];
  /** Connection string to the PostgreSQL wire protocol endpoint. */
  readonly url: string;
  /** Most connections the pool may open: PGlite serves one at a time. */
  readonly maxConnections: number;
  /**
   * The database's connection pool, opened lazily: every Prisma client of this database and
   * every plain `pg` read share it, so `maxConnections` bounds them all together (and
   * `planOncePool`'s one connection, once used, comes on top).
   */
  readonly pool: pg.Pool;
  /**
   * One connection, opened lazily beside `pool`, on which PostgreSQL plans each named statement
   * once and keeps that plan (`plan_cache_mode=force_generic_plan`): for a statement run with
   * every request whose best plan does not depend on its parameters, but which PostgreSQL would
   * plan afresh at every execution (the audit append's, whose arrays it sizes: 0.5 ms a time).
   * PGlite: `pool` itself.
   */
  readonly planOncePool: pg.Pool;
  /** A driver adapter factory for Prisma on `pool` (which it never ends: `close` does). */
  adapter(): PrismaPg;
  /**
   * Resolves once every connection closed so far is gone on the server side too:
   * PGlite serves one connection at a time and turns away the next until then.
   */
  settle(): Promise<void>;
  /** Ends the pool, then (PGlite) stops serving the folder. */
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** Most connections to a PostgreSQL database (PGlite: always 1). Default 10. */
  readonly poolSize?: number;
  /**
   * How long a query waits for a connection from the pool (a free one, or a new one opened)
   * before it fails with `PoolExhausted`. Default 5000.
   */
  readonly connectTimeoutMs?: number;
  /** How long one query may run on PostgreSQL before the client gives up on it. Default 5 × connectTimeoutMs. */
  readonly queryTimeoutMs?: number;
}

/** No connection of a database's pool came free (or could be opened) within the pool's connect timeout. */
export class PoolExhausted extends Error {
  readonly database: string;
  constructor(database: string, ms: number, options?: ErrorOptions) {
    super(`no connection to database ${database} was free within ${ms} ms`, options);
    this.name = 'PoolExhausted';
    this.database = database;
  }
}

/**
 * A connection from `db`'s pool; `PoolExhausted` when none came within the connect timeout
 * (pg-pool says so only in its message; every other failure is passed on as it is).
 */
export async function connection(db: Pick<Database, 'name' | 'pool'>): Promise<pg.PoolClient> {
  try {
    return await db.pool.connect();
  } catch (err) {
    if (err instanceof Error && /timeout exceeded when trying to connect/i.test(err.message)) {
      throw new PoolExhausted(db.name, db.pool.options.connectionTimeoutMillis ?? 0, { cause: err });
    }
    throw err;
  }
}

const POSTGRES_POOL_SIZE = 10;

/**
 * The pools the configuration asks for. A query may run five region deadlines before the
 * client gives up on it (the deadline itself answers the caller long before).
 */
export function databaseOptions(config: Pick<Config, 'database' | 'regionTimeoutMs'>): DatabaseOptions {
  return {
    poolSize: config.database.poolSize,
    connectTimeoutMs: config.database.connectTimeoutMs,
    queryTimeoutMs: config.regionTimeoutMs * 5,
  };
}

/**
 * Opens a database. A PostgreSQL URL is used as it is; a PGlite folder is served on a
 * loopback port by pglite-socket, so every layer above runs the same `pg` code path.
 */
export async function openDatabase(
  name: string,
  location: DatabaseLocation,
  options: Readonly<DatabaseOptions> = {},
): Promise<Database> {
  const connectTimeoutMs = options.connectTimeoutMs ?? 5000;
  if (location.kind === 'postgres') {
    const maxConnections = options.poolSize ?? POSTGRES_POOL_SIZE;
    const settings = {
      connectionString: location.url,
      connectionTimeoutMillis: connectTimeoutMs,
      query_timeout: options.queryTimeoutMs ?? connectTimeoutMs * 5,
    };
    const pool = new pg.Pool({ ...settings, max: maxConnections });
    // Options the URL gives replace these (pg reads the URL last): the plans are then as on `pool`.
    const planOncePool = new pg.Pool({ ...settings, max: 1, options: '-c plan_cache_mode=force_generic_plan' });
    const [endPool, endPlanOnce] = [endOnce(pool), endOnce(planOncePool)];
    return {
      name,
      kind: 'postgres',
      url: location.url,
      maxConnections,
      pool,
      planOncePool,
      adapter: () => new PrismaPg(pool),
      settle: () => Promise.resolve(),
      close: async () => {
        await Promise.all([endPool(), endPlanOnce()]);
      },
    };
  }
  await mkdir(location.dir, { recursive: true });
  const db = await PGlite.create(location.dir);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
  await server.start();
  const url = `postgresql://postgres@${server.getServerConn()}/postgres?sslmode=disable`;
  const pool = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: connectTimeoutMs });
  const endPool = endOnce(pool);
  return {
    name,
    kind: 'pglite',
    url,
    maxConnections: 1,
    pool,
    planOncePool: pool,
    adapter: () => new PrismaPg(pool),
    async settle() {
      const deadline = Date.now() + connectTimeoutMs;
      while (server.getStats().activeConnections > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    async close() {
      await endPool();
      await server.stop();
      await db.close();
    },
  };
}

/** `pool.end()` for the first call, the same promise for every later one (pg refuses a second end). */
function endOnce(pool: pg.Pool): () => Promise<void> {
  let ended: Promise<void> | undefined;
  return () => (ended ??= pool.end());
}
