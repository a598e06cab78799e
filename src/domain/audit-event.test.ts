import { describe, expect, it } from 'vitest';
import {
  ERASED_PATIENT_PREFIX,
  GENESIS_HASH,
  auditEventHash,
  chainProblem,
  type AuditEvent,
  type NewAuditEvent,
} from './audit-event.js';

const decision: NewAuditEvent = {
  id: '4f7c2a0e-0000-4000-8000-000000000001',
  at: new Date('2026-01-31T12:00:00.123Z'),
  patientId: 'mp-0123456789ab',
  requesterOrg: 'charite-berlin',
  requesterSubject: 'dr-weber',
  requesterJurisdiction: 'DE',
  purpose: 'TREAT',
  operation: 'patientSummary',
  outcome: 'permit',
  breakGlass: false,
  body: {
    requesterRoles: ['clinician'],
    regions: { requested: ['eu-de', 'eu-fr'], answered: ['eu-de', 'eu-fr'], unavailable: [] },
    categories: { requested: ['problems'], disclosed: ['problems'] },
    recordCount: 3,
    reasons: [],
    policies: [],
    consents: [],
  },
};

function chained(event: NewAuditEvent, prevHash: string, seq: bigint): AuditEvent {
  return {
    ...event,
    seq,
    prevHash,
    hash: auditEventHash({ ...event, prevHash }),
    batchId: null,
    reviewedAt: null,
    reviewedBy: null,
  };
}

describe('audit event hashes', () => {
  it('depend on every decided field and the previous hash, not on key order', () => {
    const hash = auditEventHash({ ...decision, prevHash: GENESIS_HASH });
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    const reordered = Object.fromEntries(Object.entries(decision).reverse()) as unknown as NewAuditEvent;
    expect(auditEventHash({ ...reordered, prevHash: GENESIS_HASH })).toBe(hash);
    const variants: NewAuditEvent[] = [
      { ...decision, purpose: 'HRESCH' },
      { ...decision, outcome: 'deny' },
      { ...decision, at: new Date(decision.at.getTime() + 1) },
      { ...decision, breakGlass: true },
      { ...decision, body: { ...decision.body, recordCount: 4 } },
    ];
    for (const variant of variants) expect(auditEventHash({ ...variant, prevHash: GENESIS_HASH })).not.toBe(hash);
    expect(auditEventHash({ ...decision, prevHash: 'f'.repeat(64) })).not.toBe(hash);
  });

  it('tell an altered event from one that does not follow its predecessor', () => {
    const first = chained(decision, GENESIS_HASH, 1n);
    const second = chained({ ...decision, id: 'second' }, first.hash, 2n);
    expect(chainProblem(first, GENESIS_HASH)).toBeNull();
    expect(chainProblem(second, first.hash)).toBeNull();
    expect(chainProblem({ ...second, purpose: 'HRESCH' }, first.hash)).toBe('altered');
    expect(chainProblem(second, GENESIS_HASH)).toBe('broken-link');
  });

  it('chain the patient commitment instead of the id where there is one, so the id can be erased', () => {
    const committed = chained({ ...decision, patientCommitment: 'c'.repeat(64) }, GENESIS_HASH, 1n);
    const erased = { ...committed, patientId: `${ERASED_PATIENT_PREFIX}4f7c2a0e` };
    expect(chainProblem(erased, GENESIS_HASH)).toBeNull();
    expect(chainProblem({ ...committed, patientCommitment: 'd'.repeat(64) }, GENESIS_HASH)).toBe('altered');
    // Without one, the id is what is chained: changing it alters the event.
    const plain = chained(decision, GENESIS_HASH, 1n);
    expect(chainProblem({ ...plain, patientId: 'mp-ba9876543210' }, GENESIS_HASH)).toBe('altered');
    expect(plain.hash).not.toBe(committed.hash);
  });
});
