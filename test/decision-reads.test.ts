import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PrismaControlPlane } from '../src/stores/control-plane.js';
import { openDatabase, type Database } from '../src/stores/database.js';
import { applyMigrations } from '../src/stores/migrate.js';
import type { PolicyVersionRow } from '../src/stores/policy-repository.js';
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

describe('the active policies as stored, with their digest', () => {
  it('on PostgreSQL', async () => {
    const testDb = await createTestDatabase('policy_state');
    const db = await openDatabase('control', { kind: 'postgres', url: testDb.url });
    try {
      await checkActiveState(db);
    } finally {
      await db.close();
      await testDb.drop();
    }
  });

  it('on embedded PostgreSQL (PGlite)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'meridian-policy-state-'));
    const db = await openDatabase('control', { kind: 'pglite', dir });
    try {
      await checkActiveState(db);
    } finally {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
