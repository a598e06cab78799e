import type { RecordSchema } from '../validation/payload-guard.js';
import type { LedgerStub } from './ledger-context.js';
import { getRecord, putRecord } from './record-store.js';

/**
 * A counter that moves whenever what it stands for changes: a patient's consents (any
 * grant or revocation) or the set of active policies (any activation). Caches key their
 * entries by epoch, so one read of the epochs tells whether an entry is still current.
 */
export interface Epoch {
  readonly scope: string;
  readonly epoch: number;
}

export const EPOCH: RecordSchema<Epoch> = {
  type: 'meridian.epoch',
  fields: { scope: true, epoch: true },
};

/** The scope of the active policies' epoch. */
export const POLICY_SCOPE = 'policies';

/** The scope of one patient's consents' epoch. */
export function patientScope(patientRef: string): string {
  return `patient:${patientRef}`;
}

function epochKey(stub: LedgerStub, scope: string): string {
  return stub.createCompositeKey(EPOCH.type, [scope]);
}

export async function readEpoch(stub: LedgerStub, scope: string): Promise<number> {
  return (await getRecord<Epoch>(stub, epochKey(stub, scope)))?.epoch ?? 0;
}

/** Moves the scope's epoch on by one and returns the new value. */
export async function bumpEpoch(stub: LedgerStub, scope: string): Promise<number> {
  const epoch = (await readEpoch(stub, scope)) + 1;
  await putRecord(stub, EPOCH, epochKey(stub, scope), { scope, epoch });
  return epoch;
}
