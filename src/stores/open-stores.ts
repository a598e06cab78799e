import type { Config } from '../config/config.js';
import { PrismaControlPlane, type ControlPlane } from './control-plane.js';
import { databaseOptions, openDatabase, type Database } from './database.js';
import { applyMigrations } from './migrate.js';
import type { RecordAnchorStore } from './record-anchor-store.js';
import { PrismaRecordStore, type RecordStore } from './record-store.js';

export interface Stores {
  /** Record store per region id, in configuration order. */
  readonly stores: ReadonlyMap<string, RecordStore>;
  /** Record anchors per region id, on the same connections as `stores`. */
  readonly anchors: ReadonlyMap<string, RecordAnchorStore>;
  readonly control: ControlPlane;
  readonly databases: readonly Database[];
  close(): Promise<void>;
}

/**
 * Opens the control plane and every region's store, applying pending migrations
 * first (migrating twice is a no-op), so a fresh machine needs no separate step.
 */
export async function openStores(
  config: Config,
  options: {
    migrate?: boolean;
    /** Open only these regions (a one-region command). */ regions?: readonly string[];
    /** Told how many audit events each group commit wrote, and how long each append waited for it (seconds). */
    onAuditGroupCommit?: (size: number, waits: readonly number[]) => void;
  } = {},
): Promise<Stores> {
  const databases: Database[] = [];
  const closeAll = async (): Promise<void> => {
    await Promise.allSettled(databases.map((db) => db.close()));
  };
  try {
    // PGlite initialises each folder for seconds on first start: open them side by side.
    const opened = await Promise.all(
      [
        { name: 'control', schema: 'control' as const, location: config.controlDatabase },
        ...config.regions
          .filter((r) => options.regions === undefined || options.regions.includes(r.id))
          .map((r) => ({
            name: r.id,
            schema: 'records' as const,
            location: config.regionDatabases[r.id],
          })),
      ].map(async ({ name, schema, location }) => {
        if (location === undefined) throw new Error(`no database configured for region ${name}`);
        const db = await openDatabase(name, location, databaseOptions(config));
        databases.push(db);
        if (options.migrate !== false) await applyMigrations(db, schema);
        return db;
      }),
    );
    const [controlDb, ...regionDbs] = opened as [Database, ...Database[]];
    const regionStores = regionDbs.map((db) => new PrismaRecordStore(db.name, db));
    const stores = new Map<string, RecordStore>(regionStores.map((s) => [s.region, s]));
    const anchors = new Map<string, RecordAnchorStore>(regionStores.map((s) => [s.region, s.anchors]));
    const control = new PrismaControlPlane(
      controlDb,
      options.onAuditGroupCommit ? { onGroupCommit: options.onAuditGroupCommit } : {},
    );
    return {
      stores,
      anchors,
      control,
      databases,
      async close() {
        await Promise.allSettled([control.close(), ...[...stores.values()].map((s) => s.close())]);
        await closeAll();
      },
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
