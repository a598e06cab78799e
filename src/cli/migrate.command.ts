import type { Command } from 'commander';
import { loadConfig } from '../config/config.js';
import { databaseOptions, openDatabase } from '../stores/database.js';
import { lockDataDir } from '../stores/data-dir-lock.js';
import { applyMigrations } from '../stores/migrate.js';

/** `meridian migrate`: applies committed migrations to the control plane and every region. */
export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations to the control plane and every region (offline)')
    .action(async () => {
      const config = loadConfig();
      const unlock =
        config.controlDatabase.kind === 'pglite' ? await lockDataDir(config.dataDir, 'meridian migrate') : null;
      try {
        const targets = [
          { name: 'control', location: config.controlDatabase, schema: 'control' as const },
          ...config.regions.map((r) => ({
            name: r.id,
            location: config.regionDatabases[r.id],
            schema: 'records' as const,
          })),
        ];
        for (const target of targets) {
          if (target.location === undefined) continue;
          const db = await openDatabase(target.name, target.location, databaseOptions(config));
          try {
            const applied = await applyMigrations(db, target.schema);
            console.log(`${target.name}: ${applied.length > 0 ? `applied ${applied.join(', ')}` : 'up to date'}`);
          } finally {
            await db.close();
          }
        }
      } finally {
        await unlock?.();
      }
    });
}
