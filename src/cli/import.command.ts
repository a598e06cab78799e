import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { importBundle, type ImportProgress, type ImportSummary } from '../access/import/import-service.js';
import type { RegionConfig } from '../config/regions.js';
import { hospitalOf } from '../demo/organisations.js';
import { MeridianError } from '../domain/errors.js';
import { trustedSystemsFor } from '../fhir/patient-identifiers.js';
import { fhirValidator } from '../fhir/validation.js';
import type { ControlPlane } from '../stores/control-plane.js';
import { defaultDeps, withRecordAnchorer, withStores, type CliDeps } from './cli-deps.js';

/** Progress of big imports only: a line per phase and tenth, so a log stays readable. */
const PROGRESS_FROM = 1000;
const PATIENTS_LISTED = 20;

async function readBundle(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(err);
    throw new Error(`cannot read ${file}: ${reason}`, { cause: err });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error(`${file} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

function findRegion(regions: readonly RegionConfig[], id: string): RegionConfig {
  const region = regions.find((r) => r.id === id);
  if (region === undefined)
    throw new Error(`unknown region "${id}"; configured regions: ${regions.map((r) => r.id).join(', ')}`);
  return region;
}

/** The region's demo hospital if the control plane knows it, else its one organisation of that jurisdiction. */
async function defaultOrganisation(control: ControlPlane, region: RegionConfig): Promise<string> {
  const orgs = await control.organisations();
  const preferred = hospitalOf(region).id;
  if (orgs.some((o) => o.id === preferred)) return preferred;
  const local = orgs.filter((o) => o.jurisdiction === region.jurisdiction);
  if (local.length === 1 && local[0]) return local[0].id;
  throw new Error(
    `no default organisation for region ${region.id} (jurisdiction ${region.jurisdiction}); pass --organisation ` +
      `(known: ${orgs.map((o) => o.id).join(', ') || 'none — start the gateway or run meridian seed first'})`,
  );
}

function progressReporter(err: (text: string) => void): (p: ImportProgress) => void {
  const lastTenth = new Map<string, number>();
  return (p) => {
    if (p.total < PROGRESS_FROM && p.phase !== 'validated') return;
    if (p.phase === 'validated') {
      if (p.total >= PROGRESS_FROM) err(`import: ${p.total} records valid; writing in one transaction`);
      return;
    }
    const tenth = Math.floor((p.done / p.total) * 10);
    if (tenth === lastTenth.get(p.phase)) return;
    lastTenth.set(p.phase, tenth);
    err(`import: ${p.phase} ${tenth * 10}% (${p.done}/${p.total})`);
  };
}

function skippedText(skipped: Readonly<Record<string, number>>): string {
  const parts = Object.entries(skipped)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([type, n]) => `${n} ${type}`);
  return parts.length === 0 ? 'none' : parts.join(', ');
}

function formatSummary(file: string, s: ImportSummary): string {
  const linkedNow = s.patients.filter((p) => p.link !== 'existing').length;
  const lines = [
    `Imported ${file} (${s.bundleType}) into ${s.region} as ${s.organisationId}: ${s.records} records kept ` +
      `(${s.inserted} new, ${s.updated} updated, ${s.unchanged} unchanged; ${s.anchored} newly anchored on the ledger).`,
    `Skipped (not stored): ${skippedText(s.skipped)}.`,
    `Patients: ${s.patients.length} (${linkedNow} newly linked in the master patient index)`,
    ...s.patients
      .slice(0, PATIENTS_LISTED)
      .map(
        (p) =>
          `  Patient/${p.localId} → ${p.globalId}` +
          (p.link === 'new' ? ' (new patient)' : '') +
          (p.link === 'matched' ? ' (joined by trusted identifier)' : '') +
          (p.link === 'review' ? ` (new; probably ${p.probableMatch ?? '?'}: listed for review)` : ''),
      ),
  ];
  if (s.patients.length > PATIENTS_LISTED) lines.push(`  … and ${s.patients.length - PATIENTS_LISTED} more`);
  return lines.join('\n');
}

/** The files named, a folder standing for the .json files in it, in name order. */
async function bundleFiles(args: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const arg of args) {
    const info = await stat(arg).catch(() => null);
    if (info?.isDirectory()) {
      const names = (await readdir(arg)).filter((n) => n.endsWith('.json')).sort();
      out.push(...names.map((n) => path.join(arg, n)));
    } else out.push(arg);
  }
  return out;
}

/** Bad input: the whole list of problems, one a line, and nothing imported. */
function explain(file: string, err: MeridianError): Error {
  const errors = Array.isArray(err.details.errors) ? (err.details.errors as string[]) : [];
  const list = errors.length > 0 ? `\n${errors.map((e) => `  ${e}`).join('\n')}` : '';
  const summary = err.message.replace(/, the first: .*$/s, '');
  return new Error(`${file} was not imported, nothing changed: ${summary}${list}`, { cause: err });
}

/** Stored but not anchored: reads withhold the records until the same file is imported again. */
function unanchored(file: string, err: unknown): Error {
  const reason = err instanceof Error ? err.message : String(err);
  return new Error(
    `${file}: the records were stored but could not be anchored on the ledger (${reason}); ` +
      'reads withhold them until they are: import the same file again once the ledger is reachable',
    { cause: err },
  );
}

/** One file, all or nothing: its summary, or the error that left it out. */
async function importFile(
  file: string,
  run: (bundle: unknown, onProgress: (p: ImportProgress) => void) => Promise<ImportSummary>,
  err: (text: string) => void,
): Promise<ImportSummary> {
  const bundle = await readBundle(file);
  const report = progressReporter(err);
  let phase = null as ImportProgress['phase'] | null;
  try {
    return await run(bundle, (p) => {
      phase = p.phase;
      report(p);
    });
  } catch (e) {
    if (e instanceof MeridianError && e.code === 'BAD_USER_INPUT') throw explain(file, e);
    if (phase === 'anchoring') throw unanchored(file, e);
    throw e;
  }
}

interface Totals {
  files: number;
  kept: number;
  inserted: number;
  unchanged: number;
  skipped: number;
  failed: string[];
}

/**
 * `meridian import FILE... --region R [--organisation ORG]`: imports FHIR R4 Bundles into a
 * region, each all or nothing, one at a time (memory holds one bundle). A refused bundle is
 * reported and the others still import; the command fails if any was refused.
 */
export function registerImport(program: Command, deps: CliDeps = defaultDeps): void {
  program
    .command('import')
    .description(
      'validate FHIR R4 Bundles (document, transaction, batch, collection, searchset) and import each into a region, all or nothing',
    )
    .argument('<files...>', 'FHIR Bundle JSON files, or folders of them')
    .requiredOption('--region <id>', 'region whose record store receives the records')
    .option('--organisation <id>', "organisation importing (default: the region's hospital)")
    .action(async (args: string[], opts: { region: string; organisation?: string }) => {
      const config = deps.loadConfig();
      const region = findRegion(config.regions, opts.region);
      const files = await bundleFiles(args);
      const trustedSystems = trustedSystemsFor(region.jurisdiction, config.trustedIdentifiers);
      const totals: Totals = { files: 0, kept: 0, inserted: 0, unchanged: 0, skipped: 0, failed: [] };
      // Loads the FHIR definitions while the databases open: both take seconds.
      const validator = fhirValidator();
      validator.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
      await withStores(
        deps,
        config,
        'meridian import',
        async ({ stores, anchors, control }) => {
          await validator;
          const store = stores.get(region.id);
          if (store === undefined) throw new Error(`no record store open for region ${region.id}`);
          const organisationId = opts.organisation ?? (await defaultOrganisation(control, region));
          await withRecordAnchorer(deps, config, { anchors, control, stores }, async (anchor) => {
            for (const file of files) {
              const run = (bundle: unknown, onProgress: (p: ImportProgress) => void): Promise<ImportSummary> =>
                importBundle({
                  store,
                  control,
                  region: region.id,
                  bundle,
                  organisationId,
                  trustedSystems,
                  anchor,
                  onProgress,
                });
              try {
                const summary = await importFile(file, run, deps.err);
                deps.out(formatSummary(file, summary));
                totals.files++;
                totals.kept += summary.records;
                totals.inserted += summary.inserted + summary.updated;
                totals.unchanged += summary.unchanged;
                totals.skipped += Object.values(summary.skipped).reduce((a, b) => a + b, 0);
              } catch (e) {
                if (files.length === 1) throw e;
                totals.failed.push(file);
                deps.err(e instanceof Error ? e.message : String(e));
              }
              if (files.length > 1)
                deps.err(
                  `import: ${totals.files + totals.failed.length}/${files.length} bundles; ${totals.kept} records kept ` +
                    `(${totals.inserted} written, ${totals.unchanged} unchanged), ${totals.skipped} resources skipped, ` +
                    `${totals.failed.length} bundles refused`,
                );
            }
          });
        },
        [region.id],
      );
      if (totals.failed.length > 0)
        throw new Error(
          `${totals.failed.length} of ${files.length} bundles were not imported: ${totals.failed.join(', ')}`,
        );
    });
}
