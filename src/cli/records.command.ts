import type { Command } from 'commander';
import type { UnanchoredAnchoringResult } from '../access/anchoring/record-anchoring.js';
import { defaultDeps, withRecordAnchorer, withStores, type CliDeps } from './cli-deps.js';

const KEYS_LISTED = 20;

const ANCHOR_HELP = `
Anchors every record of the region that has no ledger anchor at all, with the content its
database holds now. It is for recovering from an import or seed that stored records but
could not anchor them (the ledger was down): reads withhold such records as integrity
violations until they are anchored.

Risk: whatever the database holds for those records is anchored as authentic. If anyone
may have altered them since they were written, do not run this; import the original
bundle again instead, which anchors the file's own hashes. Rows whose resource no longer
matches their own content_hash column are never anchored; they are listed, and the
command exits 1.`;

export function formatAnchoring(region: string, r: UnanchoredAnchoringResult): string {
  const lines = [
    r.anchored === 0 && r.mismatched.length === 0
      ? `Every record of ${region} has a ledger anchor: nothing to do.`
      : `Anchored ${r.anchored} records of ${region} in ${r.batches.length} ledger batch${r.batches.length === 1 ? '' : 'es'}.`,
  ];
  if (r.mismatched.length > 0) {
    lines.push(
      `Left unanchored, withheld from reads: ${r.mismatched.length} records whose content no longer matches their content_hash column:`,
      ...r.mismatched.slice(0, KEYS_LISTED).map((key) => `  ${key}`),
    );
    if (r.mismatched.length > KEYS_LISTED) lines.push(`  … and ${r.mismatched.length - KEYS_LISTED} more`);
  }
  return lines.join('\n');
}

/** `meridian records anchor --region R`: anchors the region's records that have no anchor. */
/** Most patients `records anchor` re-anchors the index of in one run. */
const PATIENT_INDEX_LIMIT = 10_000_000;

export function registerRecords(program: Command, deps: CliDeps = defaultDeps): void {
  const records = program.command('records').description("a region's records and their ledger anchors");
  records
    .command('anchor')
    .description('anchor the records of a region that have no ledger anchor (recovery after a failed import)')
    .requiredOption('--region <id>', 'region whose unanchored records to anchor')
    .addHelpText('after', ANCHOR_HELP)
    .action(async (opts: { region: string }) => {
      const config = deps.loadConfig();
      if (!config.regions.some((r) => r.id === opts.region))
        throw new Error(
          `unknown region "${opts.region}"; configured regions: ${config.regions.map((r) => r.id).join(', ')}`,
        );
      const result = await withStores(deps, config, 'meridian records anchor', ({ anchors, control, stores }) =>
        withRecordAnchorer(deps, config, { anchors, control, stores }, async (anchorer) => {
          const anchoring = await anchorer.anchorUnanchored(opts.region, (n) => {
            deps.err(`records anchor: ${n} anchored`);
          });
          // The patient index as it stands, so reads can check their rows against it.
          const patients = (await control.patients(PATIENT_INDEX_LIMIT)).filter((p) => p.regions.includes(opts.region));
          const indexed = await anchorer.anchorPatients(patients.map((p) => p.globalId));
          return { ...anchoring, indexed };
        }),
      );
      deps.out(formatAnchoring(opts.region, result));
      deps.out(`  patient-index entries anchored: ${result.indexed}`);
      if (result.mismatched.length > 0) process.exitCode = 1;
    });
}
