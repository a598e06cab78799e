import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { LedgerKey } from './ledger-key.js';
import type { KeyValue, WorldState } from './world-state.js';

/**
 * Commits between two state snapshots. Opening replays at most this many transactions after a
 * crash (a clean shutdown always writes one): about a second of signature checks, against a
 * snapshot write (the whole world state) once per this many commits.
 */
export const SNAPSHOT_INTERVAL = 2000;

const FORMAT = 'meridian-ledger-snapshot/1';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/u);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/u;
const headerSchema = z.strictObject({ format: z.literal(FORMAT), signature: z.string().min(1) });
const bodySchema = z.strictObject({
  ledgerId: z.string().min(1),
  height: z.number().int().min(1),
  headHash: hex64,
  headStart: z.number().int().min(0),
  headEnd: z.number().int().min(1),
  certificates: z.array(z.string().min(1)),
  // Checked by `decodeState`: a schema per key costs more than the rest of reading it.
  state: z.array(z.unknown()),
});

/**
 * A signed statement of the embedded ledger about its own log: at `height`, whose entry has
 * hash `headHash` and occupies bytes [headStart, headEnd) of the log, the world state was
 * `state` and the log had carried `certificates`. It spares the open a replay of everything
 * before it; it is trusted only with a valid signature of the ledger's key and only when the
 * log's entry at `height` is the one named.
 */
export interface LedgerSnapshot {
  readonly ledgerId: string;
  readonly height: number;
  readonly headHash: string;
  readonly headStart: number;
  readonly headEnd: number;
  readonly certificates: readonly string[];
  readonly state: readonly KeyValue[];
}

/** A snapshot read from its file, or why it cannot be used; null when there is none. */
export type SnapshotReading = { readonly snapshot: LedgerSnapshot } | { readonly problem: string } | null;

/** What is signed: the format and the body's exact bytes, so reading it needs no canonical form. */
function snapshotDigest(body: string): string {
  return createHash('sha256').update(`${FORMAT}\n`).update(body, 'utf8').digest('hex');
}

/**
 * The snapshot file of the ledger at `head` with state `world`: a header line with the
 * ledger key's signature, then the body on one line.
 */
export function encodeSnapshot(
  key: LedgerKey,
  head: Omit<LedgerSnapshot, 'state' | 'ledgerId'>,
  world: WorldState,
): string {
  const state: [string, string, string][] = [];
  for (const kv of world.entries()) state.push([kv.key, Buffer.from(kv.value).toString('base64'), kv.version]);
  const body = JSON.stringify({
    ledgerId: key.fingerprint,
    height: head.height,
    headHash: head.headHash,
    headStart: head.headStart,
    headEnd: head.headEnd,
    certificates: head.certificates,
    state,
  });
  const header = JSON.stringify({ format: FORMAT, signature: key.sign(snapshotDigest(body)) });
  return `${header}\n${body}\n`;
}

/** Reads the snapshot in `file` and checks its signature by `key`; never throws for a bad file. */
export async function readSnapshot(file: string, key: LedgerKey): Promise<SnapshotReading> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return { problem: `it cannot be read (${err instanceof Error ? err.message : String(err)})` };
  }
  const split = text.indexOf('\n');
  if (split < 0 || !text.endsWith('\n')) return { problem: 'it is incomplete' };
  const header = headerSchema.safeParse(parseJson(text.slice(0, split)));
  if (!header.success) return { problem: `it is not a ${FORMAT} file` };
  const body = text.slice(split + 1, -1);
  if (!key.verify(snapshotDigest(body), header.data.signature)) {
    return { problem: "it is not signed by this ledger's key" };
  }
  const parsed = bodySchema.safeParse(parseJson(body));
  if (!parsed.success) return { problem: 'its contents are malformed' };
  if (parsed.data.ledgerId !== key.fingerprint) return { problem: 'it names another ledger' };
  const { state, ...rest } = parsed.data;
  const decoded = decodeState(state);
  if (decoded === null) return { problem: 'its world state is malformed' };
  return { snapshot: { ...rest, state: decoded } };
}

/** `[key, base64 value, version]` triples as world state entries; null when one is not such a triple. */
function decodeState(state: readonly unknown[]): KeyValue[] | null {
  const out: KeyValue[] = [];
  for (const item of state) {
    if (!Array.isArray(item) || item.length !== 3) return null;
    const [key, value, version] = item as unknown[];
    if (typeof key !== 'string' || key === '' || typeof value !== 'string' || typeof version !== 'string') return null;
    if (!BASE64.test(value) || version === '') return null;
    out.push({ key, value: Buffer.from(value, 'base64'), version });
  }
  return out;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
