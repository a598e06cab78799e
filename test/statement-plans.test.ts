// How PostgreSQL plans the gateway's statements: a region's reads (by arrays of ids) and the
// audit append are planned once per connection; the control plane's other statements as the
// server chooses, since their best plan can depend on what they are given.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { regionUrlVariable } from '../src/config/regions.js';
import { openStores, type Stores } from '../src/stores/open-stores.js';
import { createTestDatabase, type TestDatabase } from './support/postgres.js';

describe('statement plans on PostgreSQL', () => {
  const databases: TestDatabase[] = [];
  let stores: Stores;

  beforeAll(async () => {
    const control = await createTestDatabase('plans_control');
    const region = await createTestDatabase('plans_eu_de');
    databases.push(control, region);
    const config = loadConfig({
      MERIDIAN_REGIONS: 'eu-de=DE',
      MERIDIAN_CONTROL_URL: control.url,
      [regionUrlVariable('eu-de')]: region.url,
    });
    stores = await openStores(config);
  });
  afterAll(async () => {
    await stores.close();
    for (const db of databases) await db.drop();
  });

  const planMode = async (pool: Stores['databases'][number]['pool']): Promise<string> =>
    (await pool.query<{ mode: string }>('SELECT current_setting($1) AS mode', ['plan_cache_mode'])).rows[0]!.mode;

  it("plans a region's statements once per connection, and the control plane's as the server chooses", async () => {
    const [control, region] = stores.databases;
    expect(control?.name).toBe('control');
    expect(region?.name).toBe('eu-de');
    expect(await planMode(region!.pool)).toBe('force_generic_plan');
    expect(region!.planOncePool).toBe(region!.pool);
    expect(await planMode(control!.pool)).toBe('auto');
    expect(await planMode(control!.planOncePool)).toBe('force_generic_plan');
  });
});
