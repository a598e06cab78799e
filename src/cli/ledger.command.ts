import path from 'node:path';
import type { Command } from 'commander';
import type { Config } from '../config/config.js';
import type { HeadCheckpoint } from '../ledger/head-checkpoint.js';
import type { LedgerVerification } from '../ledger/ledger-verification.js';
import { DataDirInUseError, lockDataDir } from '../stores/data-dir-lock.js';
import { defaultDeps, type CliDeps } from './cli-deps.js';
import { withControlCheckpoint } from './control-checkpoint.js';
import { fabricStatus } from './fabric-status.js';

type LedgerDeps = Pick<CliDeps, 'loadConfig' | 'out'>;

/** Where the embedded ledger lives: `<MERIDIAN_DATA_DIR>/ledger`. */
export function embeddedLedgerDir(config: Pick<Config, 'dataDir'>): string {
  return path.join(config.dataDir, 'ledger');
}

/**
 * The embedded ledger's log checked from #1: hash links, signatures and invoker certificates,
 * and that it reaches every head `headCheckpoint` recorded for it.
 */
export async function ledgerStatus(dir: string, headCheckpoint?: HeadCheckpoint): Promise<LedgerVerification> {
  // Loaded on use: the chaincode classes are heavy, and other commands never need them.
  const { EmbeddedLedger } = await import('../ledger/embedded-ledger.js');
  return EmbeddedLedger.verify({ dir, headCheckpoint });
}

/** As `ledgerStatus`, and every transaction re-executed by the chaincode, which must reproduce its writes and event. */
export async function verifyLedger(dir: string, headCheckpoint?: HeadCheckpoint): Promise<LedgerVerification> {
  const { EmbeddedLedger } = await import('../ledger/embedded-ledger.js');
  return EmbeddedLedger.verify({ dir, reexecute: true, headCheckpoint });
}

/** `meridian ledger status` output; `beside` when a running gateway holds the embedded control plane. */
export function formatStatus(report: LedgerVerification, beside = false): string {
  const lines = [`Ledger:        embedded, ${report.dir}${report.mspId ? ` (MSP ${report.mspId})` : ''}`];
  if (!report.exists) return [...lines, 'Transactions:  none yet (the ledger is created on first use)'].join('\n');
  lines.push(`Transactions:  ${String(report.transactions)}`);
  if (report.last) {
    const label = report.ok ? 'Last block:   ' : 'Last verified:';
    lines.push(`${label} #${String(report.last.sequence)}, tx ${report.last.txId}, ${report.last.time}`);
  }
  lines.push(`Anchors:       ${anchorCounts(report.functions)}`);
  lines.push(
    report.firstBad
      ? `Chain:         NOT VERIFIED: ${report.firstBad.message}`
      : 'Chain:         verified (hash links, signatures, invoker certificates)',
  );
  lines.push(
    `Checkpoint:    ${beside ? 'not read: a running gateway holds the embedded control plane (it checked the log against it when it opened the ledger; stop it and run `ledger verify` to check now)' : checkpointLine(report)}`,
  );
  lines.push(`Signing key:   ${report.signingKey ?? 'none'}`);
  return [...lines, ...tornTailNote(report)].join('\n');
}

/** `meridian ledger verify` output; the first bad transaction on a fault. */
export function formatVerification(report: LedgerVerification): string {
  if (!report.exists) return `No embedded ledger in ${report.dir} yet: nothing to verify.`;
  const checks = `hash chain, signatures, invoker certificates${report.reexecuted ? ', chaincode re-execution' : ''}`;
  if (report.firstBad === null) {
    return [
      `Verified all ${String(report.verified)} transactions of ${report.dir} (${checks}).`,
      `Replayed state: ${String(report.stateKeys)} keys; chaincode events: ${String(report.events)}; anchors: ${anchorCounts(report.functions)}.`,
      `Recorded heads: ${checkpointLine(report)}.`,
      ...tornTailNote(report),
      'OK',
    ].join('\n');
  }
  if (HEAD_PROBLEMS.has(report.firstBad.problem)) {
    return [
      `FAILED: ${report.firstBad.message}`,
      `The log's ${String(report.verified)} transactions verify (${checks}), but it does not hold what was recorded outside it: ${checkpointLine(report)}.`,
    ].join('\n');
  }
  const before =
    report.verified === 0
      ? 'no transaction before it'
      : `${report.verified === 1 ? '#1' : `#1 to #${String(report.verified)}`} before it`;
  return [
    `FAILED: ${report.firstBad.message}`,
    `First bad transaction: #${String(report.firstBad.sequence)}${report.firstBad.txId ? ` (txid ${report.firstBad.txId})` : ''}, line ${String(report.firstBad.line)} of the log; ${before} verified (${checks}); ${String(report.transactions)} in the log.`,
  ].join('\n');
}

/** `meridian ledger status` and `meridian ledger verify`. */
export function registerLedger(program: Command, deps: LedgerDeps = defaultDeps): void {
  const ledger = program.command('ledger').description('the shared ledger Meridian anchors hashes on');
  ledger
    .command('status')
    .description('where the ledger is, its transactions and anchors, and whether its chain verifies (exit 1 if not)')
    .action(async () => {
      const config = deps.loadConfig();
      if (config.fabric !== undefined) {
        const { ok, lines } = await fabricStatus(config.fabric);
        deps.out(lines.join('\n'));
        if (!ok) process.exitCode = 1;
        return;
      }
      const { report, beside } = await statusBesideGateway(config);
      deps.out(formatStatus(report, beside));
      if (!report.ok) process.exitCode = 1;
    });
  ledger
    .command('verify')
    .description(
      're-verify the embedded ledger: hash chain, signatures, and every transaction re-executed (exit 1 on a fault)',
    )
    .action(async () => {
      const config = deps.loadConfig();
      if (config.fabric !== undefined) {
        throw new Error(
          `ledger verify checks the embedded ledger; this configuration anchors on Fabric (peer ${config.fabric.peerEndpoint}), whose peers validate every block`,
        );
      }
      const report = await withDataDir(config, 'meridian ledger verify', () =>
        withControlCheckpoint(config, (checkpoint) => verifyLedger(embeddedLedgerDir(config), checkpoint)),
      );
      deps.out(formatVerification(report));
      if (!report.ok) process.exitCode = 1;
    });
}

/**
 * `ledger status` is read-only and never refused for a running gateway: it reads the log as
 * it stands (the log is append-only; a line being written is a torn tail, noted). With the
 * control plane in PostgreSQL it reads the head checkpoint there as well; with embedded
 * databases held by a gateway it cannot open them, and says so instead.
 */
async function statusBesideGateway(config: Config): Promise<{ report: LedgerVerification; beside: boolean }> {
  const dir = embeddedLedgerDir(config);
  if (config.controlDatabase.kind !== 'pglite') {
    return {
      report: await withControlCheckpoint(config, (checkpoint) => ledgerStatus(dir, checkpoint)),
      beside: false,
    };
  }
  let unlock: () => Promise<void>;
  try {
    unlock = await lockDataDir(config.dataDir, 'meridian ledger status');
  } catch (err) {
    if (!(err instanceof DataDirInUseError)) throw err;
    return { report: await ledgerStatus(dir), beside: true };
  }
  try {
    return {
      report: await withControlCheckpoint(config, (checkpoint) => ledgerStatus(dir, checkpoint)),
      beside: false,
    };
  } finally {
    await unlock();
  }
}

/** Embedded data is used by one process at a time, as `migrate` does it. */
async function withDataDir<T>(config: Config, holder: string, run: () => Promise<T>): Promise<T> {
  const unlock = config.controlDatabase.kind === 'pglite' ? await lockDataDir(config.dataDir, holder) : null;
  try {
    return await run();
  } finally {
    await unlock?.();
  }
}

function anchorCounts(functions: Readonly<Record<string, number>>): string {
  const n = (fn: string): string => String(functions[fn] ?? 0);
  return [
    `policy versions ${n('policy:recordPolicyVersion')} (${n('policy:approvePolicyVersion')} approved, ${n('policy:activatePolicyVersion')} activated)`,
    `consents ${n('consent:recordConsent')} (${n('consent:revokeConsent')} revoked)`,
    `batches ${n('batch:anchorBatch')}`,
  ].join('; ');
}

/** Faults of the log against a head recorded outside it, rather than of a transaction in it. */
const HEAD_PROBLEMS: ReadonlySet<string> = new Set(['rolled-back', 'fork', 'checkpoint']);

/** Which heads recorded outside the log were checked, and whether the log reaches them. */
function checkpointLine(report: LedgerVerification): string {
  const heads = report.recordedHeads;
  if (heads === null)
    return 'none consulted (no control plane): a log cut back to an earlier transaction is not detectable';
  if (heads.length === 0) return 'none recorded yet in the control plane';
  const listed = heads.map((h) => `#${String(h.height)} in ${h.source}`).join(', ');
  const rolledBack =
    report.firstBad !== null && ['rolled-back', 'fork', 'checkpoint'].includes(report.firstBad.problem);
  return `${listed}${rolledBack ? ': NOT REACHED' : report.firstBad === null ? ': the log reaches them' : ''}`;
}

function tornTailNote(report: LedgerVerification): string[] {
  return report.tornTail
    ? ['Note: the log ends with an incomplete line (a write cut short, never acknowledged); the next open drops it.']
    : [];
}
