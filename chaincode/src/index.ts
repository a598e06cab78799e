import { BatchContract } from './batch/batch-contract.js';
import { CareContract } from './care/care-contract.js';
import { ConsentContract } from './consent/consent-contract.js';
import { PatientContract } from './patient/patient-contract.js';
import { PolicyContract } from './policy/policy-contract.js';

export { BatchContract } from './batch/batch-contract.js';
export type { BatchAnchor } from './batch/batch-records.js';
export type { ChainHead } from './batch/chain-head.js';
export { CARE_CHANGED_EVENT, CareContract } from './care/care-contract.js';
export type { CareRecord, CareStatus } from './care/care-records.js';
export { CONSENT_RECORDED_EVENT, CONSENT_REVOKED_EVENT, ConsentContract } from './consent/consent-contract.js';
export type { ConsentEvent, ConsentRecord, ConsentStatus } from './consent/consent-records.js';
export { ChaincodeError, type ChaincodeErrorCode } from './errors.js';
export { ATTRIBUTES, ROLES } from './identity/invoker.js';
export { canonicalJson } from './ledger/canonical-json.js';
export { contextFor, type LedgerIdentity, type LedgerKV, type LedgerStub } from './ledger/ledger-context.js';
export {
  MAX_INDEX_ENTRIES,
  PATIENT_ERASED_EVENT,
  PatientContract,
  type PatientState,
  type PatientStateCare,
  type PatientStateConsent,
} from './patient/patient-contract.js';
export type { ConsentKind, PatientErasure } from './patient/patient-records.js';
export { POLICY_ACTIVATED_EVENT, PolicyContract } from './policy/policy-contract.js';
export type { PolicyEvent, PolicyStatus, PolicyVersion } from './policy/policy-records.js';

/** The contracts fabric-chaincode-node serves; the first is the default. */
export const contracts = [PolicyContract, ConsentContract, BatchContract, PatientContract, CareContract];
