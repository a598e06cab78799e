import { guardPayload, type RecordSchema } from '../validation/payload-guard.js';
import { canonicalBytes } from './canonical-json.js';
import type { LedgerStub } from './ledger-context.js';

/** Writes a record as canonical JSON, after the payload guard has passed it. */
export async function putRecord<T extends object>(
  stub: LedgerStub,
  schema: RecordSchema<T>,
  key: string,
  record: T,
): Promise<void> {
  guardPayload(schema, record);
  await stub.putState(key, canonicalBytes(record));
}

/** Reads one record; `undefined` when the key holds nothing (Fabric returns empty bytes). */
export async function getRecord<T extends object>(stub: LedgerStub, key: string): Promise<T | undefined> {
  const bytes = await stub.getState(key);
  if (bytes.length === 0) return undefined;
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as T;
}

/** Every record under a composite-key prefix, in key order. */
export async function listRecords<T extends object>(
  stub: LedgerStub,
  objectType: string,
  attributes: string[],
): Promise<T[]> {
  const records: T[] = [];
  for await (const kv of stub.getStateByPartialCompositeKey(objectType, attributes)) {
    records.push(JSON.parse(Buffer.from(kv.value).toString('utf8')) as T);
  }
  return records;
}
