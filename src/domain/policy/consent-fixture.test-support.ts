import type { Consent } from '../consent/consent.js';

/** The patient of the decision tables. */
export const PATIENT = 'mp-0123456789ab';
/** When their consents were granted and took effect. */
const T0 = new Date('2025-01-01T00:00:00Z');

/** An active permit of PATIENT for treatment by any treating provider since T0, changed as given. */
export function consent(id: string, change: Partial<Consent> = {}): Consent {
  return {
    id,
    patientId: PATIENT,
    version: '1',
    status: 'active',
    kind: 'permit',
    grantee: { kind: 'any_treating_provider' },
    purposes: ['TREAT'],
    validFrom: T0,
    grantedAt: T0,
    ...change,
  };
}
