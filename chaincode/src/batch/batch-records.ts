import type { LedgerStub } from '../ledger/ledger-context.js';
import type { BatchKind } from '../validation/arguments.js';
import type { RecordSchema } from '../validation/payload-guard.js';

/** The Merkle root of a batch of audit events or record hashes from one region. */
export interface BatchAnchor {
  readonly batchId: string;
  readonly kind: BatchKind;
  readonly region: string;
  readonly merkleRoot: string;
  readonly count: number;
  readonly fromTime: string;
  readonly toTime: string;
  readonly anchoredAt: string;
  readonly anchoredBy: string;
  readonly txId: string;
  /** Chain batches only (`anchorChainBatch`): sequence number and hash of the chain's last event in the batch. */
  readonly headSeq?: number;
  readonly headHash?: string;
}

export const BATCH_ANCHOR: RecordSchema<BatchAnchor> = {
  type: 'meridian.batch',
  fields: {
    batchId: true,
    kind: true,
    region: true,
    merkleRoot: true,
    count: true,
    fromTime: true,
    toTime: true,
    anchoredAt: true,
    anchoredBy: true,
    txId: true,
    headSeq: true,
    headHash: true,
  },
};

export function batchKey(stub: LedgerStub, batchId: string): string {
  return stub.createCompositeKey(BATCH_ANCHOR.type, [batchId]);
}
