import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/stores/database.js';
import { applyMigrations, diffMigrationsToSchema, PRISMA_DIR, type SchemaName } from '../src/stores/migrate.js';
import { createTestDatabase, type TestDatabase } from './support/postgres.js';

const SCHEMAS: SchemaName[] = ['records', 'control'];

describe('migrations', () => {
  let target: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    target = await createTestDatabase('migrate');
    db = await openDatabase('migrate', { kind: 'postgres', url: target.url });
  });
  afterAll(async () => {
    await db.close();
    await target.drop();
  });

  it.each(SCHEMAS)('the committed %s migrations agree with schema.prisma (empty diff)', async (schema) => {
    expect(await diffMigrationsToSchema(db, schema)).toBe('');
  });

  it('apply to an empty PostgreSQL database, are recorded like Prisma Migrate, and re-applying is a no-op', async () => {
    const applied = await applyMigrations(db, 'records');
    expect(applied.length).toBeGreaterThan(0);
    expect(await applyMigrations(db, 'records')).toEqual([]);
    const client = new pg.Client({ connectionString: target.url });
    await client.connect();
    try {
      const tables = await client.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
      );
      expect(tables.rows.map((r) => r.table_name)).toEqual([
        '_prisma_migrations',
        'record_anchor_batches',
        'record_anchors',
        'records',
      ]);
      const history = await client.query<{ migration_name: string; finished_at: Date | null }>(
        'SELECT migration_name, finished_at FROM _prisma_migrations',
      );
      expect(history.rows.map((r) => r.migration_name)).toEqual(applied);
      expect(history.rows.every((r) => r.finished_at !== null)).toBe(true);
    } finally {
      await client.end();
    }
  });
});

describe('drift detection', () => {
  let copy: string;
  let target: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    copy = await mkdtemp(path.join(os.tmpdir(), 'meridian-prisma-'));
    await cp(PRISMA_DIR, copy, { recursive: true });
    target = await createTestDatabase('drift');
    db = await openDatabase('drift', { kind: 'postgres', url: target.url });
  });
  afterAll(async () => {
    await db.close();
    await target.drop();
    await rm(copy, { recursive: true, force: true });
  });

  it('reports the SQL a schema.prisma change without its migration would need', async () => {
    const schemaFile = path.join(copy, 'records', 'schema.prisma');
    const changed = (await readFile(schemaFile, 'utf8')).replace(
      '  importedAt   DateTime',
      '  reviewedBy   String?  @map("reviewed_by")\n  importedAt   DateTime',
    );
    await writeFile(schemaFile, changed);
    const diff = await diffMigrationsToSchema(db, 'records', copy);
    expect(diff).toMatch(/ALTER TABLE "records" ADD COLUMN\s+"reviewed_by" TEXT/);
  });
});
