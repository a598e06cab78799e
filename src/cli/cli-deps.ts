import { InvalidArgumentError } from 'commander';
import { anchorerOf, type RecordAnchorer } from '../access/anchoring/record-anchoring.js';
import { loadConfig, type Config } from '../config/config.js';
import { LedgerClient } from '../ledger/ledger-client.js';
import type { HeadCheckpoint } from '../ledger/head-checkpoint.js';
import type { Ledger } from '../ledger/ledger.js';
import { lockDataDir } from '../stores/data-dir-lock.js';
import { openStores, type Stores } from '../stores/open-stores.js';
import { PatientKeys } from '../access/patient-keys.js';

/** What the demo, seed and import commands need from outside; tests hand in their own. */
export interface CliDeps {
  readonly loadConfig: () => Config;
  readonly openStores: (
    config: Config,
    /** Only these regions: each embedded (PGlite) database costs seconds and ~200 MB to open. */
    regions?: readonly string[],
  ) => Promise<Pick<Stores, 'stores' | 'anchors' | 'control' | 'close'>>;
  /** The ledger record hashes are anchored on: Fabric when configured, else the embedded one. */
  readonly openLedger: (config: Config, options?: { readonly headCheckpoint?: HeadCheckpoint }) => Promise<Ledger>;
  /** Results (stdout). */
  readonly out: (text: string) => void;
  /** Progress and diagnostics (stderr). */
  readonly err: (text: string) => void;
}

export const defaultDeps: CliDeps = {
  loadConfig: () => loadConfig(),
  openStores: (config, regions) => openStores(config, regions === undefined ? {} : { regions }),
  // Loaded on use: the embedded ledger's chaincode classes are heavy, and most commands never need them.
  openLedger: async (config, options) => (await import('../ledger/open-ledger.js')).openLedger(config, options),
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/**
 * Opens the stores for one command and closes them after it. Embedded (PGlite) data
 * may be opened by one process only, so the data folder is locked meanwhile.
 */
export async function withStores<T>(
  deps: CliDeps,
  config: Config,
  holder: string,
  run: (stores: Pick<Stores, 'stores' | 'anchors' | 'control'>) => Promise<T>,
  regions?: readonly string[],
): Promise<T> {
  const unlock = config.controlDatabase.kind === 'pglite' ? await lockDataDir(config.dataDir, holder) : null;
  try {
    const stores = await deps.openStores(config, regions);
    try {
      return await run(stores);
    } finally {
      await stores.close();
    }
  } finally {
    await unlock?.();
  }
}

/**
 * Opens the ledger for one command and closes it after: `run` gets an anchorer for record
 * hashes on it. The embedded ledger locks its folder: while a gateway runs, this fails saying so.
 */
export async function withRecordAnchorer<T>(
  deps: CliDeps,
  config: Config,
  stores: Pick<Stores, 'anchors' | 'control' | 'stores'>,
  run: (anchorer: RecordAnchorer) => Promise<T>,
): Promise<T> {
  const ledger = await deps.openLedger(config);
  try {
    return await run(anchorerOf(stores, new LedgerClient(ledger, new PatientKeys(stores.control.patientKeys))));
  } finally {
    await ledger.close();
  }
}

/** A commander option parser for whole numbers in a range. */
export function wholeNumber(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}`);
    return n;
  };
}

/** Left-aligned text columns with a header row. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}
