import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolicyService } from '../src/access/policy/policy-service.js';
import { loadShippedPolicies } from '../src/access/policy/shipped-policies.js';
import { policyDocumentHash, type PolicyDocument } from '../src/domain/policy/index.js';
import { GLOBAL_IDS, LedgerClient } from '../src/ledger/ledger-client.js';
import type { LedgerActor } from '../src/ledger/ledger.js';
import { startTestGateway, type GraphQLResponse, type TestGateway } from './support/gateway.js';

const VERSION_FIELDS = /* GraphQL */ `
  jurisdiction
  version
  status
  contentHash
  author
  approver
  createdAt
  approvedAt
  activatedAt
  recordTxId
  approveTxId
  activateTxId
`;

const DRAFT = `mutation Draft($d: JSONObject!) { draftPolicy(document: $d) { ${VERSION_FIELDS} document } }`;
const APPROVE = `mutation Approve($j: String!, $v: String!) { approvePolicy(jurisdiction: $j, version: $v) { ${VERSION_FIELDS} } }`;
const ACTIVATE = `mutation Activate($j: String!, $v: String!) { activatePolicy(jurisdiction: $j, version: $v) { ${VERSION_FIELDS} } }`;
const DIFF = `query Diff($j: String!, $v: String!) { policyDiff(jurisdiction: $j, version: $v) { jurisdiction version activeVersion changes { path before after } } }`;
const HISTORY = `query History($j: String!) { policyHistory(jurisdiction: $j) { ${VERSION_FIELDS} } }`;
const ACTIVE = `query Active { activePolicies { policies { jurisdiction version hash activateTxId } violations { subject message } } }`;

interface VersionData {
  jurisdiction: string;
  version: string;
  status: 'DRAFT' | 'APPROVED' | 'ACTIVE' | 'SUPERSEDED';
  contentHash: string;
  author: string;
  approver: string | null;
  createdAt: string;
  approvedAt: string | null;
  activatedAt: string | null;
  recordTxId: string;
  approveTxId: string | null;
  activateTxId: string | null;
  document?: Record<string, unknown> | null;
}

interface ActiveData {
  policies: { jurisdiction: string; version: string; hash: string; activateTxId: string }[];
  violations: { subject: string; message: string }[];
}

const reader: LedgerActor = { user: 'policy-test', role: 'gateway' };

describe('compliance officers take jurisdiction policies through their lifecycle', () => {
  let t: TestGateway;
  let ledger: LedgerClient;
  let db: pg.Client;
  let shipped: PolicyDocument[];
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestGateway({ patients: 4 });
    ledger = new LedgerClient(t.gateway.ledger, GLOBAL_IDS);
    db = new pg.Client({ connectionString: t.databases.get('control')!.url });
    await db.connect();
    shipped = await loadShippedPolicies();
    const patient = t.demo.personas.find((p) => p.role === 'patient')!;
    for (const name of ['officer-schmidt', 'officer-dubois', 'officer-miller', 'dr-weber', 'auditor-klein']) {
      tokens[name] = await t.token(name);
    }
    tokens.patient = await t.token(patient.name);
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  async function ok<T>(query: string, variables: Record<string, unknown>, persona: string): Promise<T> {
    const res = await t.graphql<T>(query, variables, tokens[persona]);
    expect(res.errors).toEqual([]);
    return res.data!;
  }

  function codeOf(res: GraphQLResponse): unknown {
    expect(res.data).toBeNull();
    expect(res.errors).toHaveLength(1);
    return res.errors[0]!.extensions.code;
  }

  async function rowCount(): Promise<number> {
    const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM policy_versions');
    return Number(rows[0]!.n);
  }

  function euTightened(version: string): Record<string, unknown> {
    const eu = structuredClone(shipped.find((d) => d.jurisdiction === 'EU')!) as unknown as {
      version: string;
      rules: { crossBorder: Record<string, unknown>; purposes: { PUBHLTH: Record<string, unknown> } };
    };
    eu.version = version;
    eu.rules.crossBorder.otherwise = 'deny';
    eu.rules.purposes.PUBHLTH.categories = ['patient', 'immunizations'];
    return eu;
  }

  it('starts with the shipped policies active, anchored on the ledger by two bootstrap officers', async () => {
    const { activePolicies } = await ok<{ activePolicies: ActiveData }>(ACTIVE, {}, 'officer-schmidt');
    expect(activePolicies.violations).toEqual([]);
    expect(activePolicies.policies.map((p) => `${p.jurisdiction}@${p.version}`).sort()).toEqual([
      'DE@2025.1',
      'EU@2025.3',
      'UK@2025.2',
      'US@2025.2',
    ]);
    for (const doc of shipped) {
      const anchor = await ledger.getActivePolicy(reader, doc.jurisdiction);
      const listed = activePolicies.policies.find((p) => p.jurisdiction === doc.jurisdiction)!;
      expect(anchor).toMatchObject({
        version: doc.version,
        hash: policyDocumentHash(doc),
        author: `bootstrap-author-${doc.jurisdiction.toLowerCase()}`,
        approver: `bootstrap-approver-${doc.jurisdiction.toLowerCase()}`,
      });
      expect(listed.hash).toBe(anchor.hash);
      const history = await ledger.getPolicyHistory(reader, doc.jurisdiction);
      expect(history.at(-1)).toMatchObject({ action: 'activated', txId: listed.activateTxId });
    }
    const { rows } = await db.query<{ jurisdiction: string; status: string; author: string; approver: string }>(
      'SELECT jurisdiction, status, author, approver FROM policy_versions ORDER BY jurisdiction',
    );
    expect(rows).toEqual(
      ['DE', 'EU', 'UK', 'US'].map((jurisdiction) => ({
        jurisdiction,
        status: 'active',
        author: `bootstrap-author-${jurisdiction.toLowerCase()}`,
        approver: `bootstrap-approver-${jurisdiction.toLowerCase()}`,
      })),
    );
    // A restart bootstraps again: everything is found present, nothing is anchored twice.
    const again = new PolicyService({ policies: t.gateway.stores.control.policies, ledger });
    expect((await again.bootstrap(shipped)).map((o) => o.action)).toEqual(['present', 'present', 'present', 'present']);
    expect(await ledger.getPolicyHistory(reader, 'EU')).toHaveLength(3);
    expect(await rowCount()).toBe(4);
  });

  it('drafts a tightened EU version, diffs it, refuses self-approval, approves with a second officer, activates', async () => {
    const draft = (await ok<{ draftPolicy: VersionData }>(DRAFT, { d: euTightened('2025.4') }, 'officer-schmidt'))
      .draftPolicy;
    expect(draft).toMatchObject({
      jurisdiction: 'EU',
      version: '2025.4',
      status: 'DRAFT',
      author: 'officer-schmidt',
      approver: null,
      activateTxId: null,
    });
    expect(draft.document).toMatchObject({ version: '2025.4', rules: { crossBorder: { otherwise: 'deny' } } });
    expect(await ledger.getPolicyVersion(reader, 'EU', '2025.4')).toMatchObject({
      hash: draft.contentHash,
      status: 'recorded',
      author: 'officer-schmidt',
    });

    const { policyDiff } = await ok<{
      policyDiff: { activeVersion: string; changes: { path: string; before: string; after: string }[] };
    }>(DIFF, { j: 'EU', v: '2025.4' }, 'officer-dubois');
    expect(policyDiff.activeVersion).toBe('2025.3');
    expect(policyDiff.changes).toEqual([
      { path: 'rules.crossBorder.otherwise', before: '"explicit_consent"', after: '"deny"' },
      {
        path: 'rules.purposes.PUBHLTH.categories',
        before: '["patient","problems","immunizations","results"]',
        after: '["patient","immunizations"]',
      },
      { path: 'version', before: '"2025.3"', after: '"2025.4"' },
    ]);

    const self = await t.graphql(APPROVE, { j: 'EU', v: '2025.4' }, tokens['officer-schmidt']);
    expect(codeOf(self)).toBe('FORBIDDEN');
    expect(self.errors[0]!.message).toMatch(/drafted by officer-schmidt: it must be approved by a different/);

    const approved = (await ok<{ approvePolicy: VersionData }>(APPROVE, { j: 'EU', v: '2025.4' }, 'officer-dubois'))
      .approvePolicy;
    expect(approved).toMatchObject({ status: 'APPROVED', approver: 'officer-dubois' });
    expect(approved.approveTxId).toEqual(expect.any(String));

    const activated = (await ok<{ activatePolicy: VersionData }>(ACTIVATE, { j: 'EU', v: '2025.4' }, 'officer-dubois'))
      .activatePolicy;
    expect(activated).toMatchObject({ status: 'ACTIVE', activateTxId: expect.any(String) as unknown });
    expect(await ledger.getActivePolicy(reader, 'EU')).toMatchObject({ version: '2025.4', hash: draft.contentHash });

    const { policyHistory } = await ok<{ policyHistory: VersionData[] }>(HISTORY, { j: 'EU' }, 'officer-schmidt');
    expect(policyHistory.map((v) => [v.version, v.status])).toEqual([
      ['2025.4', 'ACTIVE'],
      ['2025.3', 'SUPERSEDED'],
    ]);
    expect(policyHistory[0]).toMatchObject({
      author: 'officer-schmidt',
      approver: 'officer-dubois',
      contentHash: draft.contentHash,
      recordTxId: draft.recordTxId,
      approveTxId: approved.approveTxId,
      activateTxId: activated.activateTxId,
    });

    const { activePolicies } = await ok<{ activePolicies: ActiveData }>(ACTIVE, {}, 'officer-miller');
    expect(activePolicies.policies.find((p) => p.jurisdiction === 'EU')).toEqual({
      jurisdiction: 'EU',
      version: '2025.4',
      hash: draft.contentHash,
      activateTxId: activated.activateTxId,
    });
  });

  it("refuses an officer acting on another jurisdiction's policy", async () => {
    const foreign = await t.graphql(DRAFT, { d: euTightened('2025.5') }, tokens['officer-miller']);
    expect(codeOf(foreign)).toBe('FORBIDDEN');
    expect(foreign.errors[0]!.message).toMatch(/officer of US-MA may not act on policy EU/);

    await ok(DRAFT, { d: euTightened('2025.5') }, 'officer-schmidt');
    expect(codeOf(await t.graphql(APPROVE, { j: 'EU', v: '2025.5' }, tokens['officer-miller']))).toBe('FORBIDDEN');
    expect(codeOf(await t.graphql(DIFF, { j: 'EU', v: '2025.5' }, tokens['officer-miller']))).toBe('FORBIDDEN');
    const de = { ...shipped.find((d) => d.jurisdiction === 'DE')!, version: '2026.1' };
    expect(codeOf(await t.graphql(DRAFT, { d: de }, tokens['officer-dubois']))).toBe('FORBIDDEN');
    const status = await db.query<{ status: string }>(
      "SELECT status FROM policy_versions WHERE jurisdiction = 'EU' AND version = '2025.5'",
    );
    expect(status.rows).toEqual([{ status: 'draft' }]);
  });

  it('refuses clinicians, patients and auditors, and asks for a token without one', async () => {
    for (const persona of ['dr-weber', 'patient', 'auditor-klein']) {
      expect(codeOf(await t.graphql(DRAFT, { d: euTightened('2026.1') }, tokens[persona]))).toBe('FORBIDDEN');
      expect(codeOf(await t.graphql(APPROVE, { j: 'EU', v: '2025.5' }, tokens[persona]))).toBe('FORBIDDEN');
      expect(codeOf(await t.graphql(ACTIVE, {}, tokens[persona]))).toBe('FORBIDDEN');
    }
    expect(codeOf(await t.graphql(DRAFT, { d: euTightened('2026.1') }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await t.graphql(HISTORY, { j: 'EU' }))).toBe('UNAUTHENTICATED');
  });

  it('refuses an invalid document naming the path, and stores and anchors nothing', async () => {
    const before = await rowCount();
    const ledgerBefore = await ledger.getPolicyHistory(reader, 'EU');
    const bad = euTightened('2026.2') as { rules: { purposes: { TREAT: Record<string, unknown> } } };
    bad.rules.purposes.TREAT.legalBasis = 'because';
    const res = await t.graphql(DRAFT, { d: bad }, tokens['officer-schmidt']);
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(res.errors[0]!.extensions.errors).toEqual([expect.stringMatching(/^rules\.purposes\.TREAT\.legalBasis: /)]);
    expect(await rowCount()).toBe(before);
    expect(await ledger.getPolicyHistory(reader, 'EU')).toEqual(ledgerBefore);
  });

  it('reports an active policy whose stored document was changed in PostgreSQL', async () => {
    await db.query(
      `UPDATE policy_versions SET document = jsonb_set(document, '{rules,breakGlass,maxDurationMinutes}', '1440')
        WHERE jurisdiction = 'US' AND status = 'active'`,
    );
    const { activePolicies } = await ok<{ activePolicies: ActiveData }>(ACTIVE, {}, 'officer-miller');
    expect(activePolicies.violations).toEqual([
      { subject: 'policy US@2025.2', message: expect.stringMatching(/not to its content hash/) as unknown },
    ]);
    expect(activePolicies.policies.map((p) => p.jurisdiction).sort()).toEqual(['DE', 'EU', 'UK']);
  });
});
