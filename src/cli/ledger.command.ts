import path from 'node:path';
import type { Command } from 'commander';
import type { Config } from '../config/config.js';
import type { LedgerVerification } from '../ledger/ledger-verification.js';
import { lockDataDir } from '../stores/data-dir-lock.js';
import { defaultDeps, type CliDeps } from './cli-deps.js';

type LedgerDeps = Pick<CliDeps, 'loadConfig' | 'out'>;

/** Where the embedded ledger lives: `<MERIDIAN_DATA_DIR>/ledger`. */
export function embeddedLedgerDir(config: Pick<Config, 'dataDir'>): string {
  return path.join(config.dataDir, 'ledger');
}

/** The embedded ledger's log checked from #1: hash links, signatures and invoker certificates. */
export async function ledgerStatus(dir: string): Promise<LedgerVerification> {
  // Loaded on use: the chaincode classes are heavy, and other commands never need them.
  const { EmbeddedLedger } = await import('../ledger/embedded-ledger.js');
  return EmbeddedLedger.verify({ dir });
}

/** As `ledgerStatus`, and every transaction re-executed by the chaincode, which must reproduce its writes and event. */
export async function verifyLedger(dir: string): Promise<LedgerVerification> {
  const { EmbeddedLedger } = await import('../ledger/embedded-ledger.js');
  return EmbeddedLedger.verify({ dir, reexecute: true });
}

/** `meridian ledger status` output. */
export function formatStatus(report: LedgerVerification): string {
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
      ...tornTailNote(report),
      'OK',
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
        const f = config.fabric;
        deps.out(
          `Ledger:        Fabric, peer ${f.peerEndpoint}, channel ${f.channel}, chaincode ${f.chaincode}, MSP ${f.mspId}`,
        );
        deps.out('Chain:         kept and validated by the Fabric peers (no local verification)');
        return;
      }
      // Read-only: the log is read from disk as it stands, beside a running gateway too.
      const report = await ledgerStatus(embeddedLedgerDir(config));
      deps.out(formatStatus(report));
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
      const report = await withDataDir(config, 'meridian ledger verify', () => verifyLedger(embeddedLedgerDir(config)));
      deps.out(formatVerification(report));
      if (!report.ok) process.exitCode = 1;
    });
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

function tornTailNote(report: LedgerVerification): string[] {
  return report.tornTail
    ? ['Note: the log ends with an incomplete line (a write cut short, never acknowledged); the next open drops it.']
    : [];
}
