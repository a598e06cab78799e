import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { regionUrlVariable } from '../src/config/regions.js';
import { freePorts } from './support/fabric-network/free-ports.js';
import { GatewayProcess } from './support/fabric-network/gateway-process.js';
import { createTestDatabase, type TestDatabase } from './support/postgres.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

// At least once, exactly one notification: the built gateway (`meridian serve`) on PostgreSQL is
// killed -9 after a failed delivery and started again; the receiver's two failures and its one
// success all carry the same webhook-id and a valid signature.

const root = path.resolve(fileURLToPath(import.meta.url), '..', '..');
const bin = path.join(root, 'bin', 'meridian.js');

const JUSTIFICATION = 'Unconscious on arrival in the emergency department, no next of kin.';

describe('a break-glass notification across a gateway killed -9 between deliveries', () => {
  const dbs: TestDatabase[] = [];
  let dataDir: string;
  let env: Record<string, string>;
  let gateway: GatewayProcess;
  let receiver: WebhookReceiver;

  async function cli(...args: string[]): Promise<string> {
    const { stdout } = await promisify(execFile)(process.execPath, [bin, ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    return stdout.trim();
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'meridian-notify-'));
    env = {
      MERIDIAN_DATA_DIR: dataDir,
      MERIDIAN_REGIONS: 'eu-de=DE,eu-fr=FR',
      MERIDIAN_SEED_DEMO: 'true',
      MERIDIAN_DEMO_PATIENTS: '4',
      MERIDIAN_WEBHOOK_ALLOW_LOCAL: 'true',
      MERIDIAN_WEBHOOK_RETRY_BASE_MS: '400',
      MERIDIAN_WEBHOOK_TIMEOUT_MS: '2000',
      MERIDIAN_WEBHOOK_POLL_MS: '100',
      LOG_LEVEL: 'info',
    };
    for (const name of ['control', 'eu-de', 'eu-fr']) {
      const db = await createTestDatabase(`notify_${name.replace('-', '_')}`);
      dbs.push(db);
      env[name === 'control' ? 'MERIDIAN_CONTROL_URL' : regionUrlVariable(name)] = db.url;
    }
    receiver = await WebhookReceiver.start([500, 500]);
    const [port] = await freePorts(1);
    gateway = new GatewayProcess('notify', port!, env, path.join(dataDir, 'gateway.log'));
    await gateway.start();
  }, 180_000);
  afterAll(async () => {
    await gateway.kill();
    await receiver.close();
    for (const db of dbs) await db.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('the receiver gets exactly one notification, signed, however many attempts it took', async () => {
    const demo = JSON.parse(await cli('demo', '--json')) as {
      personas: { name: string; jurisdiction: string; patientId?: string }[];
    };
    // A patient of Berlin's region: dr-weber's break-glass read discloses their German records.
    const persona = demo.personas.find((p) => p.patientId !== undefined && p.jurisdiction === 'DE')!;
    const patientToken = await cli('token', '--persona', persona.name);
    const registered = await gateway.graphql<{ registerWebhook: { secret: string } }>(
      'mutation($url: String!) { registerWebhook(url: $url) { secret } }',
      { url: receiver.url },
      patientToken,
    );
    expect(registered.errors).toEqual([]);
    const { secret } = registered.data!.registerWebhook;

    const read = await gateway.graphql<{ patientSummary: { receipt: { decisionId: string } } }>(
      'query($p: ID!, $j: String) { patientSummary(patientId: $p, purpose: ETREAT, justification: $j) { receipt { decisionId } } }',
      { p: persona.patientId, j: JUSTIFICATION },
      await cli('token', '--persona', 'dr-weber'),
    );
    // Partial is fine (the emergency subset of records in France); what matters is the break-glass.
    expect(read.data, JSON.stringify(read.errors)).not.toBeNull();
    const { decisionId } = read.data!.patientSummary.receipt;

    // The first attempt fails; the gateway dies before the next one, nothing flushed.
    await receiver.until(1);
    await gateway.kill();
    await gateway.start();
    await receiver.until(3);

    const answered = receiver.received.map((d) => d.status);
    expect(answered).toEqual([500, 500, 204]);
    const ids = new Set(receiver.received.map((d) => d.headers['webhook-id']));
    expect(ids.size).toBe(1);
    for (const delivery of receiver.received) {
      const body = new Webhook(secret).verify(delivery.body, delivery.headers) as { data: { decisionId: string } };
      expect(body.data.decisionId).toBe(decisionId);
    }

    // Settled: listed as delivered after three attempts, nothing more due.
    const listed = await gateway.graphql<{
      myNotifications: { id: string; deliveries: { state: string; attempts: number }[] }[];
    }>('{ myNotifications { id deliveries { state attempts } } }', {}, patientToken);
    expect(listed.data!.myNotifications).toEqual([
      { id: [...ids][0], deliveries: [{ state: 'DELIVERED', attempts: 3 }] },
    ]);
    expect(receiver.received).toHaveLength(3);
  }, 180_000);
});
