import type { RecordSchema } from '../validation/payload-guard.js';
import type { LedgerStub } from './ledger-context.js';
import { listRecords, putRecord } from './record-store.js';

/** Fields every history entry carries: when, and in which transaction. */
export interface HistoryStamp {
  readonly at: string;
  readonly txId: string;
}

/**
 * Appends an entry to a subject's history. Keys are (subject, time, tx id):
 * a prefix query returns them in time order, and an in-process ledger needs
 * nothing beyond composite keys (no `getHistoryForKey`).
 */
export async function appendHistory<T extends HistoryStamp>(
  stub: LedgerStub,
  schema: RecordSchema<T>,
  subject: string,
  entry: T,
): Promise<void> {
  const key = stub.createCompositeKey(schema.type, [subject, entry.at, entry.txId]);
  await putRecord(stub, schema, key, entry);
}

/** A subject's history, oldest first. */
export async function readHistory<T extends HistoryStamp>(
  stub: LedgerStub,
  schema: RecordSchema<T>,
  subject: string,
): Promise<T[]> {
  return listRecords<T>(stub, schema.type, [subject]);
}
