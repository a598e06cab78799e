import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsentService } from '../src/access/consent/consent-service.js';
import { EmbeddedLedger } from '../src/ledger/embedded-ledger.js';
import { LedgerClient } from '../src/ledger/ledger-client.js';
import type { LedgerActor } from '../src/ledger/ledger.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { PatientKeys } from '../src/access/patient-keys.js';

const CONSENT_FIELDS = /* GraphQL */ `
  id
  patientId
  version
  status
  kind
  grantee {
    kind
    organisationId
    jurisdiction
  }
  purposes
  categoriesAllowed
  categoriesDenied
  sensitiveAllowed
  destinationsAllowed
  validFrom
  validUntil
  grantedAt
  revokedAt
  contentHash
  grantTxId
  revokeTxId
`;

const GRANT = `mutation Grant($input: GrantConsentInput!) { grantConsent(input: $input) { ${CONSENT_FIELDS} } }`;
const REVOKE = `mutation Revoke($id: ID!) { revokeConsent(consentId: $id) { ${CONSENT_FIELDS} } }`;
const MINE = `query Mine { myConsents { ${CONSENT_FIELDS} } }`;

interface ConsentData {
  id: string;
  patientId: string;
  version: string;
  status: 'ACTIVE' | 'REVOKED';
  kind: 'PERMIT' | 'DENY';
  grantee: { kind: string; organisationId: string | null; jurisdiction: string | null };
  purposes: string[];
  categoriesAllowed: string[] | null;
  categoriesDenied: string[];
  sensitiveAllowed: string[];
  destinationsAllowed: string[];
  validFrom: string;
  validUntil: string | null;
  grantedAt: string;
  revokedAt: string | null;
  contentHash: string;
  grantTxId: string;
  revokeTxId: string | null;
}

const PERMIT = {
  grantee: { kind: 'JURISDICTION', jurisdiction: 'US' },
  purposes: ['TREAT'],
  categoriesDenied: ['RESULTS'],
  sensitiveAllowed: ['PSY'],
  destinationsAllowed: ['US'],
  validFrom: '2026-01-01T00:00:00.000Z',
  validUntil: '2027-01-01T00:00:00.000Z',
};

const gatewayActor: LedgerActor = { user: 'consent-test', role: 'gateway' };

describe('patients grant, list and revoke consents through GraphQL', () => {
  let t: TestGateway;
  let ledger: EmbeddedLedger;
  let client: LedgerClient;
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };

  beforeAll(async () => {
    t = await startTestGateway();
    expect(t.gateway.ledger).toBeInstanceOf(EmbeddedLedger);
    ledger = t.gateway.ledger as EmbeddedLedger;
    // The embedded ledger the gateway opened in this run's own data folder, removed with it.
    expect(ledger.dir).toBe(path.join(path.resolve(t.config.dataDir), 'ledger'));
    client = new LedgerClient(ledger, new PatientKeys(t.gateway.stores.control.patientKeys));
    const [a, b] = t.demo.personas.filter((p) => p.role === 'patient');
    alice = { id: a!.patientId!, token: await t.token(a!.name) };
    bob = { id: b!.patientId!, token: await t.token(b!.name) };
  });
  afterAll(async () => {
    await t.close();
  });

  async function grant(input: Record<string, unknown>, token = alice.token): Promise<ConsentData> {
    const res = await t.graphql<{ grantConsent: ConsentData }>(GRANT, { input }, token);
    expect(res.errors).toEqual([]);
    return res.data!.grantConsent;
  }

  async function mine(token = alice.token): Promise<ConsentData[]> {
    const res = await t.graphql<{ myConsents: ConsentData[] }>(MINE, {}, token);
    expect(res.errors).toEqual([]);
    return res.data!.myConsents;
  }

  it('grants a consent that is listed with its ledger transaction, and anchored with the same hash', async () => {
    const granted = await grant(PERMIT);
    expect(granted).toMatchObject({
      patientId: alice.id,
      version: '1',
      status: 'ACTIVE',
      kind: 'PERMIT',
      grantee: { kind: 'JURISDICTION', organisationId: null, jurisdiction: 'US' },
      purposes: ['TREAT'],
      categoriesAllowed: null,
      categoriesDenied: ['RESULTS'],
      sensitiveAllowed: ['PSY'],
      destinationsAllowed: ['US'],
      validFrom: PERMIT.validFrom,
      validUntil: PERMIT.validUntil,
      revokedAt: null,
      revokeTxId: null,
    });
    expect(granted.id).toMatch(/^cns-[0-9a-f]{32}$/);
    expect(granted.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(granted.grantTxId).toMatch(/^[0-9a-f]{64}$/);
    expect(Math.abs(Date.parse(granted.grantedAt) - Date.now())).toBeLessThan(60_000);

    expect(await mine()).toContainEqual(granted);
    const anchor = await client.getConsentStatus(gatewayActor, granted.id);
    expect(anchor).toMatchObject({
      patientRef: await client.refOf(alice.id),
      hash: granted.contentHash,
      version: '1',
      status: 'active',
    });
    const history = await client.getConsentHistory(gatewayActor, granted.id);
    expect(history.map((e) => [e.action, e.txId])).toEqual([['recorded', granted.grantTxId]]);
  });

  it('records an objection (kind DENY) for the patient', async () => {
    const objection = await grant({
      kind: 'DENY',
      grantee: { kind: 'ANY_TREATING_PROVIDER' },
      purposes: ['HRESCH'],
      categoriesAllowed: ['PROBLEMS'],
    });
    expect(objection).toMatchObject({ kind: 'DENY', status: 'ACTIVE', categoriesAllowed: ['PROBLEMS'] });
    expect(Date.parse(objection.validFrom)).toBe(Date.parse(objection.grantedAt));
  });

  it('revokes at once, anchored on the ledger; revoking again changes nothing', async () => {
    const granted = await grant({ ...PERMIT, grantee: { kind: 'ORGANISATION', organisationId: 'charite-berlin' } });
    const res = await t.graphql<{ revokeConsent: ConsentData }>(REVOKE, { id: granted.id }, alice.token);
    expect(res.errors).toEqual([]);
    const revoked = res.data!.revokeConsent;
    expect(revoked).toMatchObject({ id: granted.id, status: 'REVOKED', contentHash: granted.contentHash });
    expect(revoked.revokeTxId).toMatch(/^[0-9a-f]{64}$/);
    expect(revoked.revokeTxId).not.toBe(granted.grantTxId);
    expect(revoked.revokedAt).not.toBeNull();

    const anchor = await client.getConsentStatus(gatewayActor, granted.id);
    expect(anchor.status).toBe('revoked');
    expect(Date.parse(anchor.revokedAt ?? '')).toBe(Date.parse(revoked.revokedAt!));
    const history = await client.getConsentHistory(gatewayActor, granted.id);
    expect(history.map((e) => [e.action, e.txId])).toEqual([
      ['recorded', granted.grantTxId],
      ['revoked', revoked.revokeTxId],
    ]);
    expect((await mine()).find((c) => c.id === granted.id)).toEqual(revoked);

    const height = ledger.height;
    const again = await t.graphql<{ revokeConsent: ConsentData }>(REVOKE, { id: granted.id }, alice.token);
    expect(again.errors).toEqual([]);
    expect(again.data!.revokeConsent).toEqual(revoked);
    expect(ledger.height).toBe(height);
  });

  it("keeps a patient's consents from every other patient", async () => {
    const granted = await grant(PERMIT);
    const height = ledger.height;
    const theirs = await t.graphql(REVOKE, { id: granted.id }, bob.token);
    expect(theirs.errors[0]?.extensions.code).toBe('FORBIDDEN');
    expect(theirs.data).toBeNull();
    const none = await t.graphql(REVOKE, { id: 'cns-00000000000000000000000000000000' }, bob.token);
    expect(none.errors[0]?.extensions.code).toBe('FORBIDDEN');
    expect(none.errors[0]?.message).toBe(theirs.errors[0]?.message);
    expect(ledger.height).toBe(height);
    expect((await mine(bob.token)).map((c) => c.id)).not.toContain(granted.id);
    expect((await mine()).find((c) => c.id === granted.id)?.status).toBe('ACTIVE');

    const forOther = await t.graphql(GRANT, { input: { ...PERMIT, patientId: bob.id } }, alice.token);
    expect(forOther.errors[0]?.extensions.code).toBe('FORBIDDEN');
  });

  it('refuses clinicians with FORBIDDEN and anonymous callers with UNAUTHENTICATED', async () => {
    const clinician = await t.token('dr-weber');
    for (const [query, variables] of [
      [GRANT, { input: PERMIT }],
      [MINE, {}],
      [REVOKE, { id: 'cns-0' }],
    ] as const) {
      const forbidden = await t.graphql(query, variables, clinician);
      expect(forbidden.errors[0]?.extensions.code).toBe('FORBIDDEN');
      const anonymous = await t.graphql(query, variables);
      expect(anonymous.errors[0]?.extensions.code).toBe('UNAUTHENTICATED');
    }
  });

  it.each([
    ['an unknown purpose', { purposes: ['SHOPPING'] }, 'purposes'],
    ['an unknown category', { categoriesAllowed: ['GENOME'] }, 'categoriesAllowed'],
    ['an end before the start', { validUntil: '2025-06-01T00:00:00Z' }, 'validUntil'],
    ['an empty purposes list', { purposes: [] }, 'purposes'],
    ['a date that is not a date', { validFrom: 'next tuesday' }, 'validFrom'],
    ['a grantee without its organisation', { grantee: { kind: 'ORGANISATION' } }, 'grantee'],
    // Well-formed, but a consent that could never apply: these used to be stored and anchored.
    [
      'a window that has already ended',
      { validFrom: '2025-01-01T00:00:00Z', validUntil: '2025-06-01T00:00:00Z' },
      'validUntil',
    ],
    [
      'an organisation nobody knows',
      { grantee: { kind: 'ORGANISATION', organisationId: 'no-such-hospital' } },
      'grantee.organisationId',
    ],
    [
      'a jurisdiction no policy governs',
      { grantee: { kind: 'JURISDICTION', jurisdiction: 'JP' } },
      'grantee.jurisdiction',
    ],
    ['a destination no policy governs', { destinationsAllowed: ['ZZ'] }, 'destinationsAllowed.0'],
  ])('refuses %s with BAD_USER_INPUT and stores nothing', async (_name, change, field) => {
    const before = await mine();
    const height = ledger.height;
    const res = await t.graphql(GRANT, { input: { ...PERMIT, ...change } }, alice.token);
    expect(res.errors).toHaveLength(1);
    expect(res.errors[0]?.extensions.code).toBe('BAD_USER_INPUT');
    expect(res.errors[0]?.message).toContain(field);
    if (field.includes('.') || field === 'validUntil') expect(res.errors[0]?.extensions.field).toBe(field);
    expect(res.data).toBeNull();
    expect(await mine()).toEqual(before);
    expect(ledger.height).toBe(height);
  });

  it('finds a consent row altered directly in PostgreSQL, by its hash and by its ledger anchor', async () => {
    const service = new ConsentService({ consents: t.gateway.stores.control.consents, ledger: client });
    const repository = t.gateway.stores.control.consents;
    const widened = await grant(PERMIT);
    const reinstated = await grant(PERMIT);
    await t.graphql(REVOKE, { id: reinstated.id }, alice.token);
    for (const id of [widened.id, reinstated.id]) {
      const row = await repository.get(id);
      expect(await service.verify(row!)).toMatchObject({ ok: true, consent: { id } });
    }

    const sql = new pg.Client({ connectionString: t.databases.get('control')!.url });
    await sql.connect();
    try {
      await sql.query(
        `UPDATE consents SET document = jsonb_set(document, '{destinationsAllowed}', '["US", "CN"]') WHERE id = $1`,
        [widened.id],
      );
      await sql.query(`UPDATE consents SET status = 'active', revoked_at = NULL, revoke_tx_id = NULL WHERE id = $1`, [
        reinstated.id,
      ]);
    } finally {
      await sql.end();
    }
    expect(await service.verify((await repository.get(widened.id))!)).toMatchObject({
      ok: false,
      mismatch: 'content_hash_mismatch',
    });
    expect(await service.verify((await repository.get(reinstated.id))!)).toMatchObject({
      ok: false,
      mismatch: 'status_mismatch',
    });
  });
});
