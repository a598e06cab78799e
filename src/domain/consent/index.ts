/** Patient consents and objections: validation, ledger hashing, and matching to a request. */
export { consentContentHash, parseConsent } from './consent.js';
export type { Consent, ConsentGrantee, ConsentRef } from './consent.js';
export { CONSENT_KINDS, CONSENT_STATUSES, namesPurpose } from './consent-vocabulary.js';
export type { ConsentKind, ConsentStatus } from './consent-vocabulary.js';
export { selectConsents } from './consent-selection.js';
export type { ConsentQuery, ConsentSelection } from './consent-selection.js';
export type { ConsentRequester } from './consent-scope.js';
export { governedJurisdiction, grantProblems } from './grant-check.js';
export type { GrantContext, GrantProblem, PolicyCoverage } from './grant-check.js';
