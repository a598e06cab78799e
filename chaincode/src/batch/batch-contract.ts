import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { conflict, invalidArgument, notFound } from '../errors.js';
import { canonicalJson } from '../ledger/canonical-json.js';
import { ledgerOf, txTime } from '../ledger/ledger-context.js';
import { getRecord, putRecord } from '../ledger/record-store.js';
import * as arg from '../validation/arguments.js';
import { BATCH_ANCHOR, batchKey, type BatchAnchor } from './batch-records.js';

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
