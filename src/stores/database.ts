import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { PrismaPg } from '@prisma/adapter-pg';
import type { DatabaseLocation } from '../config/config.js';

/** An open database: a connection string that `@prisma/adapter-pg` can use, whatever serves it. */
export interface Database {
  readonly name: string;
  readonly kind: DatabaseLocation['kind'];
  /** Connection string to the PostgreSQL wire protocol endpoint. */
  readonly url: string;
  /** Most connections a pool may open: PGlite serves one at a time. */
  readonly maxConnections: number;
  /** A fresh driver adapter factory for Prisma or the migration engine. */
  adapter(): PrismaPg;
  /**
   * Resolves once every connection closed so far is gone on the server side too:
   * PGlite serves one connection at a time and turns away the next until then.
   */
  settle(): Promise<void>;
  close(): Promise<void>;
}

const POSTGRES_POOL_SIZE = 10;

/**
 * Opens a database. A PostgreSQL URL is used as it is; a PGlite folder is served on a
 * loopback port by pglite-socket, so every layer above runs the same `pg` code path.
 */
export async function openDatabase(name: string, location: DatabaseLocation, timeoutMs = 5000): Promise<Database> {
  if (location.kind === 'postgres') {
    return {
      name,
      kind: 'postgres',
      url: location.url,
      maxConnections: POSTGRES_POOL_SIZE,
      adapter: () =>
        new PrismaPg({
          connectionString: location.url,
          max: POSTGRES_POOL_SIZE,
          connectionTimeoutMillis: timeoutMs,
          query_timeout: timeoutMs * 5,
        }),
      settle: () => Promise.resolve(),
      close: () => Promise.resolve(),
    };
  }
  await mkdir(location.dir, { recursive: true });
  const db = await PGlite.create(location.dir);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
  await server.start();
  const url = `postgresql://postgres@${server.getServerConn()}/postgres?sslmode=disable`;
  return {
    name,
    kind: 'pglite',
    url,
    maxConnections: 1,
    adapter: () => new PrismaPg({ connectionString: url, max: 1, connectionTimeoutMillis: timeoutMs }),
    async settle() {
      const deadline = Date.now() + timeoutMs;
      while (server.getStats().activeConnections > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    async close() {
      await server.stop();
      await db.close();
    },
  };
}
