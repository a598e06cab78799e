import type { Command } from 'commander';
import type { AuditChainReport } from '../access/audit/audit-chain-verifier.js';
import { AuditChainVerifier } from '../access/audit/audit-chain-verifier.js';
import { GLOBAL_IDS, LedgerClient } from '../ledger/ledger-client.js';
import type { LedgerActor } from '../ledger/ledger.js';
import { ControlPlaneHeadCheckpoint } from '../stores/ledger-head-checkpoint.js';
import { defaultDeps, withStores, type CliDeps } from './cli-deps.js';

/** Who the command reads the ledger as: the gateway's role, which may read every batch. */
const CLI_ACTOR: LedgerActor = { user: 'meridian-cli', role: 'gateway' };

/** `meridian audit verify` output: the chain's positions, then OK or every problem found. */
export function formatAuditVerification(report: AuditChainReport): string {
  const at = (p: { seq: bigint; hash: string } | null): string =>
    p === null ? 'none' : `#${String(p.seq)} (hash ${p.hash})`;
  const lines = [
    `Audit chain:  ${String(report.events)} events checked (hashes and links), ${String(report.batches)} anchored batches checked against the ledger`,
    `Newest event: ${at(report.head)}`,
    `Checkpoint:   ${at(report.checkpoint)}`,
    `Ledger head:  ${report.ledgerHead ? `${at(report.ledgerHead)} in batch ${report.ledgerHead.batchId}, transaction ${report.ledgerHead.txId}` : 'no audit batch anchored with a chain head yet'}`,
  ];
  if (report.ok) return [...lines, 'OK'].join('\n');
  return [
    ...lines,
    `FAILED: ${String(report.problems.length)} problem${report.problems.length === 1 ? '' : 's'}:`,
    ...report.problems.map((p) => `  ${p.kind}${p.seq === null ? '' : ` at #${String(p.seq)}`}: ${p.detail}`),
  ].join('\n');
}

/** `meridian audit verify`. */
export function registerAudit(program: Command, deps: CliDeps = defaultDeps): void {
  const audit = program.command('audit').description('the hash-chained audit log of access decisions');
  audit
    .command('verify')
    .description(
      "verify the audit chain: every event's hash and link, its checkpoint, every anchored batch and the ledger's head (exit 1 on a problem)",
    )
    .action(async () => {
      const config = deps.loadConfig();
      const report = await withStores(deps, config, 'meridian audit verify', async ({ control }) => {
        const headCheckpoint = new ControlPlaneHeadCheckpoint(control.chainHeads);
        const ledger = await deps.openLedger(config, { headCheckpoint });
        try {
          const verifier = new AuditChainVerifier({
            auditLog: control.auditLog,
            ledger: new LedgerClient(ledger, GLOBAL_IDS),
            actor: CLI_ACTOR,
          });
          return await verifier.verify();
        } finally {
          await ledger.close();
        }
      });
      deps.out(formatAuditVerification(report));
      if (!report.ok) process.exitCode = 1;
    });
}
