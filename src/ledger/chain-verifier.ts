import type { InvokerCertificates } from './invoker-certificates.js';
import type { IntegrityFault } from './ledger-integrity-error.js';
import type { LedgerKey } from './ledger-key.js';
import { LogCertificates, type ResolvedCertificate } from './log-certificates.js';
import { GENESIS_HASH, hashArguments, hashEntryBody, parseLogEntry, type LogEntry } from './log-entry.js';
import type { LogContents } from './transaction-log.js';

/** What a log is checked against: the ledger's signing key and its CA. */
export interface ChainTrust {
  readonly key: LedgerKey;
  readonly certificates: InvokerCertificates;
  readonly mspId: string;
}

/**
 * Sees each transaction that passed the chain checks, in order, with its invoker's certificate
 * (which the entry may name by hash only); a returned sentence is a fault of it.
 */
export type EntryVisitor = (
  entry: LogEntry,
  certificatePem: string,
) => Promise<string | undefined> | string | undefined;

/** Where the lines to verify begin: after the transaction at `height`, whose hash they link to. */
export interface ChainStart {
  readonly height: number;
  readonly hash: string;
  /** The certificates the log carried up to `height`; the ones the lines carry are added to it. */
  readonly certificates: LogCertificates;
}

export interface ChainVerification {
  /** Height verified up to, counting from #1 (the start's height included): all of them when there is no fault. */
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
 * Verifies a log from transaction #1, or the lines after `start`: sequence numbers contiguous,
 * each hash recomputed, each signature by the ledger's key, each previous-hash link, argument
 * hashes, and invokers issued by the ledger's CA. Stops at the first fault.
 */
export async function verifyChain(
  lines: readonly string[],
  trust: ChainTrust,
  visit?: EntryVisitor,
  start: ChainStart = { height: 0, hash: GENESIS_HASH, certificates: new LogCertificates() },
): Promise<ChainVerification> {
  let last: LogEntry | null = null;
  const at = { base: start.height, lines };
  for (let index = 0; index < lines.length; index++) {
    const checked = checkLine(at, index, last?.hash ?? start.hash, trust, start.certificates);
    if ('fault' in checked) return { verified: start.height + index, last, fault: checked.fault };
    const { entry, certificate } = checked;
    start.certificates.add(certificate);
    const detail = await visit?.(entry, certificate);
    if (detail !== undefined) {
      const message = `${name(entry)}: ${detail}`;
      const fault: IntegrityFault = {
        sequence: entry.sequence,
        txId: entry.txId,
        line: start.height + index + 1,
        problem: 're-execution',
        message,
      };
      return { verified: start.height + index, last, fault };
    }
    last = entry;
  }
  return { verified: start.height + lines.length, last, fault: null };
}

type Checked = { readonly entry: LogEntry; readonly certificate: string } | { readonly fault: IntegrityFault };

/** Lines of the log and the height before the first of them (one line per transaction). */
interface LinesAt {
  readonly base: number;
  readonly lines: readonly string[];
}

function checkLine(
  at: LinesAt,
  index: number,
  previousHash: string,
  trust: ChainTrust,
  certificates: LogCertificates,
): Checked {
  const { lines } = at;
  const sequence = at.base + index + 1;
  const line = sequence;
  let entry: LogEntry;
  try {
    entry = parseLogEntry(lines[index] ?? '');
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const message = `transaction #${sequence} (line ${line}) is not a valid log entry: ${reason}`;
    return { fault: { sequence, txId: looseTxId(lines[index]), line, problem: 'malformed', message } };
  }
  if (entry.sequence !== sequence) return { fault: sequenceFault(at, index, entry) };
  const certificate = certificates.resolve(entry.invoker);
  const problem = entryProblem(entry, previousHash, trust, certificate);
  if (problem === null && 'pem' in certificate) return { entry, certificate: certificate.pem };
  const [kind, text] = problem ?? ['invoker', 'invoker certificate cannot be read'];
  return { fault: { sequence, txId: entry.txId, line, problem: kind, message: `${name(entry)}: ${text}` } };
}

function entryProblem(
  entry: LogEntry,
  previousHash: string,
  trust: ChainTrust,
  certificate: ResolvedCertificate,
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
  const invoker = invokerProblem(entry, trust, certificate);
  return invoker === null ? null : ['invoker', invoker];
}

function invokerProblem(entry: LogEntry, trust: ChainTrust, resolved: ResolvedCertificate): string | null {
  if (entry.invoker.mspId !== trust.mspId) return `invoker MSP ${entry.invoker.mspId} is not ${trust.mspId}`;
  if ('problem' in resolved) return resolved.problem;
  try {
    const certificate = trust.certificates.inspect(resolved.pem);
    if (!certificate.issuedByLedgerCa) return "invoker certificate was not issued by this ledger's CA";
    if (certificate.id !== entry.invoker.id) return 'invoker id does not match its certificate';
  } catch {
    return 'invoker certificate cannot be read';
  }
  return null;
}

/** A line holds the wrong sequence number: the expected transaction is elsewhere (reordered) or gone. */
function sequenceFault(at: LinesAt, index: number, found: LogEntry): IntegrityFault {
  const expected = at.base + index + 1;
  const line = expected;
  const foundText = `#${found.sequence} (txid ${found.txId})`;
  const elsewhere = findSequence(at, expected, index + 1);
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

function findSequence(at: LinesAt, sequence: number, from: number): { line: number; txId: string | null } | undefined {
  for (let i = from; i < at.lines.length; i++) {
    const raw = looseParse(at.lines[i]);
    if (raw?.sequence === sequence) {
      return { line: at.base + i + 1, txId: typeof raw.txId === 'string' ? raw.txId : null };
    }
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
