import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { conflict, invalidArgument, notFound } from '../errors.js';
import { canonicalJson } from '../ledger/canonical-json.js';
import { ledgerOf, txTime } from '../ledger/ledger-context.js';
import { getRecord, putRecord } from '../ledger/record-store.js';
import * as arg from '../validation/arguments.js';
import { BATCH_ANCHOR, batchKey, type BatchAnchor } from './batch-records.js';
import { CHAIN_HEAD, chainHeadKey, type ChainHead } from './chain-head.js';

/** Merkle roots of audit-event and record-hash batches: proof that a batch existed, unaltered, by a time. */
@Info({ title: 'BatchContract', description: 'Merkle-root anchors of audit and record batches' })
export class BatchContract extends Contract {
  constructor() {
    super('batch');
  }

  /** Anchors a batch once; `count` is a decimal string, the times ISO-8601 with `fromTime` ≤ `toTime`. */
  @Transaction()
  @Returns('string')
  async anchorBatch(
    ctx: Context,
    batchId: string,
    kind: string,
    region: string,
    merkleRoot: string,
    count: string,
    fromTime: string,
    toTime: string,
  ): Promise<string> {
    const id = arg.recordId('batchId', batchId);
    const k = arg.batchKind('kind', kind);
    const r = arg.region('region', region);
    const root = arg.sha256Hex('merkleRoot', merkleRoot);
    const n = arg.positiveCount('count', count);
    const from = arg.isoTime('fromTime', fromTime);
    const to = arg.isoTime('toTime', toTime);
    if (from > to) throw invalidArgument('toTime', "must not be before 'fromTime'");
    const { stub, identity } = ledgerOf(ctx);

    const key = batchKey(stub, id);
    if (await getRecord<BatchAnchor>(stub, key)) throw conflict(`batch ${id} is already anchored`);
    const record: BatchAnchor = {
      batchId: id,
      kind: k,
      region: r,
      merkleRoot: root,
      count: n,
      fromTime,
      toTime,
      anchoredAt: txTime(stub),
      anchoredBy: identity.getMSPID(),
      txId: stub.getTxID(),
    };
    await putRecord(stub, BATCH_ANCHOR, key, record);
    return canonicalJson(record);
  }

  /**
   * Anchors a batch of a hash chain kept off the ledger (kind `audit`: the control plane's
   * audit log) together with the chain's head after it, and moves the chain's head record
   * on. `headSeq` must pass the previous head's: the head only moves forward, so a log
   * whose newest events were deleted cannot be anchored as if it were complete.
   */
  @Transaction()
  @Returns('string')
  async anchorChainBatch(
    ctx: Context,
    batchId: string,
    kind: string,
    region: string,
    merkleRoot: string,
    count: string,
    fromTime: string,
    toTime: string,
    headSeq: string,
    headHash: string,
  ): Promise<string> {
    const seq = arg.positiveCount('headSeq', headSeq);
    const hash = arg.sha256Hex('headHash', headHash);
    const k = arg.batchKind('kind', kind);
    const r = arg.region('region', region);
    const { stub } = ledgerOf(ctx);
    const headKey = chainHeadKey(stub, k, r);
    const previous = await getRecord<ChainHead>(stub, headKey);
    if (previous && seq <= previous.headSeq) {
      throw conflict(`the ${k} chain of ${r} is anchored up to #${String(previous.headSeq)} already`);
    }
    const anchored = JSON.parse(
      await this.anchorBatch(ctx, batchId, kind, region, merkleRoot, count, fromTime, toTime),
    ) as BatchAnchor;
    const record: BatchAnchor = { ...anchored, headSeq: seq, headHash: hash };
    await putRecord(stub, BATCH_ANCHOR, batchKey(stub, anchored.batchId), record);
    const head: ChainHead = {
      kind: k,
      region: r,
      batchId: anchored.batchId,
      batches: (previous?.batches ?? 0) + 1,
      headSeq: seq,
      headHash: hash,
      anchoredAt: anchored.anchoredAt,
      txId: anchored.txId,
    };
    await putRecord(stub, CHAIN_HEAD, headKey, head);
    return canonicalJson(record);
  }

  /** The newest anchored batch of a chain (`anchorChainBatch`) and the chain's head after it. */
  @Transaction(false)
  @Returns('string')
  async getChainHead(ctx: Context, kind: string, region: string): Promise<string> {
    const k = arg.batchKind('kind', kind);
    const r = arg.region('region', region);
    const { stub } = ledgerOf(ctx);
    const head = await getRecord<ChainHead>(stub, chainHeadKey(stub, k, r));
    if (!head) throw notFound(`no ${k} chain batch of ${r} is anchored`);
    return canonicalJson(head);
  }

  @Transaction(false)
  @Returns('string')
  async getBatch(ctx: Context, batchId: string): Promise<string> {
    const id = arg.recordId('batchId', batchId);
    const { stub } = ledgerOf(ctx);
    const record = await getRecord<BatchAnchor>(stub, batchKey(stub, id));
    if (!record) throw notFound(`batch ${id} is not anchored`);
    return canonicalJson(record);
  }
}
