import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Checkpointer } from '@hyperledger/fabric-gateway';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MeridianError } from '../../domain/errors.js';
import { policyDocumentHash, type PolicyDocument, type RootPolicyDocument } from '../../domain/policy/index.js';
import type { Principal } from '../../domain/principal.js';
import { EmbeddedLedger } from '../../ledger/embedded-ledger.js';
import { GLOBAL_IDS, LedgerClient } from '../../ledger/ledger-client.js';
import { LedgerError } from '../../ledger/ledger-error.js';
import type { Committed, Ledger, LedgerActor, LedgerEventStream } from '../../ledger/ledger.js';
import type { ActivePolicyState, PolicyRepository, PolicyVersionRow } from '../../stores/policy-repository.js';
import { PolicyService } from './policy-service.js';
import { loadShippedPolicies } from './shipped-policies.js';

/** Rows kept as copies, as a database would. */
class MemoryPolicies implements PolicyRepository {
  readonly rows = new Map<string, PolicyVersionRow>();
  failNextInsert = false;

  insert(row: PolicyVersionRow): Promise<void> {
    if (this.failNextInsert) {
      this.failNextInsert = false;
      return Promise.reject(new Error('connection lost'));
    }
    if (this.rows.has(key(row))) return Promise.reject(new Error('duplicate'));
    this.rows.set(key(row), structuredClone(row));
    return Promise.resolve();
  }

  save(row: PolicyVersionRow): Promise<void> {
    this.rows.set(key(row), structuredClone(row));
    return Promise.resolve();
  }

  get(jurisdiction: string, version: string): Promise<PolicyVersionRow | null> {
    const row = this.rows.get(`${jurisdiction}@${version}`);
    return Promise.resolve(row ? structuredClone(row) : null);
  }

  history(jurisdiction: string): Promise<PolicyVersionRow[]> {
    return Promise.resolve(this.#where((r) => r.jurisdiction === jurisdiction).reverse());
  }

  active(): Promise<PolicyVersionRow[]> {
    return Promise.resolve(this.#where((r) => r.status === 'active'));
  }

  async activeState(unless?: string): Promise<ActivePolicyState> {
    const active = await this.active();
    const ids = [...new Set([...this.rows.values()].map((r) => r.jurisdiction))].sort();
    const digest = createHash('sha256')
      .update(JSON.stringify([ids, active]))
      .digest('base64');
    return { digest, ids, active: digest === unless ? null : active };
  }

  markApproved(
    jurisdiction: string,
    version: string,
    approval: { approver: string; approvedAt: Date; approveTxId: string },
  ): Promise<boolean> {
    const row = this.rows.get(`${jurisdiction}@${version}`);
    if (row?.status !== 'draft') return Promise.resolve(false);
    this.rows.set(key(row), { ...row, status: 'approved', ...approval });
    return Promise.resolve(true);
  }

  markActive(
    jurisdiction: string,
    version: string,
    activation: { activatedAt: Date; activateTxId: string },
  ): Promise<boolean> {
    const row = this.rows.get(`${jurisdiction}@${version}`);
    if (row?.status !== 'approved') return Promise.resolve(false);
    for (const other of this.#where((r) => r.jurisdiction === jurisdiction && r.status === 'active')) {
      this.rows.set(key(other), { ...other, status: 'superseded' });
    }
    this.rows.set(key(row), { ...row, status: 'active', ...activation });
    return Promise.resolve(true);
  }

  /** An edit behind the service's back, as with SQL. */
  alter(jurisdiction: string, version: string, change: (row: PolicyVersionRow) => PolicyVersionRow): void {
    const row = this.rows.get(`${jurisdiction}@${version}`);
    if (!row) throw new Error(`no row ${jurisdiction}@${version}`);
    this.rows.set(key(row), change(row));
  }

  #where(keep: (row: PolicyVersionRow) => boolean): PolicyVersionRow[] {
    return [...this.rows.values()].filter(keep).map((r) => structuredClone(r));
  }
}

function key(row: PolicyVersionRow): string {
  return `${row.jurisdiction}@${row.version}`;
}

/** The embedded ledger, with a switch that makes it unreachable. */
class SwitchableLedger implements Ledger {
  down = false;
  evaluations = 0;
  readonly #inner: Ledger;

  constructor(inner: Ledger) {
    this.#inner = inner;
  }

  submit(actor: LedgerActor, fn: string, args: readonly string[]): Promise<Committed> {
    this.#check();
    return this.#inner.submit(actor, fn, args);
  }

  evaluate(actor: LedgerActor, fn: string, args: readonly string[]): Promise<string> {
    this.#check();
    this.evaluations++;
    return this.#inner.evaluate(actor, fn, args);
  }

  events(checkpointer: Checkpointer): Promise<LedgerEventStream> {
    return this.#inner.events(checkpointer);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  #check(): void {
    if (this.down) throw new LedgerError('unavailable', 'the ledger did not answer (test)');
  }
}

function officer(subject: string, organisationId: string, jurisdiction: string): Principal {
  return { subject, organisationId, jurisdiction, roles: ['compliance_officer'] };
}

const schmidt = officer('officer-schmidt', 'charite-berlin', 'DE');
const dubois = officer('officer-dubois', 'aphp-paris', 'FR');
const miller = officer('officer-miller', 'mgh-boston', 'US-MA');
const clinician: Principal = { ...schmidt, subject: 'dr-weber', roles: ['clinician'] };
const reader: LedgerActor = { user: 'policy-test', role: 'gateway' };

let shipped: PolicyDocument[];
let tmp: string;
let embedded: EmbeddedLedger;
let ledger: SwitchableLedger;
let client: LedgerClient;
let repo: MemoryPolicies;
let service: PolicyService;

function shippedDoc(id: string): PolicyDocument {
  const doc = shipped.find((d) => d.jurisdiction === id);
  if (!doc) throw new Error(`no shipped ${id}`);
  return structuredClone(doc);
}

/** The shipped EU policy, tightened: payment no longer allowed. */
function tightenedEu(version = '2025.4'): PolicyDocument {
  const eu = shippedDoc('EU');
  const HPAYMT = { allowed: false, note: 'suspended' } as const;
  return { ...eu, version, rules: { ...eu.rules, purposes: { ...eu.rules.purposes, HPAYMT } } } as PolicyDocument;
}

async function failure(promise: Promise<unknown>): Promise<MeridianError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MeridianError);
  return err as MeridianError;
}

beforeAll(async () => {
  shipped = await loadShippedPolicies();
});

beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'meridian-policy-'));
  embedded = await EmbeddedLedger.open({ dir: path.join(tmp, 'ledger') });
  ledger = new SwitchableLedger(embedded);
  client = new LedgerClient(ledger, GLOBAL_IDS);
  repo = new MemoryPolicies();
  service = new PolicyService({ policies: repo, ledger: client });
});

afterEach(async () => {
  await embedded.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('PolicyService.bootstrap', () => {
  it('activates every shipped policy with four eyes, anchored and stored, and is idempotent', async () => {
    const first = await service.bootstrap(shipped);
    expect(first.map((o) => `${o.jurisdiction}:${o.action}`).sort()).toEqual([
      'DE:activated',
      'EU:activated',
      'UK:activated',
      'US:activated',
    ]);
    for (const doc of shipped) {
      const anchor = await client.getActivePolicy(reader, doc.jurisdiction);
      expect(anchor).toMatchObject({
        version: doc.version,
        hash: policyDocumentHash(doc),
        author: `bootstrap-author-${doc.jurisdiction.toLowerCase()}`,
        approver: `bootstrap-approver-${doc.jurisdiction.toLowerCase()}`,
        status: 'active',
      });
      const row = await repo.get(doc.jurisdiction, doc.version);
      expect(row).toMatchObject({
        status: 'active',
        author: `bootstrap-author-${doc.jurisdiction.toLowerCase()}`,
        approver: `bootstrap-approver-${doc.jurisdiction.toLowerCase()}`,
      });
      const history = await client.getPolicyHistory(reader, doc.jurisdiction);
      expect(history.map((e) => e.txId)).toEqual([row!.recordTxId, row!.approveTxId, row!.activateTxId]);
    }
    const again = await service.bootstrap(shipped);
    expect(again.every((o) => o.action === 'present')).toBe(true);
    expect(await client.getPolicyHistory(reader, 'EU')).toHaveLength(3);
  });

  it('beside a ledger that already has them active (a new control plane), only stores the rows', async () => {
    await service.bootstrap(shipped);
    const before = [...repo.rows.values()];
    const fresh = new MemoryPolicies();
    const outcomes = await new PolicyService({ policies: fresh, ledger: client }).bootstrap(shipped);
    expect(outcomes.every((o) => o.action === 'stored')).toBe(true);
    expect([...fresh.rows.values()]).toEqual(before);
  });

  it('never replaces what an officer activated since', async () => {
    await service.bootstrap(shipped);
    await service.draft(schmidt, tightenedEu());
    await service.approve(dubois, 'EU', '2025.4');
    await service.activate(dubois, 'EU', '2025.4');
    const fresh = new MemoryPolicies();
    const outcomes = await new PolicyService({ policies: fresh, ledger: client }).bootstrap(shipped);
    expect(outcomes.find((o) => o.jurisdiction === 'EU')).toMatchObject({
      action: 'skipped',
      reason: expect.stringMatching(/version 2025\.4 active/) as unknown,
    });
    expect((await client.getActivePolicy(reader, 'EU')).version).toBe('2025.4');
  });
});

describe('PolicyService lifecycle', () => {
  beforeEach(async () => {
    await service.bootstrap(shipped);
  });

  it('drafts, diffs, refuses self-approval, approves with a second officer and activates', async () => {
    const draft = await service.draft(schmidt, tightenedEu());
    expect(draft).toMatchObject({ jurisdiction: 'EU', version: '2025.4', status: 'draft', author: 'officer-schmidt' });
    expect(draft.contentHash).toBe(policyDocumentHash(tightenedEu()));
    expect(await client.getPolicyVersion(reader, 'EU', '2025.4')).toMatchObject({
      hash: draft.contentHash,
      status: 'recorded',
      author: 'officer-schmidt',
    });

    const diff = await service.diff(dubois, 'EU', '2025.4');
    expect(diff.activeVersion).toBe('2025.3');
    expect(diff.changes.map((c) => c.path)).toEqual(
      [
        'rules.purposes.HPAYMT.categories',
        'rules.purposes.HPAYMT.explicitConsent',
        'rules.purposes.HPAYMT.legalBasis',
        'rules.purposes.HPAYMT.allowed',
        'rules.purposes.HPAYMT.note',
        'version',
      ].sort(),
    );
    expect(diff.changes.find((c) => c.path === 'rules.purposes.HPAYMT.allowed')).toEqual({
      path: 'rules.purposes.HPAYMT.allowed',
      before: 'true',
      after: 'false',
    });

    const own = await failure(service.approve(schmidt, 'EU', '2025.4'));
    expect(own.code).toBe('FORBIDDEN');
    expect(own.message).toMatch(/different compliance officer/);
    const early = await failure(service.activate(schmidt, 'EU', '2025.4'));
    expect(early.code).toBe('BAD_USER_INPUT');
    expect(early.message).toMatch(/only an approved version/);

    const approved = await service.approve(dubois, 'EU', '2025.4');
    expect(approved).toMatchObject({ status: 'approved', approver: 'officer-dubois' });
    expect((await client.getPolicyVersion(reader, 'EU', '2025.4')).approver).toBe('officer-dubois');
    expect((await service.active()).policies.find((p) => p.document.jurisdiction === 'EU')?.document.version).toBe(
      '2025.3',
    );

    const activated = await service.activate(schmidt, 'EU', '2025.4');
    expect(activated.status).toBe('active');
    const active = await service.active();
    expect(active.violations).toEqual([]);
    expect(active.policies.find((p) => p.document.jurisdiction === 'EU')).toMatchObject({
      hash: draft.contentHash,
      activateTxId: activated.activateTxId,
    });

    const history = await service.history(dubois, 'EU');
    expect(history.map((h) => [h.version, h.status])).toEqual([
      ['2025.4', 'active'],
      ['2025.3', 'superseded'],
    ]);
    expect(history[0]).toMatchObject({
      author: 'officer-schmidt',
      approver: 'officer-dubois',
      recordTxId: draft.recordTxId,
      approveTxId: approved.approveTxId,
      activateTxId: activated.activateTxId,
    });
  });

  it('lets officers act only on the policies that cover their jurisdiction', async () => {
    expect((await failure(service.draft(miller, tightenedEu()))).code).toBe('FORBIDDEN');
    const de = { ...shippedDoc('DE'), version: '2026.1' };
    expect((await failure(service.draft(dubois, de))).message).toMatch(/officer of FR may not act on policy DE/);
    const us = { ...shippedDoc('US'), version: '2026.1' };
    expect((await service.draft(miller, us)).status).toBe('draft');
    // A draft cannot widen its own reach while the active version does not cover the officer.
    const grab = { ...tightenedEu('2026.9'), covers: ['US'] };
    expect((await failure(service.draft(miller, grab))).code).toBe('FORBIDDEN');
    await service.draft(schmidt, tightenedEu());
    expect((await failure(service.approve(miller, 'EU', '2025.4'))).code).toBe('FORBIDDEN');
    expect((await failure(service.diff(miller, 'EU', '2025.4'))).code).toBe('FORBIDDEN');
    expect((await failure(service.history(miller, 'EU'))).code).toBe('FORBIDDEN');
    for (const call of [
      () => service.draft(clinician, tightenedEu('2027.1')),
      () => service.approve(clinician, 'EU', '2025.4'),
      () => service.history(clinician, 'EU'),
      () => service.activePolicies(clinician),
    ]) {
      expect((await failure(call())).code).toBe('FORBIDDEN');
    }
    expect((await client.getPolicyHistory(reader, 'EU')).map((e) => e.version)).toEqual([
      '2025.3',
      '2025.3',
      '2025.3',
      '2025.4',
    ]);
  });

  it('refuses a bad document naming the path, an existing version and a loosening overlay; nothing stored', async () => {
    const bad = { ...tightenedEu(), rules: { ...tightenedEu().rules, consentDefault: 'sometimes' } };
    const invalid = await failure(service.draft(schmidt, bad));
    expect(invalid.code).toBe('BAD_USER_INPUT');
    expect(invalid.details.errors).toEqual([expect.stringMatching(/^rules\.consentDefault: /)]);

    const existing = await failure(service.draft(schmidt, shippedDoc('EU')));
    expect(existing.code).toBe('BAD_USER_INPUT');
    expect(existing.message).toMatch(/policy EU@2025\.3 already exists/);

    const euBreakGlass = (shippedDoc('EU') as RootPolicyDocument).rules.breakGlass;
    const de = {
      ...shippedDoc('DE'),
      version: '2026.1',
      rules: { breakGlass: { ...euBreakGlass, maxDurationMinutes: 600 } },
    };
    const loose = await failure(service.draft(schmidt, de));
    expect(loose.code).toBe('BAD_USER_INPUT');
    expect(loose.details.errors).toEqual([expect.stringMatching(/^rules\.breakGlass\.maxDurationMinutes: 600/)]);

    expect([...repo.rows.keys()].sort()).toEqual(['DE@2025.1', 'EU@2025.3', 'UK@2025.2', 'US@2025.2']);
    expect(await client.getPolicyHistory(reader, 'DE')).toHaveLength(3);
  });

  it('refuses to approve or activate a stored version that is not the anchored one', async () => {
    await service.draft(schmidt, tightenedEu());
    const tampered = { ...tightenedEu(), title: 'edited after drafting' };
    repo.alter('EU', '2025.4', (row) => ({ ...row, document: tampered, contentHash: policyDocumentHash(tampered) }));
    const approval = await failure(service.approve(dubois, 'EU', '2025.4'));
    expect(approval.code).toBe('INTEGRITY_VIOLATION');
    expect(approval.message).toMatch(/policy EU@2025\.4: the ledger does not anchor/);
    expect((await client.getPolicyVersion(reader, 'EU', '2025.4')).status).toBe('recorded');
  });

  it('finishes a draft whose ledger write succeeded but whose database write did not', async () => {
    repo.failNextInsert = true;
    await expect(service.draft(schmidt, tightenedEu())).rejects.toThrow('connection lost');
    const retried = await service.draft(schmidt, tightenedEu());
    const recorded = (await client.getPolicyHistory(reader, 'EU')).filter((e) => e.version === '2025.4');
    expect(recorded.map((e) => e.txId)).toEqual([retried.recordTxId]);
    // Another officer cannot take over the orphaned anchor.
    repo.rows.delete('EU@2025.4');
    expect((await failure(service.draft(dubois, tightenedEu()))).code).toBe('BAD_USER_INPUT');
  });
});

describe('PolicyService.active', () => {
  beforeEach(async () => {
    await service.bootstrap(shipped);
  });

  it('verifies each active policy against the ledger', async () => {
    const active = await service.active();
    expect(active.violations).toEqual([]);
    expect(active.policies.map((p) => p.document.jurisdiction).sort()).toEqual(['DE', 'EU', 'UK', 'US']);
    for (const p of active.policies) {
      expect((await client.getActivePolicy(reader, p.document.jurisdiction)).hash).toBe(p.hash);
    }
  });

  it('reports a stored document changed behind its back, and leaves that jurisdiction without a policy', async () => {
    repo.alter('EU', '2025.3', (row) => {
      const doc = structuredClone(row.document) as { rules: { crossBorder: { otherwise: string } } };
      doc.rules.crossBorder.otherwise = 'allow';
      return { ...row, document: doc };
    });
    const active = await service.active();
    expect(active.violations).toEqual([
      {
        subject: 'policy EU@2025.3',
        message: expect.stringMatching(/hashes to .* not to its content hash/) as unknown,
      },
    ]);
    expect(active.policies.map((p) => p.document.jurisdiction).sort()).toEqual(['DE', 'UK', 'US']);

    // Changing the content hash too does not help: the ledger anchors the original.
    repo.alter('EU', '2025.3', (row) => ({ ...row, contentHash: policyDocumentHash(row.document as PolicyDocument) }));
    expect((await service.active()).violations).toEqual([
      { subject: 'policy EU@2025.3', message: expect.stringMatching(/the ledger anchors/) as unknown },
    ]);
  });

  it('told the policy epoch it verified at, asks the ledger again only for changed rows or a moved epoch', async () => {
    const verified = await service.active(7);
    const asked = ledger.evaluations;
    expect(asked).toBeGreaterThan(0);
    expect(await service.active(7)).toBe(verified);
    expect(ledger.evaluations).toBe(asked);

    // Another epoch (an activation somewhere) is verified again, as is a call that names none.
    expect(await service.active(8)).toEqual(verified);
    expect(ledger.evaluations).toBeGreaterThan(asked);
    const at8 = ledger.evaluations;
    await service.active();
    expect(ledger.evaluations).toBeGreaterThan(at8);

    // A row altered behind the gateway's back at the same epoch is met on the very next call.
    await service.active(9);
    repo.alter('EU', '2025.3', (row) => ({ ...row, document: { ...(row.document as object), title: 'changed' } }));
    const altered = await service.active(9);
    expect(altered.violations.map((v) => v.subject)).toEqual(['policy EU@2025.3']);
    expect(altered.policies.map((p) => p.document.jurisdiction).sort()).toEqual(['DE', 'UK', 'US']);
  });

  it('uses what it last verified while the ledger is down, unless the stored rows changed', async () => {
    const verified = await service.active();
    ledger.down = true;
    expect(await service.active()).toEqual(verified);

    repo.alter('US', '2025.2', (row) => ({ ...row, document: { ...(row.document as object), title: 'changed' } }));
    expect((await failure(service.active())).code).toBe('LEDGER_UNAVAILABLE');

    const cold = new PolicyService({ policies: repo, ledger: client });
    expect((await failure(cold.active())).code).toBe('LEDGER_UNAVAILABLE');
  });

  it('adopts a version another gateway activated when it is stored here as approved, else reports it', async () => {
    const other = new MemoryPolicies();
    for (const row of repo.rows.values()) await other.save(row);
    const otherGateway = new PolicyService({ policies: other, ledger: client });

    await service.draft(schmidt, tightenedEu());
    await service.approve(dubois, 'EU', '2025.4');
    await other.save((await repo.get('EU', '2025.4'))!);
    await service.activate(dubois, 'EU', '2025.4');

    const seen = await otherGateway.active();
    expect(seen.violations).toEqual([]);
    expect(seen.policies.find((p) => p.document.jurisdiction === 'EU')).toMatchObject({
      hash: policyDocumentHash(tightenedEu()),
      activateTxId: (await repo.get('EU', '2025.4'))!.activateTxId,
    });

    other.rows.delete('EU@2025.4');
    expect((await otherGateway.active()).violations).toEqual([
      { subject: 'policy EU@2025.4', message: 'active on the ledger, but not stored here' },
    ]);
  });
});
