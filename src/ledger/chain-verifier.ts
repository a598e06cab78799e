import type { InvokerCertificates } from './invoker-certificates.js';
import type { IntegrityFault } from './ledger-integrity-error.js';
import type { LedgerKey } from './ledger-key.js';
import { GENESIS_HASH, hashArguments, hashEntryBody, parseLogEntry, type LogEntry } from './log-entry.js';
import type { LogContents } from './transaction-log.js';

/** What a log is checked against: the ledger's signing key and its CA. */
export interface ChainTrust {
  readonly key: LedgerKey;
  readonly certificates: InvokerCertificates;
  readonly mspId: string;
}

/** Sees each transaction that passed the chain checks, in order; a returned sentence is a fault of it. */
export type EntryVisitor = (entry: LogEntry) => Promise<string | undefined> | string | undefined;

export interface ChainVerification {
  /** Transactions verified, from #1: all of them when there is no fault. */
  readonly verified: number;
  /** The last verified transaction. */
  readonly last: LogEntry | null;
  readonly fault: IntegrityFault | null;
}

/** The lines to verify, and whether an incomplete last line (an interrupted append) is left out. */
export interface LinesToVerify {
  readonly lines: readonly string[];
  /** The text after the last newline is not a transaction: an append cut short, never acknowledged. */
  readonly tornTail: boolean;
  /** The last line lacks only its newline: it is verified like the others. */
  readonly unterminatedLast: boolean;
}

/**
 * An append cut short leaves text that is not JSON: it was never acknowledged, so it is left
 * out. Text that parses is a whole entry and must verify like any other, so a tampered last
 * line cannot pass as a torn one by losing its newline.
 */
export function linesToVerify(contents: LogContents): LinesToVerify {
  if (contents.tail === '') return { lines: contents.lines, tornTail: false, unterminatedLast: false };
  try {
    JSON.parse(contents.tail);
  } catch {
    return { lines: contents.lines, tornTail: true, unterminatedLast: false };
  }
  return { lines: [...contents.lines, contents.tail], tornTail: false, unterminatedLast: true };
}

/**
 * Verifies a log from transaction #1: sequence numbers contiguous, each hash recomputed, each
 * signature by the ledger's key, each previous-hash link, argument hashes, and invokers issued
 * by the ledger's CA. Stops at the first fault.
 */
export async function verifyChain(
  lines: readonly string[],
  trust: ChainTrust,
  visit?: EntryVisitor,
): Promise<ChainVerification> {
  let last: LogEntry | null = null;
  for (let index = 0; index < lines.length; index++) {
    const checked = checkLine(lines, index, last?.hash ?? GENESIS_HASH, trust);
    if ('fault' in checked) return { verified: index, last, fault: checked.fault };
    const { entry } = checked;
    const detail = await visit?.(entry);
    if (detail !== undefined) {
      const message = `${name(entry)}: ${detail}`;
      const fault: IntegrityFault = {
        sequence: entry.sequence,
        txId: entry.txId,
        line: index + 1,
        problem: 're-execution',
        message,
      };
      return { verified: index, last, fault };
    }
    last = entry;
  }
  return { verified: lines.length, last, fault: null };
}

type Checked = { readonly entry: LogEntry } | { readonly fault: IntegrityFault };

function checkLine(lines: readonly string[], index: number, previousHash: string, trust: ChainTrust): Checked {
  const sequence = index + 1;
  const line = index + 1;
  let entry: LogEntry;
  try {
    entry = parseLogEntry(lines[index] ?? '');
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const message = `transaction #${sequence} (line ${line}) is not a valid log entry: ${reason}`;
    return { fault: { sequence, txId: looseTxId(lines[index]), line, problem: 'malformed', message } };
  }
  if (entry.sequence !== sequence) return { fault: sequenceFault(lines, index, entry) };
  const problem = entryProblem(entry, previousHash, trust);
  if (problem === null) return { entry };
  return { fault: { sequence, txId: entry.txId, line, problem: problem[0], message: `${name(entry)}: ${problem[1]}` } };
}

function entryProblem(
  entry: LogEntry,
  previousHash: string,
  trust: ChainTrust,
): [IntegrityFault['problem'], string] | null {
  if (hashEntryBody(entry) !== entry.hash) return ['hash', 'hash does not match its contents'];
  if (!trust.key.verify(entry.hash, entry.signature)) {
    return ['signature', "signature is not valid: it was not signed by this ledger's key"];
  }
  if (entry.prevHash !== previousHash) {
    const to = entry.sequence === 1 ? 'the genesis hash' : `the hash of #${entry.sequence - 1}`;
    return ['previous-hash', `previous-hash link broken: it does not match ${to}`];
  }
  if (hashArguments(entry.args) !== entry.argsHash) return ['arguments', 'argsHash does not match its arguments'];
  const invoker = invokerProblem(entry, trust);
  return invoker === null ? null : ['invoker', invoker];
}

function invokerProblem(entry: LogEntry, trust: ChainTrust): string | null {
  if (entry.invoker.mspId !== trust.mspId) return `invoker MSP ${entry.invoker.mspId} is not ${trust.mspId}`;
  try {
    const certificate = trust.certificates.inspect(entry.invoker.certificate);
    if (!certificate.issuedByLedgerCa) return "invoker certificate was not issued by this ledger's CA";
    if (certificate.id !== entry.invoker.id) return 'invoker id does not match its certificate';
  } catch {
    return 'invoker certificate cannot be read';
  }
  return null;
}

/** A line holds the wrong sequence number: the expected transaction is elsewhere (reordered) or gone. */
function sequenceFault(lines: readonly string[], index: number, found: LogEntry): IntegrityFault {
  const expected = index + 1;
  const line = index + 1;
  const foundText = `#${found.sequence} (txid ${found.txId})`;
  const elsewhere = findSequence(lines, expected, index + 1);
  if (elsewhere) {
    const message =
      `transaction #${expected} (txid ${elsewhere.txId ?? 'unreadable'}) is out of order: ` +
      `expected #${expected} on line ${line}, found ${foundText}; #${expected} is on line ${elsewhere.line}`;
    return { sequence: expected, txId: elsewhere.txId, line, problem: 'out-of-order', message };
  }
  if (found.sequence < expected) {
    const message = `transaction #${expected}: expected on line ${line}, found ${foundText} a second time`;
    return { sequence: expected, txId: null, line, problem: 'duplicate', message };
  }
  const message = `transaction #${expected} is missing: expected #${expected} on line ${line}, found ${foundText}`;
  return { sequence: expected, txId: null, line, problem: 'missing', message };
}

function findSequence(
  lines: readonly string[],
  sequence: number,
  from: number,
): { line: number; txId: string | null } | undefined {
  for (let i = from; i < lines.length; i++) {
    const raw = looseParse(lines[i]);
    if (raw?.sequence === sequence) return { line: i + 1, txId: typeof raw.txId === 'string' ? raw.txId : null };
  }
  return undefined;
}

function looseTxId(line: string | undefined): string | null {
  const raw = looseParse(line);
  return typeof raw?.txId === 'string' ? raw.txId : null;
}

function looseParse(line: string | undefined): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line ?? '');
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function name(entry: LogEntry): string {
  return `transaction #${entry.sequence} (txid ${entry.txId})`;
}
