import type { Command } from 'commander';
import { PatientKeys } from '../access/patient-keys.js';
import type { PatientIndexChange } from '../stores/patient-index.js';
import { defaultDeps, table, withRecordAnchorer, withStores, type CliDeps } from './cli-deps.js';

const REVIEW_HELP = `
An import links an incoming Patient to a known global patient only by a trusted identifier
(a national id, or an MRN namespaced by its organisation, as configured per jurisdiction).
A Patient with the same name and birth date as a known one, but no shared trusted
identifier, is created apart and listed here. A person decides:
  meridian patients merge <keep> <other> --by <name>    the two are one person
  meridian patients dismiss <review-id> --by <name>      they are not
  meridian patients unmerge <merge-event> --by <name>    undo a merge
Every change is kept in the patient index's audit trail (meridian patients history <id>).`;

/** Applies one index change, then anchors what it moved on the ledger (the read path checks rows against it). */
async function change(deps: CliDeps, what: PatientIndexChange): Promise<bigint> {
  const config = deps.loadConfig();
  return withStores(deps, config, `meridian patients ${what.kind}`, async (stores) => {
    const applied = await stores.control.patientIndex.apply(what);
    if (applied.patients.length > 0) {
      await withRecordAnchorer(deps, config, stores, (anchorer) =>
        anchorer.anchorPatients(applied.patients, applied.vacated),
      );
    }
    return applied.seq;
  });
}

/** `meridian patients review|merge|unmerge|dismiss|history`: the master patient index's review flow. */
export function registerPatients(program: Command, deps: CliDeps = defaultDeps): void {
  const patients = program.command('patients').description('the master patient index: probable matches, merges');
  patients
    .command('review')
    .description('list probable matches waiting for a decision (same name and birth date, no trusted identifier)')
    .option('--limit <n>', 'at most this many', '100')
    .addHelpText('after', REVIEW_HELP)
    .action(async (opts: { limit: string }) => {
      const config = deps.loadConfig();
      const reviews = await withStores(deps, config, 'meridian patients review', ({ control }) =>
        control.patientIndex.openReviews(Number(opts.limit) || 100),
      );
      if (reviews.length === 0) {
        deps.out('No probable matches wait for review.');
        return;
      }
      deps.out(
        table(
          ['review', 'patient', 'probably', 'region', 'local id', 'since'],
          reviews.map((r) => [r.id, r.globalId, r.candidateId, r.region, r.localId, r.createdAt.toISOString()]),
        ),
      );
    });
  patients
    .command('merge')
    .description('merge global patient <other> into <keep>: one person (audited; unmerge undoes it)')
    .argument('<keep>', 'the global patient id that remains')
    .argument('<other>', 'the global patient id merged into it')
    .requiredOption('--by <name>', 'who decides, for the audit trail')
    .option('--review <id>', 'the review this settles')
    .action(async (keep: string, other: string, opts: { by: string; review?: string }) => {
      const seq = await change(deps, {
        kind: 'merge',
        actor: opts.by,
        into: keep,
        from: other,
        ...(opts.review !== undefined ? { reviewId: opts.review } : {}),
      });
      deps.out(`Merged ${other} into ${keep} (merge event ${seq}; undo with: meridian patients unmerge ${seq}).`);
    });
  patients
    .command('unmerge')
    .description('undo a merge: the merged patient gets back its locations and identifiers (audited)')
    .argument('<merge-event>', 'the merge event number that merge printed')
    .requiredOption('--by <name>', 'who decides, for the audit trail')
    .action(async (event: string, opts: { by: string }) => {
      if (!/^\d+$/.test(event)) throw new Error(`"${event}" is not a merge event number`);
      const seq = await change(deps, { kind: 'unmerge', actor: opts.by, mergeSeq: BigInt(event) });
      deps.out(`Undid merge ${event} (event ${seq}).`);
    });
  patients
    .command('dismiss')
    .description('settle a review as two different people (audited)')
    .argument('<review-id>', 'the review id')
    .requiredOption('--by <name>', 'who decides, for the audit trail')
    .action(async (review: string, opts: { by: string }) => {
      const seq = await change(deps, { kind: 'dismiss', actor: opts.by, reviewId: review });
      deps.out(`Dismissed review ${review} (event ${seq}).`);
    });
  patients
    .command('history')
    .description("a global patient's index changes: links, merges, unmerges, with who made them")
    .argument('<global-id>', 'the global patient id')
    .action(async (globalId: string) => {
      const config = deps.loadConfig();
      const events = await withStores(deps, config, 'meridian patients history', ({ control }) =>
        control.patientIndex.history(globalId),
      );
      deps.out(
        table(
          ['event', 'at', 'action', 'by', 'patient', 'other'],
          events.map((e) => [String(e.seq), e.at.toISOString(), e.action, e.actor, e.globalId, e.otherId ?? '']),
        ),
      );
    });
  patients
    .command('ledger-id')
    .description(
      'the id the ledger knows a patient by (an HMAC of the global id under their own key): what to enrol their Fabric identity as',
    )
    .argument('<global-id>', 'the global patient id')
    .action(async (globalId: string) => {
      const config = deps.loadConfig();
      const key = await withStores(deps, config, 'meridian patients ledger-id', ({ control }) =>
        new PatientKeys(control.patientKeys).find(globalId),
      );
      if (key === null) {
        deps.err(`No patient ${globalId} has a key: the id names no patient in the index, or their data was erased.`);
        process.exitCode = 1;
        return;
      }
      deps.out(key.ledgerRef);
    });
}
