// Before the chaincode classes load.
import './chaincode-logging.js';
import { canonicalJson } from 'meridian-chaincode';
import { verifyChain, linesToVerify, type ChainTrust } from './chain-verifier.js';
import type { ChaincodeExecutor, VersionedState } from './chaincode-executor.js';
import { CommittedState } from './committed-state.js';
import { InvokerCertificates } from './invoker-certificates.js';
import type { LedgerFolder } from './ledger-folder.js';
import { headFault, RecordedPositions, type RecordedHead } from './head-checkpoint.js';
import type { IntegrityFault } from './ledger-integrity-error.js';
import { encodeEvent, encodeWrites, type LogEntry } from './log-entry.js';
import { readTransactionLog } from './transaction-log.js';

/** The outcome of re-verifying an embedded ledger's log, fault or not. */
export interface LedgerVerification {
  readonly dir: string;
  /** False when the folder holds no ledger yet (nothing to verify, and nothing wrong). */
  readonly exists: boolean;
  /** True when every transaction verified. */
  readonly ok: boolean;
  /** Transactions in the log, good or bad. */
  readonly transactions: number;
  /** Transactions verified, from #1 up to the first bad one. */
  readonly verified: number;
  /** The last verified transaction. */
  readonly last: { readonly sequence: number; readonly txId: string; readonly time: string } | null;
  readonly firstBad: IntegrityFault | null;
  /** An incomplete last line (an append cut short, never acknowledged) follows; it is dropped at the next open. */
  readonly tornTail: boolean;
  /** True when each transaction was also re-executed with the chaincode and reproduced its writes and event. */
  readonly reexecuted: boolean;
  /** Verified transactions per chaincode function, e.g. `consent:revokeConsent`. */
  readonly functions: Readonly<Record<string, number>>;
  /** Chaincode events among the verified transactions. */
  readonly events: number;
  /** World state keys after replaying the verified transactions. */
  readonly stateKeys: number;
  readonly mspId: string | null;
  /** Fingerprint of the key that signs the log. */
  readonly signingKey: string | null;
  /**
   * The heads recorded outside the log that it was checked against (the control plane's
   * checkpoint, the newest anchored audit batch); null when none could be consulted.
   */
  readonly recordedHeads: readonly RecordedHead[] | null;
}

export interface VerifyOptions {
  /** Also runs every transaction again through the chaincode and compares its writes and event. */
  readonly reexecute?: boolean;
  /** Required for `reexecute`. */
  readonly executor?: ChaincodeExecutor;
  /** Heads recorded outside the log: a log that ends before one, or differs at one, fails. */
  readonly recorded?: readonly RecordedHead[];
}

/** The report for a folder that holds no ledger. */
export function emptyVerification(dir: string): LedgerVerification {
  return {
    dir,
    exists: false,
    ok: true,
    transactions: 0,
    verified: 0,
    last: null,
    firstBad: null,
    tornTail: false,
    reexecuted: false,
    functions: {},
    events: 0,
    stateKeys: 0,
    mspId: null,
    signingKey: null,
    recordedHeads: null,
  };
}

/**
 * Reads the ledger's log from disk and verifies it from #1, whatever state snapshot the
 * folder holds (a snapshot only spares the open a replay): the hash chain, the signatures,
 * the invokers' certificates, that replaying the write sets rebuilds state, and optionally
 * that the chaincode still produces each transaction's writes. Never throws on a fault.
 */
export async function verifyLedgerFolder(
  folder: LedgerFolder,
  options: VerifyOptions = {},
): Promise<LedgerVerification> {
  const executor = options.reexecute === true ? options.executor : undefined;
  if (options.reexecute === true && executor === undefined) throw new Error('re-execution needs a chaincode executor');
  const contents = await readTransactionLog(folder.logFile);
  const { lines, tornTail } = linesToVerify(contents);
  const trust: ChainTrust = {
    key: folder.key,
    mspId: folder.mspId,
    certificates: new InvokerCertificates({ caCertificatePem: folder.ca.certificatePem, mspId: folder.mspId }),
  };
  const committed = new CommittedState();
  const functions: Record<string, number> = {};
  const recorded = options.recorded ?? [];
  const positions = new RecordedPositions(recorded);
  const chain = await verifyChain(lines, trust, async (entry, certificatePem) => {
    const problem = executor ? await reexecutionProblem(executor, entry, certificatePem, committed.world) : undefined;
    if (problem === undefined) {
      committed.apply(entry, certificatePem);
      positions.see(entry);
      functions[entry.fn] = (functions[entry.fn] ?? 0) + 1;
    }
    return problem;
  });
  const last = chain.last;
  const fault =
    chain.fault ??
    headFault(folder.key.fingerprint, folder.key, recorded, positions.positions(committed.height, committed.lastHash));
  return {
    dir: folder.dir,
    exists: true,
    ok: fault === null,
    transactions: lines.length,
    verified: chain.verified,
    last: last ? { sequence: last.sequence, txId: last.txId, time: last.time } : null,
    firstBad: fault,
    tornTail,
    reexecuted: executor !== undefined,
    functions,
    events: committed.eventCount,
    stateKeys: committed.world.size,
    mspId: folder.mspId,
    signingKey: folder.key.fingerprint,
    recordedHeads: options.recorded ?? null,
  };
}

/** Runs the transaction again on the state before it; a sentence when the outcome differs from the log. */
async function reexecutionProblem(
  executor: ChaincodeExecutor,
  entry: LogEntry,
  certificatePem: string,
  state: VersionedState,
): Promise<string | undefined> {
  const result = await executor.execute(
    {
      txId: entry.txId,
      timestamp: new Date(entry.time),
      invoker: { mspId: entry.invoker.mspId, certificatePem },
      fn: entry.fn,
      args: entry.args,
    },
    state,
  );
  if (result.status !== 200) return `re-executed, the chaincode refuses it (${result.message})`;
  if (canonicalJson(encodeWrites(result.writes)) !== canonicalJson(entry.writes)) {
    return 're-executed, the chaincode does not reproduce its write set';
  }
  if (canonicalJson(encodeEvent(result.event)) !== canonicalJson(entry.event)) {
    return 're-executed, the chaincode does not reproduce its event';
  }
  return undefined;
}
