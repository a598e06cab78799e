import { describe, expect, it } from 'vitest';
import {
  GENESIS_HASH,
  auditEventHash,
  type AuditBody,
  type AuditEvent,
  type NewAuditEvent,
} from '../../domain/audit-event.js';
import { entryIntegrity } from './audit-chain-problems.js';

// A body with array-index-like keys: the one shape where RFC 8785 and the older canonical form
// differ. Today's bodies have fixed field names (both forms give the same bytes); a stored body
// is whatever JSON the row holds, so the fallback is checked on one that differs.
const body = { recordCount: 3, counts: { '9': 1, '10': 2, b: 3 } } as unknown as AuditBody;
const decision: NewAuditEvent = {
  id: '4f7c2a0e-0000-4000-8000-000000000002',
  at: new Date('2026-01-31T12:00:00.123Z'),
  patientId: 'mp-0123456789ab',
  requesterOrg: 'charite-berlin',
  requesterSubject: 'dr-weber',
  requesterJurisdiction: 'DE',
  purpose: 'TREAT',
  operation: 'patientSummary',
  outcome: 'permit',
  breakGlass: false,
  body,
};

function chainedUnder(scheme: 'jcs' | 'sorted-keys-v0'): AuditEvent {
  const hash = auditEventHash({ ...decision, prevHash: GENESIS_HASH }, scheme);
  return { ...decision, seq: 1n, prevHash: GENESIS_HASH, hash, batchId: null, reviewedAt: null, reviewedBy: null };
}

describe('an access log entry’s integrity across the move to RFC 8785', () => {
  it('is intact for an event chained under either canonical form, and altered once its content changes', () => {
    const legacy = chainedUnder('sorted-keys-v0');
    expect(legacy.hash).not.toBe(chainedUnder('jcs').hash);
    expect(entryIntegrity(chainedUnder('jcs'), null)).toBe('intact');
    expect(entryIntegrity(legacy, null)).toBe('intact');
    const altered = { ...legacy, body: { ...body, counts: { '9': 1, '10': 5, b: 3 } } as unknown as AuditBody };
    expect(entryIntegrity(altered, null)).toBe('altered');
    expect(entryIntegrity(legacy, 'f'.repeat(64))).toBe('broken_link');
  });
});
