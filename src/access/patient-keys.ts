import { createHmac } from 'node:crypto';
import { SealedBox } from '../cache/sealed-box.js';
import { derivedKey } from './derived-key.js';
import { rememberRecent } from './remember-recent.js';

/** A patient's own secret as the control plane keeps it (`patient_keys`). */
export interface StoredPatientKey {
  /** 32 bytes, hex. */
  readonly secret: string;
  /** The patient's ledger entries predate patient keys: the ledger knows them by their global id. */
  readonly legacyLedgerRef: boolean;
}

/** Where the patients' own secrets are kept (the control plane's `patient_keys`). */
export interface PatientKeyStore {
  /** The patient's key, or null when the id names no patient (or one whose data was erased). */
  secret(globalId: string): Promise<StoredPatientKey | null>;
}

/** What a patient's own secret keys. */
export interface PatientKey {
  /**
   * The id the ledger knows the patient by: `mp-` and 40 hex digits of an HMAC of the global id
   * under the patient's secret. Once the secret is gone, nothing links the ledger's hashes to the
   * patient, not even for someone who knows the global id.
   */
  readonly ledgerRef: string;
  /**
   * HMAC-SHA256 of the patient id under the patient's secret: what the audit chain hashes
   * instead of the id. Once the secret is gone, nobody can tell whose events these were.
   */
  readonly commitment: string;
  /** The box everything cached for the patient is sealed in: unreadable once the secret is gone. */
  readonly cacheBox: SealedBox;
}

/** Patients whose keys are remembered in memory. */
const REMEMBERED = 10_000;

/** The audit commitment of `globalId` under `secret` (hex). */
export function patientCommitment(secret: string, globalId: string): string {
  return createHmac('sha256', Buffer.from(secret, 'hex')).update(`meridian.audit.patient\n${globalId}`).digest('hex');
}

/** The ledger id of `globalId` under `secret` (hex): within the chaincode's `mp-` alphabet and its 64-character user ids. */
export function patientLedgerRef(secret: string, globalId: string): string {
  const mac = createHmac('sha256', Buffer.from(secret, 'hex')).update(`meridian.ledger.patient\n${globalId}`);
  return `mp-${mac.digest('hex').slice(0, 40)}`;
}

/**
 * Each patient's own secret and what it keys, remembered in memory (a hot lookup reads no
 * row). `forget` drops a patient at once: an erasure, or another gateway's, told by the
 * ledger's patient epoch.
 */
export class PatientKeys {
  readonly #store: PatientKeyStore;
  readonly #known = new Map<string, PatientKey>();

  constructor(store: PatientKeyStore) {
    this.#store = store;
  }

  /** The patient's key; null when the id names no patient with one. */
  async find(globalId: string): Promise<PatientKey | null> {
    const known = this.#known.get(globalId);
    if (known !== undefined) return known;
    const stored = await this.#store.secret(globalId);
    if (stored === null) return null;
    const { secret } = stored;
    const key: PatientKey = {
      ledgerRef: stored.legacyLedgerRef ? globalId : patientLedgerRef(secret, globalId),
      commitment: patientCommitment(secret, globalId),
      cacheBox: new SealedBox(derivedKey(Buffer.from(secret, 'hex'), 'meridian patient cache')),
    };
    rememberRecent(this.#known, globalId, key, REMEMBERED);
    return key;
  }

  /** The id the ledger knows the patient by; the global id itself when the patient has no key (as the ledger knew everyone before keys). */
  async ledgerRef(globalId: string): Promise<string> {
    return (await this.find(globalId))?.ledgerRef ?? globalId;
  }

  /** The patient's audit commitment; null when the id names no patient with a key. */
  async commitment(globalId: string): Promise<string | null> {
    return (await this.find(globalId))?.commitment ?? null;
  }

  /** The box of what is cached for the patient; null when the id names no patient with a key. */
  async cacheBox(globalId: string): Promise<SealedBox | null> {
    return (await this.find(globalId))?.cacheBox ?? null;
  }

  forget(globalId: string): void {
    this.#known.delete(globalId);
  }
}
