import { MeridianError } from '../../domain/errors.js';
import { hasRole, type Principal } from '../../domain/principal.js';
import { trustedSystemsFor } from '../../fhir/patient-identifiers.js';
import type { ControlPlane } from '../../stores/control-plane.js';
import type { RecordStore } from '../../stores/record-store.js';
import { importBundle, type ImportSummary } from './import-service.js';
import type { RecordAnchoring } from '../anchoring/record-anchoring.js';

export interface BundleImporterOptions {
  readonly stores: ReadonlyMap<string, RecordStore>;
  readonly control: ControlPlane;
  readonly anchor: RecordAnchoring;
  /** Jurisdiction of each region. */
  readonly jurisdictions: ReadonlyMap<string, string>;
  readonly trustedIdentifiers: Readonly<Record<string, readonly string[]>>;
}

/**
 * Imports a FHIR bundle pushed by an organisation's interface engine (role `integration`):
 * into a region of the organisation's own jurisdiction only, recorded as that organisation's
 * import; the same validation, all-or-nothing write, anchoring and report as `meridian import`.
 */
export class BundleImporter {
  readonly #o: Readonly<BundleImporterOptions>;
  /** One import per region at a time: two pushes of one patient must not race to create it twice. */
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(options: Readonly<BundleImporterOptions>) {
    this.#o = options;
  }

  async import(principal: Principal, region: string, bundle: unknown): Promise<ImportSummary> {
    if (!hasRole(principal, 'integration'))
      throw new MeridianError('FORBIDDEN', "Only an organisation's integration user may import bundles.");
    const store = this.#o.stores.get(region);
    const jurisdiction = this.#o.jurisdictions.get(region);
    if (store === undefined || jurisdiction === undefined)
      throw new MeridianError('BAD_USER_INPUT', `Unknown region "${region}".`, {
        known: [...this.#o.stores.keys()],
      });
    if (jurisdiction !== principal.jurisdiction)
      throw new MeridianError(
        'FORBIDDEN',
        `Region ${region} keeps ${jurisdiction} data; ${principal.organisationId} imports into its own jurisdiction (${principal.jurisdiction}) only.`,
      );
    const run = (): Promise<ImportSummary> =>
      importBundle({
        store,
        control: this.#o.control,
        region,
        bundle,
        organisationId: principal.organisationId,
        trustedSystems: trustedSystemsFor(jurisdiction, this.#o.trustedIdentifiers),
        actor: `${principal.organisationId}/${principal.subject}`,
        anchor: this.#o.anchor,
      });
    const previous = this.#queues.get(region) ?? Promise.resolve();
    const next = previous.then(run, run);
    this.#queues.set(
      region,
      next.catch(() => undefined),
    );
    return next;
  }
}
