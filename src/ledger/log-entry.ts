// Before the chaincode classes load.
import './chaincode-logging.js';
import { createHash } from 'node:crypto';
import { canonicalJson } from 'meridian-chaincode';
import { z } from 'zod';
import type { ChaincodeEvent, WriteRecord } from './chaincode-executor.js';

/** The `prevHash` of transaction #1. */
export const GENESIS_HASH = '0'.repeat(64);

const hex64 = z.string().regex(/^[0-9a-f]{64}$/u, 'must be 64 lowercase hex characters');
const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/u, 'must be base64');

/**
 * Who invoked a transaction. Since format 2 an entry names the invoker's certificate by its
 * SHA-256 (`certificateHash`, over the PEM text) and carries the certificate itself only the
 * first time the log names it: the same few certificates signed every transaction, 3 KB
 * each. Keeping that first copy in the log (rather than in a side file) leaves the log the
 * one file to back up, and every certificate is covered by the entry hash the ledger signs.
 * Entries written before carry the certificate on every line (`certificate` only), and
 * still verify: the hash covers the invoker object as written.
 */
const invokerSchema = z.union([
  z.strictObject({
    mspId: z.string().min(1),
    id: z.string().min(1),
    certificateHash: hex64,
    certificate: z.string().min(1).optional(),
  }),
  z.strictObject({ mspId: z.string().min(1), id: z.string().min(1), certificate: z.string().min(1) }),
]);

const entrySchema = z.strictObject({
  sequence: z.number().int().min(1),
  txId: hex64,
  time: z.iso.datetime({ offset: false, precision: 3 }),
  invoker: invokerSchema,
  fn: z.string().min(1),
  args: z.array(z.string()),
  argsHash: hex64,
  writes: z.array(z.strictObject({ key: z.string().min(1), value: base64.nullable() })),
  event: z.strictObject({ name: z.string().min(1), payload: base64 }).nullable(),
  prevHash: hex64,
  hash: hex64,
  signature: base64.min(1),
});

/**
 * One line of `transactions.log`: one committed transaction, which is also one block.
 * Values and event payloads are base64 of the exact bytes the chaincode wrote.
 */
export type LogEntry = z.infer<typeof entrySchema>;

/** An entry's invoker: by certificate hash (the certificate on its first use), or with the certificate (older entries). */
export type LogInvoker = z.infer<typeof invokerSchema>;

/** What `hash` covers: every field but the hash and the signature. */
export type LogEntryBody = Omit<LogEntry, 'hash' | 'signature'>;

/** Parses one log line; the error says which field is wrong. */
export function parseLogEntry(line: string): LogEntry {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    throw new Error('not JSON');
  }
  const parsed = entrySchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(parsed.error.issues.map((i) => `${i.path.join('.') || 'entry'}: ${i.message}`).join('; '));
  }
  return parsed.data;
}

/** SHA-256 (hex) of the body's canonical JSON, so key order and spacing in the file do not matter. */
export function hashEntryBody(body: LogEntryBody): string {
  const { sequence, txId, time, invoker, fn, args, argsHash, writes, event, prevHash } = body;
  const hashed = { sequence, txId, time, invoker, fn, args, argsHash, writes, event, prevHash };
  return sha256Hex(canonicalJson(hashed));
}

/** The hash a log entry names its invoker's certificate by: SHA-256 (hex) of the PEM text. */
export function certificateHash(pem: string): string {
  return sha256Hex(pem);
}

/** SHA-256 (hex) of the arguments' canonical JSON. */
export function hashArguments(args: readonly string[]): string {
  return sha256Hex(canonicalJson(args));
}

export function encodeWrites(writes: readonly WriteRecord[]): LogEntry['writes'] {
  return writes.map((w) => ({ key: w.key, value: w.value === null ? null : Buffer.from(w.value).toString('base64') }));
}

export function decodeWrites(writes: LogEntry['writes']): WriteRecord[] {
  return writes.map((w) => ({ key: w.key, value: w.value === null ? null : Buffer.from(w.value, 'base64') }));
}

export function encodeEvent(event: ChaincodeEvent | null): LogEntry['event'] {
  return event === null ? null : { name: event.name, payload: Buffer.from(event.payload).toString('base64') };
}

/** The entry's line in the log, without its newline. */
export function formatLogEntry(entry: LogEntry): string {
  return canonicalJson(entry);
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
