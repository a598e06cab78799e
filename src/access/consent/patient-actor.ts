import { MeridianError } from '../../domain/errors.js';
import { hasRole, type Principal } from '../../domain/principal.js';
import type { LedgerActor } from '../../ledger/ledger.js';

/** The chaincode's user-id alphabet: a token subject outside it cannot name a ledger identity. */
const LEDGER_USER = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

/** The ledger identity of a patient acting for themself; the chaincode checks `patient`. */
export function patientActor(principal: Principal, patientId: string): LedgerActor {
  return {
    user: LEDGER_USER.test(principal.subject) ? principal.subject : patientId,
    role: 'patient',
    patient: patientId,
    jurisdiction: principal.jurisdiction,
  };
}

/** The patient a principal acts as, for what only patients do for themselves (`what`); else FORBIDDEN. */
export function ownPatient(principal: Principal, what: string): string {
  if (!hasRole(principal, 'patient') || principal.patientId === undefined) {
    throw new MeridianError('FORBIDDEN', `Only a patient may ${what}, and only their own.`);
  }
  return principal.patientId;
}
