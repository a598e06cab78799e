import { createHmac } from 'node:crypto';
import { SealedBox } from '../cache/sealed-box.js';
import { derivedKey } from './derived-key.js';
import { rememberRecent } from './remember-recent.js';

/** Where the patients' own secrets are kept (the control plane's `patient_keys`). */
export interface PatientKeyStore {
  /** The patient's secret (hex), or null when the id names no patient (or one whose data was erased). */
  secret(globalId: string): Promise<string | null>;
}

/** What a patient's own secret keys. */
export interface PatientKey {
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
    const secret = await this.#store.secret(globalId);
    if (secret === null) return null;
    const key: PatientKey = {
      commitment: patientCommitment(secret, globalId),
      cacheBox: new SealedBox(derivedKey(Buffer.from(secret, 'hex'), 'meridian patient cache')),
    };
    rememberRecent(this.#known, globalId, key, REMEMBERED);
    return key;
  }

  forget(globalId: string): void {
    this.#known.delete(globalId);
  }
}
