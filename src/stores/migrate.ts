import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';
import * as engineModule from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { MigrationList, SchemaEngine, SchemaFilter } from '@prisma/schema-engine-wasm';
import type { Database } from './database.js';

/** The two Prisma schemas Meridian migrates: every region shares `records`. */
export type SchemaName = 'records' | 'control';

const here = path.dirname(fileURLToPath(import.meta.url));
/** prisma/ at the package root, from src/stores or dist/stores. */
export const PRISMA_DIR = path.resolve(here, '..', '..', 'prisma');
const NO_FILTER: SchemaFilter = { externalTables: [], externalEnums: [] };

/** The slice of the WebAssembly global used here (TypeScript's Node lib does not declare it). */
interface WasmApi {
  instantiate(bytes: Uint8Array, imports: Record<string, object>): Promise<{ instance: { exports: object } }>;
}

let wasmReady: Promise<void> | undefined;

/**
 * Prisma's schema engine compiled to WebAssembly: migrations without any binary download.
 * Its JS glue is a bundler build, so the module is instantiated here by hand.
 */
function loadEngine(): Promise<void> {
  wasmReady ??= (async () => {
    const require = createRequire(import.meta.url);
    const glue = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const bytes = await readFile(glue.replace(/\.js$/, '.wasm'));
    const { instance } = await (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly.instantiate(bytes, {
      './schema_engine_bg.js': engineModule,
    });
    engineModule.__wbg_set_wasm(instance.exports as Parameters<typeof engineModule.__wbg_set_wasm>[0]);
    (instance.exports as { __wbindgen_start?: () => void }).__wbindgen_start?.();
  })();
  return wasmReady;
}

const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

/**
 * The engine reads the catalogue's one-byte `"char"` columns (relkind, contype, ...),
 * which `@prisma/adapter-pg` refuses as an unsupported type. pg already decodes them
 * as strings, so this client reports them as text.
 */
class CatalogueClient extends pg.Client {
  override query(...args: unknown[]): never {
    const last = args.at(-1);
    if (typeof last === 'function') {
      args[args.length - 1] = (err: Error | undefined, res: pg.QueryResult | undefined): unknown =>
        (last as (e?: Error, r?: pg.QueryResult) => unknown)(err, res && charAsText(res));
    }
    const result = (super.query as (...a: unknown[]) => unknown)(...args);
    return (result instanceof Promise ? result.then(charAsText) : result) as never;
  }
}

function charAsText(res: pg.QueryResult): pg.QueryResult {
  for (const field of res.fields) if (field.dataTypeID === PG_CHAR_OID) field.dataTypeID = PG_TEXT_OID;
  return res;
}

/**
 * The adapter's shadow database copies this config with another `database`; a
 * `connectionString` would win over it, so the URL is handed over in parts.
 */
function migrationAdapter(db: Database): MigrationPg {
  return new MigrationPg({ ...parseIntoClientConfig(db.url), max: db.maxConnections, Client: CatalogueClient });
}

/**
 * `PrismaPg.connectToShadowDb` drops the shadow database before closing its own pool,
 * which PostgreSQL refuses; this one closes the pool first.
 */
class MigrationPg extends PrismaPg {
  readonly #config: pg.PoolConfig;
  constructor(config: pg.PoolConfig) {
    super(config);
    this.#config = config;
  }
  readonly #open = new Set<{ dispose(): Promise<void> }>();

  override async connect(): ReturnType<PrismaPg['connect']> {
    const adapter = await super.connect();
    this.#open.add(adapter);
    return adapter;
  }

  /** The engine never disposes what it connected; PGlite serves one connection at a time. */
  async disposeAll(): Promise<void> {
    for (const adapter of this.#open) await adapter.dispose().catch(() => undefined);
    this.#open.clear();
  }

  override async connectToShadowDb(): ReturnType<PrismaPg['connectToShadowDb']> {
    const main = await this.connect();
    const database = `prisma_migrate_shadow_db_${randomUUID().replaceAll('-', '')}`;
    await main.executeScript(`CREATE DATABASE "${database}"`);
    const shadow = await new PrismaPg({ ...this.#config, database }).connect();
    const dispose = async (): Promise<void> => {
      await shadow.dispose();
      await main.executeScript(`DROP DATABASE IF EXISTS "${database}"`);
      await main.dispose();
    };
    return new Proxy(shadow, {
      get: (target, prop, receiver): unknown => (prop === 'dispose' ? dispose : Reflect.get(target, prop, receiver)),
    });
  }
}

export function schemaPath(schema: SchemaName, prismaDir = PRISMA_DIR): string {
  return path.join(prismaDir, schema, 'schema.prisma');
}

export function migrationsDir(schema: SchemaName, prismaDir = PRISMA_DIR): string {
  return path.join(prismaDir, schema, 'migrations');
}

/** Reads a Prisma Migrate migrations folder the way the Prisma CLI hands it to the engine. */
export async function readMigrations(schema: SchemaName, prismaDir = PRISMA_DIR): Promise<MigrationList> {
  const baseDir = migrationsDir(schema, prismaDir);
  const lockPath = path.join(baseDir, 'migration_lock.toml');
  const entries = existsSync(baseDir) ? await readdir(baseDir, { withFileTypes: true }) : [];
  const dirs = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return {
    baseDir,
    lockfile: {
      path: 'migration_lock.toml',
      content: existsSync(lockPath) ? await readFile(lockPath, 'utf8') : null,
    },
    shadowDbInitScript: '',
    migrationDirectories: await Promise.all(
      dirs.map(async (dir) => ({
        path: dir,
        migrationFile: {
          path: 'migration.sql',
          content: { tag: 'ok' as const, value: await readFile(path.join(baseDir, dir, 'migration.sql'), 'utf8') },
        },
      })),
    ),
  };
}

async function withEngine<T>(
  db: Database,
  schema: SchemaName,
  prismaDir: string,
  run: (engine: SchemaEngine, datamodel: string) => Promise<T>,
): Promise<T> {
  await loadEngine();
  const datamodel = await readFile(schemaPath(schema, prismaDir), 'utf8');
  const factory = migrationAdapter(db);
  const adapter = bindMigrationAwareSqlAdapterFactory(factory);
  const engine = await engineModule.SchemaEngine.new(
    { datamodels: [['schema.prisma', datamodel]] },
    () => undefined,
    adapter,
  );
  try {
    return await run(engine, datamodel);
  } finally {
    engine.free();
    await factory.disposeAll();
    await db.settle();
  }
}

/**
 * Applies every pending committed migration, recording them in `_prisma_migrations`
 * exactly as `prisma migrate deploy` does. Returns the names applied now.
 */
export function applyMigrations(db: Database, schema: SchemaName): Promise<string[]> {
  return withEngine(db, schema, PRISMA_DIR, async (engine) => {
    const out = await engine.applyMigrations({ migrationsList: await readMigrations(schema), filters: NO_FILTER });
    return out.appliedMigrationNames;
  });
}

/**
 * The SQL that would bring the committed migrations up to schema.prisma; empty when
 * they agree. `prismaDir` defaults to the package's prisma/ folder. Replays the migrations on a shadow database, so `db` must be a server
 * that may create one (PostgreSQL, not PGlite).
 */
export function diffMigrationsToSchema(db: Database, schema: SchemaName, prismaDir = PRISMA_DIR): Promise<string> {
  return withEngine(db, schema, prismaDir, async (engine, datamodel) => {
    const res = await engine.diff({
      from: { tag: 'migrations', ...(await readMigrations(schema, prismaDir)) },
      to: { tag: 'schemaDatamodel', files: [{ path: schemaPath(schema, prismaDir), content: datamodel }] },
      script: true,
      exitCode: null,
      filters: NO_FILTER,
    });
    return (res.stdout ?? '').replace(/^-- This is an empty migration\.\s*$/m, '').trim();
  });
}
