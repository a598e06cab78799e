import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.js';

const SUMMARY = /* GraphQL */ `
  query Summary($patientId: ID!, $purpose: PurposeOfUse!) {
    patientSummary(patientId: $patientId, purpose: $purpose) {
      regions
      unavailableRegions
    }
  }
`;

interface SummaryData {
  patientSummary: { regions: string[]; unavailableRegions: string[] };
}

const REGION_TIMEOUT_MS = 1000;
const CONNECT_TIMEOUT_MS = 5000;

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

/** Waits (without a deadline of its own: the test's timeout bounds it) until `ready` holds. */
async function until(ready: () => boolean): Promise<void> {
  while (!ready()) await sleep(5);
}

// One connection per database, so a test holding it queues every query of the gateway behind it:
// the saturated gateway of a bench run, made deterministic.
describe('a gateway whose connection pools are saturated', () => {
  let t: TestGateway;
  let clinician: string;
  let patient: { globalId: string; regions: string[] };
  const pool = (database: string): pg.Pool => {
    const db = t.gateway.stores.databases.find((d) => d.name === database);
    if (db === undefined) throw new Error(`no database ${database}`);
    return db.pool;
  };
  const summary = () => t.graphql<SummaryData>(SUMMARY, { patientId: patient.globalId, purpose: 'TREAT' }, clinician);

  beforeAll(async () => {
    t = await startTestGateway({
      env: {
        // Uncached: every read goes to the regions.
        MERIDIAN_CACHE_TTL_MS: '0',
        MERIDIAN_DB_POOL_SIZE: '1',
        MERIDIAN_REGION_TIMEOUT_MS: String(REGION_TIMEOUT_MS),
        MERIDIAN_DB_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
      },
    });
    clinician = await t.token('dr-weber');
    const p = t.demo.patients[0]!;
    patient = { globalId: p.globalId, regions: p.locations.map((l) => l.region).sort() };
    await t.consentToTreatment(p.globalId);
  });
  afterAll(async () => {
    await t.close();
  });

  /**
   * Holds `database`'s one pooled connection while `summary` waits for it, for longer than the
   * region deadline: `wait` ms after the gateway is seen queued. Timers do not fire early, so a
   * timeout the gateway started before queueing (the old pool connect timeout, the old region
   * deadline) has fired by the time the connection is handed back.
   */
  async function queuedBehind(database: string, wait: number): Promise<Awaited<ReturnType<typeof summary>>> {
    const queue = pool(database);
    const held = await queue.connect();
    let answer: ReturnType<typeof summary> | undefined;
    try {
      answer = summary();
      await until(() => queue.waitingCount > 0);
      await sleep(wait);
    } finally {
      held.release();
    }
    return answer;
  }

  it('answers a request that waited for the control plane longer than the region deadline', async () => {
    expect(patient.regions.length).toBeGreaterThanOrEqual(2);
    const res = await queuedBehind('control', 2 * REGION_TIMEOUT_MS);
    expect(res.errors).toEqual([]);
    expect(res.data?.patientSummary.regions.sort()).toEqual(patient.regions);
  });

  it('does not count the wait for a region connection against the region deadline', async () => {
    const region = patient.regions[0]!;
    // Once the patient's sensitivity labels are known (remembered under the ledger's census
    // digest), a lookup takes each region's connection once, for the read itself: the read is
    // what waits here.
    expect((await summary()).errors).toEqual([]);
    const res = await queuedBehind(region, 2 * REGION_TIMEOUT_MS);
    expect(res.errors).toEqual([]);
    expect(res.data?.patientSummary).toMatchObject({ unavailableRegions: [] });
    expect(res.data?.patientSummary.regions.sort()).toEqual(patient.regions);
  });

  it('reports a region whose pool stays exhausted past the connect timeout as busy, not as an internal error', async () => {
    const region = patient.regions[0]!;
    const held = await pool(region).connect();
    let res: Awaited<ReturnType<typeof summary>>;
    try {
      res = await summary();
    } finally {
      held.release();
    }
    expect(res.errors).toHaveLength(1);
    expect(res.errors[0]).toMatchObject({ extensions: { code: 'REGION_UNAVAILABLE', region } });
    expect(res.errors[0]?.message).toMatch(/busy/);
    expect(res.data?.patientSummary.unavailableRegions).toEqual([region]);
    expect(res.data?.patientSummary.regions.sort()).toEqual(patient.regions.filter((r) => r !== region));
  });

  it('still gives up on a region that has its connection but does not answer within the deadline', async () => {
    const region = patient.regions[1]!;
    // The region's table is locked: its query waits inside PostgreSQL, not inside the gateway.
    const locker = new pg.Client({ connectionString: t.databases.get(region)!.url });
    await locker.connect();
    let res: Awaited<ReturnType<typeof summary>>;
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE records IN ACCESS EXCLUSIVE MODE');
      res = await summary();
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
    expect(res.errors).toHaveLength(1);
    expect(res.errors[0]).toMatchObject({ extensions: { code: 'REGION_UNAVAILABLE', region } });
    expect(res.errors[0]?.message).not.toMatch(/busy/);
    expect(res.data?.patientSummary.unavailableRegions).toEqual([region]);
    const again = await summary();
    expect(again.errors).toEqual([]);
    expect(again.data?.patientSummary.regions.sort()).toEqual(patient.regions);
  });
});
