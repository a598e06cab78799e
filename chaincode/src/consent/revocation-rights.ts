import { forbidden } from '../errors.js';
import { ATTRIBUTES, ROLES, type Invoker } from '../identity/invoker.js';
import type { RevokedAs } from './consent-records.js';

/**
 * Who may revoke a patient's consent, decided from the invoker's certificate:
 * - the patient: `meridian.patient` equals the consent's patientRef;
 * - an organisation acting for the patient: `meridian.role=patient_delegate`
 *   and `meridian.delegateFor` equals the consent's patientRef.
 * Anyone else is refused, whatever their organisation.
 */
export function revocationRight(invoker: Invoker, patientRef: string): RevokedAs {
  if (invoker.patient === patientRef) return 'patient';
  if (invoker.role === ROLES.patientDelegate && invoker.delegateFor === patientRef) return 'patient_delegate';
  throw forbidden(
    `only the patient (${ATTRIBUTES.patient}) or a ${ROLES.patientDelegate} for the patient ` +
      `(${ATTRIBUTES.delegateFor}) may revoke this consent`,
  );
}
