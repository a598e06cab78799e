import type { Config } from '../config/config.js';
import { demoOrganisations, demoPatientIdentityProviders } from '../demo/organisations.js';
import type { ControlPlane } from '../stores/control-plane.js';
import { ensureDevKeys } from './dev-keys.js';
import { loadOrganisationDirectory, type OrganisationEntry } from './organisation-directory.js';

/**
 * Organisations and their token keys: from MERIDIAN_ORG_KEYS_FILE, or generated dev keys for the
 * demo hospitals; recorded in the control plane so provenance can name them.
 */
export async function openOrganisations(config: Config, control: ControlPlane): Promise<OrganisationEntry[]> {
  let entries: OrganisationEntry[];
  if (config.orgKeysFile !== undefined) {
    entries = await loadOrganisationDirectory(config.orgKeysFile);
  } else {
    const orgs = demoOrganisations(config.regions);
    const patientIdentityProviders = new Set(demoPatientIdentityProviders(config.regions).map((o) => o.id));
    const keys = await ensureDevKeys(
      config.dataDir,
      orgs.map((o) => o.id),
    );
    entries = orgs.map((o) => {
      const pair = keys[o.id];
      return {
        ...o,
        keys: pair ? [pair.publicJwk] : [],
        issues: patientIdentityProviders.has(o.id) ? ('patients' as const) : ('staff' as const),
      };
    });
  }
  await control.upsertOrganisations(entries.map(({ id, name, jurisdiction }) => ({ id, name, jurisdiction })));
  return entries;
}
