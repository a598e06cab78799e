import { badInput } from './errors.js';

/** A global patient id (`mp-…`) as requests name it. */
const PATIENT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** A research study's name, which de-identified answers are pseudonymous per. */
const STUDY = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

/**
 * @param field the argument, parameter or header as the front door names it (`details.field`)
 * @param shown how the message writes it (e.g. in backticks)
 * @throws MeridianError BAD_USER_INPUT
 */
export function checkPatientId(patientId: string, field: string, shown = field): void {
  if (!PATIENT_ID.test(patientId)) {
    throw badInput(`${shown} must be 1 to 64 letters, digits, dots, dashes or underscores.`, { field });
  }
}

/** As {@link checkPatientId}, for a study name. */
export function checkStudy(study: string, field: string, shown = field): void {
  if (!STUDY.test(study)) {
    throw badInput(`${shown} must be 1 to 64 letters, digits, dots, colons, dashes or underscores.`, { field });
  }
}
