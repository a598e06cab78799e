import type { RegionConfig } from '../config/regions.js';
import type { Organisation } from '../stores/control-plane.js';

/** The demo hospital of each default region; any other configured region gets a generic one. */
const KNOWN_HOSPITALS: Readonly<Record<string, Omit<Organisation, 'jurisdiction'>>> = {
  'eu-de': { id: 'charite-berlin', name: 'Charité – Universitätsmedizin Berlin' },
  'eu-fr': { id: 'aphp-paris', name: 'Assistance Publique – Hôpitaux de Paris' },
  'us-ma': { id: 'mgh-boston', name: 'Massachusetts General Hospital' },
};

/** One hospital per configured region, in region order. */
export function demoOrganisations(regions: readonly RegionConfig[]): Organisation[] {
  return regions.map((region) => ({
    ...(KNOWN_HOSPITALS[region.id] ?? { id: `hospital-${region.id}`, name: `Hospital (${region.id})` }),
    jurisdiction: region.jurisdiction,
  }));
}

/** The hospital of a region. */
export function hospitalOf(regions: readonly RegionConfig[], regionId: string): Organisation | undefined {
  return demoOrganisations(regions).find((_, i) => regions[i]?.id === regionId);
}
