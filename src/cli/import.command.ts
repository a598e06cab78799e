import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { importBundle, type ImportProgress, type ImportSummary } from '../access/import/import-service.js';
import type { RegionConfig } from '../config/regions.js';
import { hospitalOf } from '../demo/organisations.js';
import { MeridianError } from '../domain/errors.js';
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

function formatSummary(file: string, s: ImportSummary): string {
  const linkedNow = s.patients.filter((p) => p.link === 'new').length;
  const lines = [
    `Imported ${file} into ${s.region} as ${s.organisationId}: ${s.records} records ` +
      `(${s.inserted} new, ${s.updated} updated, ${s.unchanged} unchanged; ${s.anchored} newly anchored on the ledger).`,
    `Patients: ${s.patients.length} (${linkedNow} newly linked in the master patient index)`,
    ...s.patients
      .slice(0, PATIENTS_LISTED)
      .map((p) => `  Patient/${p.localId} → ${p.globalId}${p.link === 'new' ? ' (new link)' : ''}`),
  ];
  if (s.patients.length > PATIENTS_LISTED) lines.push(`  … and ${s.patients.length - PATIENTS_LISTED} more`);
  return lines.join('\n');
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

/** `meridian import FILE --region R [--organisation ORG]`: imports a FHIR R4 Bundle into a region. */
export function registerImport(program: Command, deps: CliDeps = defaultDeps): void {
  program
    .command('import')
    .description('validate a FHIR R4 Bundle (transaction or collection) and import it into a region, all or nothing')
    .argument('<file>', 'FHIR Bundle JSON file')
    .requiredOption('--region <id>', 'region whose record store receives the records')
    .option('--organisation <id>', "organisation recorded as the source (default: the region's hospital)")
    .action(async (file: string, opts: { region: string; organisation?: string }) => {
      const config = deps.loadConfig();
      const region = findRegion(config.regions, opts.region);
      const bundle = await readBundle(file);
      const summary = await withStores(deps, config, 'meridian import', async ({ stores, anchors, control }) => {
        const store = stores.get(region.id);
        if (store === undefined) throw new Error(`no record store open for region ${region.id}`);
        const organisationId = opts.organisation ?? (await defaultOrganisation(control, region));
        return withRecordAnchorer(deps, config, { anchors, control, stores }, async (anchor) => {
          const report = progressReporter((text) => {
            deps.err(text);
          });
          let phase = null as ImportProgress['phase'] | null;
          try {
            return await importBundle({
              store,
              control,
              region: region.id,
              bundle,
              organisationId,
              anchor,
              onProgress: (p) => {
                phase = p.phase;
                report(p);
              },
            });
          } catch (err) {
            if (err instanceof MeridianError && err.code === 'BAD_USER_INPUT') throw explain(file, err);
            if (phase === 'anchoring') throw unanchored(file, err);
            throw err;
          }
        });
      });
      deps.out(formatSummary(file, summary));
    });
}
