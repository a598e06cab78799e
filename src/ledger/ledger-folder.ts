import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { CertificateAuthority } from './certificate-authority.js';
import { writeFileDurably } from './durable-file.js';
import { LedgerKey } from './ledger-key.js';

/** The files of an embedded ledger's folder. The CA's own files are `ca-cert.pem` and `ca-key.pem`. */
export const LEDGER_FILES = {
  manifest: 'ledger.json',
  log: 'transactions.log',
  key: 'ledger-key.pem',
  lock: 'ledger.lock',
  /** The signed state snapshot the ledger opens from (see `ledger-snapshot.ts`); the log stays the record. */
  snapshot: 'state.snapshot',
} as const;

const FORMAT = 'meridian-embedded-ledger/1';
const manifestSchema = z.object({ format: z.literal(FORMAT), mspId: z.string().min(1), createdAt: z.string() });

/** An embedded ledger's folder, its keys loaded. */
export interface LedgerFolder {
  readonly dir: string;
  readonly mspId: string;
  /** Issues the invokers' certificates. */
  readonly ca: CertificateAuthority;
  /** Signs every committed transaction. */
  readonly key: LedgerKey;
  readonly logFile: string;
}

/**
 * Loads the ledger in `dir`, or starts a new one there when the folder holds none. The
 * manifest is written last, so a start cut short leaves a folder that is started afresh.
 */
export async function prepareLedgerFolder(dir: string, mspId: string | undefined): Promise<LedgerFolder> {
  const existing = await readLedgerFolder(dir);
  if (existing) {
    if (mspId !== undefined && mspId !== existing.mspId) {
      throw new Error(`the embedded ledger in ${dir} belongs to MSP ${existing.mspId}, not ${mspId}`);
    }
    return existing;
  }
  const owner = mspId ?? 'MeridianMSP';
  await mkdir(dir, { recursive: true });
  const ca = await CertificateAuthority.create(owner);
  await ca.save(dir);
  const key = LedgerKey.generate();
  await key.save(path.join(dir, LEDGER_FILES.key));
  const manifest = { format: FORMAT, mspId: owner, createdAt: new Date().toISOString() };
  await writeFileDurably(path.join(dir, LEDGER_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`, 0o644);
  return { dir, mspId: owner, ca, key, logFile: path.join(dir, LEDGER_FILES.log) };
}

/** The ledger in `dir`, or null when there is none; creates nothing. */
export async function readLedgerFolder(dir: string): Promise<LedgerFolder | null> {
  const logFile = path.join(dir, LEDGER_FILES.log);
  const manifestText = await readFile(path.join(dir, LEDGER_FILES.manifest), 'utf8').catch(missingAsNull);
  if (manifestText === null) {
    if ((await fileSize(logFile)) > 0) {
      throw new Error(
        `${dir} holds a transaction log but no ${LEDGER_FILES.manifest}: restore the ledger's files rather than start a new ledger over it`,
      );
    }
    return null;
  }
  const manifest = manifestSchema.safeParse(JSON.parse(manifestText));
  if (!manifest.success) throw new Error(`${path.join(dir, LEDGER_FILES.manifest)} is not a ${FORMAT} manifest`);
  const { mspId } = manifest.data;
  const [ca, key] = await Promise.all([
    CertificateAuthority.load(dir, mspId),
    LedgerKey.load(path.join(dir, LEDGER_FILES.key)),
  ]);
  return { dir, mspId, ca, key, logFile };
}

async function fileSize(file: string): Promise<number> {
  const info = await stat(file).catch(missingAsNull);
  return info?.size ?? 0;
}

function missingAsNull(err: unknown): null {
  if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
  throw err;
}
