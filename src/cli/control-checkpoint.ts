import { existsSync } from 'node:fs';
import type { Config } from '../config/config.js';
import type { HeadCheckpoint } from '../ledger/head-checkpoint.js';
import { PrismaControlPlane } from '../stores/control-plane.js';
import { databaseOptions, openDatabase } from '../stores/database.js';
import { ControlPlaneHeadCheckpoint } from '../stores/ledger-head-checkpoint.js';
import { applyMigrations } from '../stores/migrate.js';

/**
 * Runs `run` with the embedded ledger's head checkpoint in the control plane, opened for it
 * alone (no region). An embedded control plane that was never created has recorded nothing:
 * `run` then gets no checkpoint, and nothing is created.
 */
export async function withControlCheckpoint<T>(
  config: Pick<Config, 'controlDatabase' | 'regionTimeoutMs' | 'database'>,
  run: (checkpoint: HeadCheckpoint | undefined) => Promise<T>,
): Promise<T> {
  const location = config.controlDatabase;
  if (location.kind === 'pglite' && !existsSync(location.dir)) return run(undefined);
  const db = await openDatabase('control', location, databaseOptions(config));
  try {
    await applyMigrations(db, 'control');
    const control = new PrismaControlPlane(db);
    try {
      return await run(new ControlPlaneHeadCheckpoint(control.chainHeads));
    } finally {
      await control.close();
    }
  } finally {
    await db.close();
  }
}
