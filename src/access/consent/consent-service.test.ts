import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { consentContentHash } from '../../domain/consent/index.js';
import { MeridianError } from '../../domain/errors.js';
import type { Principal } from '../../domain/principal.js';
import { EmbeddedLedger } from '../../ledger/embedded-ledger.js';
import { GLOBAL_IDS, LedgerClient } from '../../ledger/ledger-client.js';
import type { LedgerActor } from '../../ledger/ledger.js';
import type { ConsentRepository, ConsentRow } from '../../stores/consent-repository.js';
import { ConsentService } from './consent-service.js';
import type { GrantConsentRequest } from './grant-consent-request.js';

/** Rows kept as copies, as a database would: nothing the service holds aliases what is stored. */
class MemoryConsents implements ConsentRepository {
  readonly rows = new Map<string, ConsentRow>();

  insert(row: ConsentRow): Promise<void> {
    if (this.rows.has(row.id)) return Promise.reject(new Error(`duplicate consent ${row.id}`));
    this.rows.set(row.id, structuredClone(row));
    return Promise.resolve();
  }

  list(patientId: string): Promise<ConsentRow[]> {
    const rows = [...this.rows.values()].filter((r) => r.patientId === patientId);
    return Promise.resolve(rows.map((r) => structuredClone(r)).reverse());
  }

  get(id: string): Promise<ConsentRow | null> {
    const row = this.rows.get(id);
    return Promise.resolve(row ? structuredClone(row) : null);
  }

  markRevoked(id: string, revokedAt: Date, revokeTxId: string): Promise<boolean> {
    const row = this.rows.get(id);
    if (row?.status !== 'active') return Promise.resolve(false);
    this.rows.set(id, { ...row, status: 'revoked', revokedAt, revokeTxId });
    return Promise.resolve(true);
  }

  /** An edit made behind the service's back, as with SQL. */
  alter(id: string, change: (row: ConsentRow) => ConsentRow): void {
    const row = this.rows.get(id);
    if (!row) throw new Error(`no consent ${id}`);
    this.rows.set(id, change(row));
  }
}

const PATIENT = 'mp-0123456789ab';
const OTHER = 'mp-ba9876543210';
const patient: Principal = {
  subject: `patient-${PATIENT}`,
  organisationId: 'aphp-paris',
  jurisdiction: 'FR',
  roles: ['patient'],
  patientId: PATIENT,
};
const otherPatient: Principal = { ...patient, subject: `patient-${OTHER}`, patientId: OTHER };
const clinician: Principal = {
  subject: 'dr-weber',
  organisationId: 'charite-berlin',
  jurisdiction: 'DE',
  roles: ['clinician'],
};
const gateway: LedgerActor = { user: 'gateway-test', role: 'gateway' };

const REQUEST: GrantConsentRequest = {
  grantee: { kind: 'jurisdiction', jurisdiction: 'DE' },
  purposes: ['TREAT'],
  categoriesDenied: ['results'],
  validUntil: new Date('2030-01-01T00:00:00Z'),
};

let tmp: string;
let ledger: EmbeddedLedger;
let client: LedgerClient;
let consents: MemoryConsents;
let service: ConsentService;
let ids: number;

beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'meridian-consent-'));
  ledger = await EmbeddedLedger.open({ dir: path.join(tmp, 'ledger') });
  client = new LedgerClient(ledger, GLOBAL_IDS);
  consents = new MemoryConsents();
  ids = 0;
  service = new ConsentService({
    consents,
    ledger: client,
    clock: () => new Date('2026-03-01T10:00:00.123Z'),
    newId: () => `cns-test-${String(++ids)}`,
  });
});

afterEach(async () => {
  await ledger.close();
  await rm(tmp, { recursive: true, force: true });
});

async function failure(promise: Promise<unknown>): Promise<MeridianError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MeridianError);
  return err as MeridianError;
}

describe('ConsentService.grant', () => {
  it('anchors the content hash on the ledger, then stores the consent with the grant transaction', async () => {
    const granted = await service.grant(patient, REQUEST);
    expect(granted.consent).toMatchObject({
      id: 'cns-test-1',
      patientId: PATIENT,
      version: '1',
      status: 'active',
      kind: 'permit',
      grantee: { kind: 'jurisdiction', jurisdiction: 'DE' },
      validFrom: new Date('2026-03-01T10:00:00.123Z'),
      grantedAt: new Date('2026-03-01T10:00:00.123Z'),
    });
    expect(granted.contentHash).toBe(consentContentHash(granted.consent));
    const anchor = await client.getConsentStatus(gateway, 'cns-test-1');
    expect(anchor).toMatchObject({ patientRef: PATIENT, hash: granted.contentHash, version: '1', status: 'active' });
    const history = await client.getConsentHistory(gateway, 'cns-test-1');
    expect(history.map((e) => e.txId)).toEqual([granted.grantTxId]);
    expect(await service.list(patient)).toEqual([granted]);
  });

  it('records an objection as a consent of kind deny, and reads empty lists as none', async () => {
    const objection = await service.grant(patient, {
      kind: 'deny',
      grantee: { kind: 'any_treating_provider' },
      purposes: ['HRESCH'],
      sensitiveAllowed: [],
      destinationsAllowed: [],
    });
    expect(objection.consent.kind).toBe('deny');
    expect(objection.consent.sensitiveAllowed).toBeUndefined();
  });

  it.each([
    ['an end before the start', { validFrom: new Date('2031-01-01T00:00:00Z') }, 'validUntil'],
    ['no purpose', { purposes: [] }, 'purposes'],
    ['an empty allow-list', { categoriesAllowed: [] }, 'categoriesAllowed'],
    [
      'an organisation grantee without its id',
      { grantee: { kind: 'organisation' as const } },
      'grantee.organisationId',
    ],
    ['a bad destination', { destinationsAllowed: ['usa'] }, 'destinationsAllowed.0'],
    [
      'an objection allowing a label',
      { kind: 'deny' as const, sensitiveAllowed: ['PSY' as const] },
      'sensitiveAllowed',
    ],
  ])('refuses %s with BAD_USER_INPUT naming the field, storing and anchoring nothing', async (_name, change, field) => {
    const err = await failure(service.grant(patient, { ...REQUEST, ...change }));
    expect(err.code).toBe('BAD_USER_INPUT');
    expect(err.details.field).toBe(field);
    expect(err.message).toContain(field);
    expect(consents.rows.size).toBe(0);
    expect(ledger.height).toBe(0);
  });

  it('lets only the patient grant, for themself', async () => {
    expect((await failure(service.grant(clinician, REQUEST))).code).toBe('FORBIDDEN');
    expect((await failure(service.grant(patient, { ...REQUEST, patientId: OTHER }))).code).toBe('FORBIDDEN');
    expect((await service.grant(patient, { ...REQUEST, patientId: PATIENT })).consent.patientId).toBe(PATIENT);
    expect(consents.rows.size).toBe(1);
  });

  it('stores nothing when the ledger is unavailable', async () => {
    await ledger.close();
    const err = await failure(service.grant(patient, REQUEST));
    expect(err.code).toBe('LEDGER_UNAVAILABLE');
    expect(consents.rows.size).toBe(0);
  });
});

describe('ConsentService.list', () => {
  it("shows a patient their own consents only, and refuses another patient's list", async () => {
    const mine = await service.grant(patient, REQUEST);
    await service.grant(otherPatient, REQUEST);
    expect((await service.list(patient)).map((c) => c.consent.id)).toEqual([mine.consent.id]);
    expect((await service.list(patient, PATIENT)).map((c) => c.consent.id)).toEqual([mine.consent.id]);
    expect((await failure(service.list(patient, OTHER))).code).toBe('FORBIDDEN');
    expect((await failure(service.list(clinician, PATIENT))).code).toBe('FORBIDDEN');
  });

  it('reports a row whose document disagrees with its columns as INTEGRITY_VIOLATION', async () => {
    const granted = await service.grant(patient, REQUEST);
    consents.alter(granted.consent.id, (row) => ({
      ...row,
      document: { ...(row.document as object), patientId: OTHER },
    }));
    expect((await failure(service.list(patient))).code).toBe('INTEGRITY_VIOLATION');
  });
});

describe('ConsentService.revoke', () => {
  it('anchors the revocation, then stores it; a second revocation changes nothing', async () => {
    const granted = await service.grant(patient, REQUEST);
    const revoked = await service.revoke(patient, granted.consent.id);
    expect(revoked.consent.status).toBe('revoked');
    expect(revoked.revokeTxId).toMatch(/^[0-9a-f]{64}$/);
    expect(revoked.contentHash).toBe(granted.contentHash);
    const anchor = await client.getConsentStatus(gateway, granted.consent.id);
    expect(anchor.status).toBe('revoked');
    expect(revoked.consent.revokedAt).toEqual(new Date(anchor.revokedAt ?? ''));
    const height = ledger.height;
    expect(await service.revoke(patient, granted.consent.id)).toEqual(revoked);
    expect(ledger.height).toBe(height);
  });

  it("gives the same FORBIDDEN for another patient's consent and for one that does not exist", async () => {
    const granted = await service.grant(patient, REQUEST);
    const theirs = await failure(service.revoke(otherPatient, granted.consent.id));
    const none = await failure(service.revoke(otherPatient, 'cns-does-not-exist'));
    expect([theirs.code, none.code]).toEqual(['FORBIDDEN', 'FORBIDDEN']);
    expect(none.message).toBe(theirs.message);
    expect((await failure(service.revoke(clinician, granted.consent.id))).code).toBe('FORBIDDEN');
    expect((await failure(service.revoke(patient, 'not an id'))).code).toBe('BAD_USER_INPUT');
    expect((await client.getConsentStatus(gateway, granted.consent.id)).status).toBe('active');
  });

  it('keeps the consent active when the ledger cannot anchor the revocation', async () => {
    const granted = await service.grant(patient, REQUEST);
    await ledger.close();
    expect((await failure(service.revoke(patient, granted.consent.id))).code).toBe('LEDGER_UNAVAILABLE');
    expect(consents.rows.get(granted.consent.id)?.status).toBe('active');
  });

  it('completes a revocation that reached the ledger but not the database', async () => {
    const granted = await service.grant(patient, REQUEST);
    const onLedger = await client.revokeConsent(
      { user: patient.subject, role: 'patient', patient: PATIENT },
      granted.consent.id,
      'patient_request',
    );
    const revoked = await service.revoke(patient, granted.consent.id);
    expect(revoked.revokeTxId).toBe(onLedger.txId);
    expect(revoked.consent.status).toBe('revoked');
  });
});

describe('ConsentService.verify', () => {
  const row = (id: string): ConsentRow => {
    const r = consents.rows.get(id);
    if (!r) throw new Error(`no consent ${id}`);
    return r;
  };

  it('accepts a consent as granted and as revoked', async () => {
    const granted = await service.grant(patient, REQUEST);
    expect(await service.verify(row(granted.consent.id))).toEqual({ ok: true, consent: granted.consent });
    await service.revoke(patient, granted.consent.id);
    expect(await service.verify(row(granted.consent.id))).toMatchObject({ ok: true, consent: { status: 'revoked' } });
  });

  it('reports a document changed after the grant', async () => {
    const { consent } = await service.grant(patient, REQUEST);
    consents.alter(consent.id, (r) => ({
      ...r,
      document: { ...(r.document as object), purposes: ['TREAT', 'HRESCH'] },
    }));
    expect(await service.verify(row(consent.id))).toMatchObject({ ok: false, mismatch: 'content_hash_mismatch' });
  });

  it('reports a document changed together with its content hash, by the ledger anchor', async () => {
    const { consent } = await service.grant(patient, REQUEST);
    const widened = { ...consent, categoriesDenied: undefined };
    consents.alter(consent.id, (r) => ({
      ...r,
      document: { ...(r.document as object), categoriesDenied: undefined },
      contentHash: consentContentHash(widened),
    }));
    expect(await service.verify(row(consent.id))).toMatchObject({ ok: false, mismatch: 'anchor_mismatch' });
  });

  it('reports a revoked consent set back to active', async () => {
    const { consent } = await service.grant(patient, REQUEST);
    await service.revoke(patient, consent.id);
    consents.alter(consent.id, (r) => ({ ...r, status: 'active', revokedAt: null, revokeTxId: null }));
    expect(await service.verify(row(consent.id))).toMatchObject({ ok: false, mismatch: 'status_mismatch' });
  });

  it('reports a consent moved to another patient, a broken document and a consent never anchored', async () => {
    const { consent } = await service.grant(patient, REQUEST);
    const stored = row(consent.id);
    expect(await service.verify({ ...stored, patientId: OTHER })).toMatchObject({ mismatch: 'document_invalid' });
    expect(await service.verify({ ...stored, document: { purposes: 'all' } })).toMatchObject({
      mismatch: 'document_invalid',
    });
    const forged = { ...stored, id: 'cns-forged', document: { ...(stored.document as object), id: 'cns-forged' } };
    const hash = consentContentHash({ ...consent, id: 'cns-forged' });
    expect(await service.verify({ ...forged, contentHash: hash })).toMatchObject({ mismatch: 'not_anchored' });
  });

  it('throws rather than judge when the ledger cannot answer', async () => {
    const { consent } = await service.grant(patient, REQUEST);
    await ledger.close();
    expect((await failure(service.verify(row(consent.id)))).code).toBe('LEDGER_UNAVAILABLE');
  });
});
