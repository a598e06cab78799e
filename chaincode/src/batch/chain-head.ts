import type { LedgerStub } from '../ledger/ledger-context.js';
import type { BatchKind } from '../validation/arguments.js';
import type { RecordSchema } from '../validation/payload-guard.js';

/**
 * The newest anchored batch of a hash chain kept off the ledger (the control plane's audit
 * log): its last event's sequence number and hash. A copy of the log that ends before this
 * head has lost anchored events, however consistent it is in itself.
 */
export interface ChainHead {
  readonly kind: BatchKind;
  readonly region: string;
  /** The newest batch anchored for this chain. */
  readonly batchId: string;
  /** Batches anchored for this chain so far. */
  readonly batches: number;
  /** Sequence number of the chain's last event in that batch. */
  readonly headSeq: number;
  /** Hash of that event. */
  readonly headHash: string;
  readonly anchoredAt: string;
  readonly txId: string;
}

export const CHAIN_HEAD: RecordSchema<ChainHead> = {
  type: 'meridian.chainhead',
  fields: {
    kind: true,
    region: true,
    batchId: true,
    batches: true,
    headSeq: true,
    headHash: true,
    anchoredAt: true,
    txId: true,
  },
};

export function chainHeadKey(stub: LedgerStub, kind: BatchKind, region: string): string {
  return stub.createCompositeKey(CHAIN_HEAD.type, [kind, region]);
}
