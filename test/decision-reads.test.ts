import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PrismaControlPlane } from '../src/stores/control-plane.js';
import { openDatabase, type Database } from '../src/stores/database.js';
import { applyMigrations } from '../src/stores/migrate.js';
import type { PolicyVersionRow } from '../src/stores/policy-repository.js';
import type { ConsentRow } from '../src/stores/consent-repository.js';
import type { CareRelationshipRow } from '../src/stores/care-repository.js';
import { createTestDatabase } from './support/postgres.js';

function row(jurisdiction: string, version: string, status: string, document: object): PolicyVersionRow {
  return {
    jurisdiction,
    version,
    document,
    contentHash: `hash-of-${jurisdiction}-${version}`,
    status,
    author: 'officer-1',
    approver: status === 'draft' ? null : 'officer-2',
    createdAt: new Date('2026-11-01T00:00:00Z'),
    approvedAt: status === 'draft' ? null : new Date('2026-11-02T00:00:00Z'),
    activatedAt: status === 'active' ? new Date('2026-11-03T00:00:00Z') : null,
    recordTxId: `tx-record-${jurisdiction}-${version}`,
    approveTxId: status === 'draft' ? null : `tx-approve-${jurisdiction}-${version}`,
    activateTxId: status === 'active' ? `tx-activate-${jurisdiction}-${version}` : null,
  };
}

/**
 * The policy read every uncached decision makes: the active rows come back only when what is
 * stored changed since the caller's digest, so anything edited behind the gateway's back is
 * read (and verified) again, and nothing unchanged is transferred or parsed twice.
 */
async function checkActiveState(db: Database): Promise<void> {
  await applyMigrations(db, 'control');
  const control = new PrismaControlPlane(db);
  const sql = (text: string): Promise<unknown> => db.pool.query(text);
  try {
    const policies = control.policies;
    const empty = await policies.activeState();
    expect(empty).toMatchObject({ ids: [], active: [] });
    expect(await policies.activeState(empty.digest)).toEqual({ ...empty, active: null });

    await policies.save(row('EU', '2026.1', 'active', { rules: { consentDefault: 'opt_in' } }));
    await policies.save(row('DE', '2026.1', 'active', { rules: { consentDefault: 'opt_in' } }));
    const first = await policies.activeState(empty.digest);
    expect(first.digest).not.toBe(empty.digest);
    expect(first.ids).toEqual(['DE', 'EU']);
    expect(first.active?.map((r) => `${r.jurisdiction}@${r.version}`)).toEqual(['DE@2026.1', 'EU@2026.1']);
    expect(first.active?.[1]).toEqual(row('EU', '2026.1', 'active', { rules: { consentDefault: 'opt_in' } }));
    expect(await policies.activeState(first.digest)).toEqual({ digest: first.digest, ids: first.ids, active: null });

    // Each edit, however small, is a new digest and the rows again; a draft elsewhere too (a new id).
    const edits = [
      `UPDATE policy_versions SET document = jsonb_set(document, '{rules,consentDefault}', '"opt_out"') WHERE jurisdiction = 'EU'`,
      `UPDATE policy_versions SET author = 'someone-else' WHERE jurisdiction = 'DE'`,
      `UPDATE policy_versions SET activate_tx_id = 'tx-forged' WHERE jurisdiction = 'DE'`,
      `DELETE FROM policy_versions WHERE jurisdiction = 'EU'`,
    ];
    let known = first.digest;
    for (const edit of edits) {
      await sql(edit);
      const state = await policies.activeState(known);
      expect(state.digest, edit).not.toBe(known);
      expect(state.active, edit).not.toBeNull();
      known = state.digest;
    }
    await policies.insert(row('FR', '2026.1', 'draft', { rules: {} }));
    const withDraft = await policies.activeState(known);
    expect(withDraft.ids).toEqual(['DE', 'FR']);
    expect(withDraft.active?.map((r) => r.jurisdiction)).toEqual(['DE']);
    expect(withDraft.digest).not.toBe(known);
  } finally {
    await control.close();
  }
}

function consent(id: string, patientId: string, grantedAt: string, revoked: boolean): ConsentRow {
  return {
    id,
    patientId,
    version: 1,
    status: revoked ? 'revoked' : 'active',
    document: { scope: { purposes: ['TREAT'] }, nested: { list: [1, 'two', null] } },
    contentHash: `hash-of-${id}`,
    grantedAt: new Date(grantedAt),
    revokedAt: revoked ? new Date('2026-11-20T08:09:10.123Z') : null,
    grantTxId: `tx-grant-${id}`,
    revokeTxId: revoked ? `tx-revoke-${id}` : null,
  };
}

function relationship(id: string, patientId: string, openedAt: string, ended: boolean): CareRelationshipRow {
  return {
    id,
    patientId,
    organisationId: 'org-charite',
    openedBy: 'dr-weber',
    openedAt: new Date(openedAt),
    expiresAt: new Date('2027-01-01T00:00:00.999Z'),
    accessCodeId: `code-${id}`,
    contentHash: `hash-of-${id}`,
    openTxId: `tx-open-${id}`,
    status: ended ? 'ended' : 'open',
    endedAt: ended ? new Date('2026-11-21T00:00:00.001Z') : null,
    endTxId: ended ? `tx-end-${id}` : null,
  };
}

/**
 * The patient's index rows, consents and care relationships, read in one statement for every
 * uncached decision: exactly what the three separate reads give (times to the millisecond,
 * nulls, documents, order, two local ids in one region), and nothing of another patient.
 */
async function checkPatientRows(db: Database): Promise<void> {
  await applyMigrations(db, 'control');
  const control = new PrismaControlPlane(db);
  try {
    expect(await control.patientRows('nobody')).toEqual({ locations: [], consents: [], care: [] });
    await control.linkPatient('p-1', { region: 'eu-de', localId: 'de-2' });
    await control.linkPatient('p-1', { region: 'eu-de', localId: 'de-1' });
    await control.linkPatient('p-1', { region: 'eu-fr', localId: 'fr-1' });
    await control.linkPatient('p-2', { region: 'eu-de', localId: 'de-9' });
    for (const row of [
      consent('c-1', 'p-1', '2026-11-01T10:00:00.001Z', true),
      consent('c-2', 'p-1', '2026-11-02T10:00:00.500Z', false),
      consent('c-3', 'p-1', '2026-11-02T10:00:00.500Z', false),
      consent('c-9', 'p-2', '2026-11-03T10:00:00.000Z', false),
    ]) {
      await control.consents.insert(row);
    }
    for (const row of [
      relationship('r-1', 'p-1', '2026-11-05T01:02:03.456Z', true),
      relationship('r-2', 'p-1', '2026-11-06T01:02:03.789Z', false),
      relationship('r-9', 'p-2', '2026-11-06T01:02:03.789Z', false),
    ]) {
      await control.care.insertRelationship(row);
    }

    const rows = await control.patientRows('p-1');
    expect(rows).toEqual({
      locations: await control.locatePatient('p-1'),
      consents: await control.consents.list('p-1'),
      care: await control.care.relationships('p-1'),
    });
    expect(rows.locations).toEqual([
      { region: 'eu-de', localId: 'de-2', localIds: ['de-2', 'de-1'] },
      { region: 'eu-fr', localId: 'fr-1' },
    ]);
    expect(rows.consents.map((c) => c.id)).toEqual(['c-2', 'c-3', 'c-1']);
    expect(rows.consents[2]).toEqual(consent('c-1', 'p-1', '2026-11-01T10:00:00.001Z', true));
    expect(rows.care).toEqual([
      relationship('r-2', 'p-1', '2026-11-06T01:02:03.789Z', false),
      relationship('r-1', 'p-1', '2026-11-05T01:02:03.456Z', true),
    ]);
  } finally {
    await control.close();
  }
}

/** Each check on PostgreSQL and on embedded PostgreSQL (PGlite), which the gateway opens by default. */
function onBoth(what: string, check: (db: Database) => Promise<void>): void {
  describe(what, () => {
    it('on PostgreSQL', async () => {
      const testDb = await createTestDatabase('decision_reads');
      const db = await openDatabase('control', { kind: 'postgres', url: testDb.url });
      try {
        await check(db);
      } finally {
        await db.close();
        await testDb.drop();
      }
    });

    it('on embedded PostgreSQL (PGlite)', async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'meridian-decision-reads-'));
      const db = await openDatabase('control', { kind: 'pglite', dir });
      try {
        await check(db);
      } finally {
        await db.close();
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
}

onBoth('the active policies as stored, with their digest', checkActiveState);
onBoth("a patient's index rows, consents and care relationships, read at once", checkPatientRows);
