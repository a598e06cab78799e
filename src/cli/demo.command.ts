import type { Command } from 'commander';
import type { RegionConfig } from '../config/regions.js';
import { DEMO_SEED, demoPersonas, generateDemoPatients } from '../demo/generator.js';
import { demoOrganisations } from '../demo/organisations.js';
import { seedDemo } from '../demo/seed.js';
import { defaultDeps, table, wholeNumber, withRecordAnchorer, withStores, type CliDeps } from './cli-deps.js';

export interface DemoListing {
  readonly personas: {
    readonly name: string;
    readonly displayName: string;
    readonly role: string;
    readonly organisation: string;
    readonly jurisdiction: string;
    readonly patientId?: string;
  }[];
  readonly patients: {
    readonly id: string;
    readonly name: string;
    readonly homeRegion: string;
    readonly regions: string[];
    readonly crossBorder: boolean;
  }[];
}

/** The personas and demo patients a gateway seeded from this configuration has; no database needed. */
export function demoListing(regions: readonly RegionConfig[], patients: number, seed: number = DEMO_SEED): DemoListing {
  const organisations = demoOrganisations(regions);
  const jurisdiction = new Map(organisations.map((o) => [o.id, o.jurisdiction]));
  const summaries = [];
  for (const p of generateDemoPatients({ patients, regions, seed })) {
    summaries.push({
      globalId: p.globalId,
      name: p.name,
      homeRegion: p.homeRegion,
      locations: p.locations.map((l) => l.region),
    });
  }
  return {
    personas: demoPersonas(organisations, summaries, regions).map((p) => ({
      name: p.name,
      displayName: p.displayName,
      role: p.role,
      organisation: p.organisationId,
      jurisdiction: jurisdiction.get(p.organisationId) ?? '',
      ...(p.patientId !== null ? { patientId: p.patientId } : {}),
    })),
    patients: summaries.map((p) => ({
      id: p.globalId,
      name: p.name,
      homeRegion: p.homeRegion,
      regions: p.locations,
      crossBorder: p.locations.length > 1,
    })),
  };
}

function formatListing(listing: DemoListing): string {
  const crossBorder = listing.patients.filter((p) => p.crossBorder).length;
  return [
    'Personas (get a token with: meridian token --persona NAME)',
    table(
      ['NAME', 'DISPLAY NAME', 'ROLE', 'ORGANISATION', 'JURISDICTION'],
      listing.personas.map((p) => [p.name, p.displayName, p.role, p.organisation, p.jurisdiction]),
    ),
    '',
    `Demo patients (${listing.patients.length}, ${crossBorder} with records in more than one region)`,
    table(
      ['GLOBAL ID', 'NAME', 'HOME', 'REGIONS', ''],
      listing.patients.map((p) => [
        p.id,
        p.name,
        p.homeRegion,
        p.regions.join(', '),
        p.crossBorder ? 'cross-border' : '',
      ]),
    ),
  ].join('\n');
}

/** `meridian demo` (list personas and demo patients) and `meridian seed` (write demo data at any scale). */
export function registerDemo(program: Command, deps: CliDeps = defaultDeps): void {
  program
    .command('demo')
    .description('list the development personas and demo patients (no database needed)')
    .option('--json', 'print JSON instead of tables')
    .option('--patients <n>', 'number of demo patients (default: MERIDIAN_DEMO_PATIENTS)', wholeNumber(0, 1_000_000))
    .option('--seed <n>', 'seed of the demo data', wholeNumber(0, 2 ** 31 - 1))
    .action((opts: { json?: boolean; patients?: number; seed?: number }) => {
      const config = deps.loadConfig();
      const listing = demoListing(config.regions, opts.patients ?? config.demoPatients, opts.seed ?? DEMO_SEED);
      deps.out(opts.json ? JSON.stringify(listing, null, 2) : formatListing(listing));
    });

  program
    .command('seed')
    .description(
      'write demo data (organisations, personas, patient index, FHIR records) and anchor the records on the ledger; safe to repeat',
    )
    .option('--patients <n>', 'number of demo patients (default: MERIDIAN_DEMO_PATIENTS)', wholeNumber(1, 1_000_000))
    .option(
      '--records-per-patient <n>',
      'average clinical records per patient and region (default 15)',
      wholeNumber(1, 10_000),
    )
    .option('--seed <n>', 'seed of the demo data', wholeNumber(0, 2 ** 31 - 1))
    .action(async (opts: { patients?: number; recordsPerPatient?: number; seed?: number }) => {
      const config = deps.loadConfig();
      const patients = opts.patients ?? config.demoPatients;
      const started = Date.now();
      let reported = -1;
      const result = await withStores(deps, config, 'meridian seed', ({ stores, anchors, control }) =>
        withRecordAnchorer(deps, config, { anchors, control, stores }, (anchor) =>
          seedDemo({
            stores,
            control,
            regions: config.regions,
            patients,
            seed: opts.seed ?? DEMO_SEED,
            recordsPerPatient: opts.recordsPerPatient,
            anchor,
            onProgress: (p) => {
              // A line per 5%, however many batches: readable in a terminal and in a log.
              const step = Math.floor((p.patientsDone / p.patientsTotal) * 20);
              if (step === reported) return;
              reported = step;
              deps.err(
                `seed: ${step * 5}% (${p.patientsDone}/${p.patientsTotal} patients, ${p.recordsWritten} records written)`,
              );
            },
          }),
        ),
      );
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      deps.out(
        `Seeded ${result.patients} patients in ${config.regions.length} regions in ${seconds}s: ` +
          `${result.records} records (${result.inserted} new, ${result.updated} updated, ${result.unchanged} unchanged; ` +
          `${result.anchored} newly anchored on the ledger), ` +
          `${result.links} patient index entries, ${result.organisations} organisations, ${result.personas} personas.`,
      );
    });
}
