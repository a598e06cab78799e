import { describe, expect, it } from 'vitest';
import type { NewAuditEvent } from './audit-event.js';
import { newAuditEvent } from '../../test/support/audit-events.js';
import { notificationKind, webhookPayload } from './notification.js';

const read: NewAuditEvent = {
  ...newAuditEvent('4f7c2a0e-0000-4000-8000-000000000001', 3),
  at: new Date('2026-01-31T12:00:00.123Z'),
};
const breakGlass: NewAuditEvent = {
  ...read,
  purpose: 'ETREAT',
  breakGlass: true,
  body: {
    ...read.body,
    breakGlass: { justification: 'Unconscious on arrival.', granted: true, expiresAt: null, obligations: [] },
  },
};

describe('what an audit event tells its patient', () => {
  it('a granted break-glass access always, whatever it disclosed', () => {
    expect(notificationKind(breakGlass)).toBe('break_glass');
    expect(notificationKind({ ...breakGlass, outcome: 'deny', body: { ...breakGlass.body, recordCount: 0 } })).toBe(
      'break_glass',
    );
  });

  it('any other disclosure to someone else; not a refusal, an empty answer or the patient reading their own', () => {
    expect(notificationKind(read)).toBe('access');
    expect(notificationKind({ ...read, outcome: 'partial' })).toBe('access');
    expect(notificationKind({ ...read, outcome: 'deny' })).toBeNull();
    expect(notificationKind({ ...read, body: { ...read.body, recordCount: 0 } })).toBeNull();
    expect(notificationKind({ ...read, purpose: 'PATRQT' })).toBeNull();
    expect(notificationKind({ ...read, body: { ...read.body, requesterRoles: ['patient'] } })).toBeNull();
  });

  it('a webhook body names the organisation, never the staff member, and the justification of break-glass only', () => {
    const event = { ...breakGlass, seq: 1n, prevHash: '', hash: '', batchId: null, reviewedAt: null, reviewedBy: null };
    const body = webhookPayload({ id: 'ntf-1', kind: 'break_glass' }, event, 'Charité');
    expect(body).toMatchObject({
      type: 'meridian.access.break_glass',
      timestamp: '2026-01-31T12:00:00.123Z',
      data: { notificationId: 'ntf-1', organisationName: 'Charité', justification: 'Unconscious on arrival.' },
    });
    expect(JSON.stringify(body)).not.toContain('dr-weber');
    const plain = webhookPayload({ id: 'ntf-2', kind: 'access' }, { ...event, breakGlass: false }, null);
    expect(plain.data).not.toHaveProperty('justification');
  });
});
