import { z } from 'zod';

/** A regional record store: where records of one jurisdiction are kept. */
export interface RegionConfig {
  /** Stable region id, e.g. `eu-de`. Lower-case letters, digits and dashes. */
  readonly id: string;
  /** Jurisdiction whose law governs the region's data, e.g. `DE`, `FR`, `US-MA`. */
  readonly jurisdiction: string;
}

export const DEFAULT_REGIONS = 'eu-de=DE,eu-fr=FR,us-ma=US-MA';

const regionId = z
  .string()
  .regex(/^[a-z][a-z0-9-]{1,30}$/, 'region id must be lower-case letters, digits and dashes, e.g. eu-de');
const jurisdiction = z
  .string()
  .regex(/^[A-Z]{2}(-[A-Z0-9]{1,3})?$/, 'jurisdiction must be an ISO 3166 code, e.g. DE or US-MA');

/**
 * Parses `MERIDIAN_REGIONS`: a comma-separated list of `region=JURISDICTION`.
 * Adding a region is configuration only: its store is migrated and served like the others.
 */
export const regionListSchema = z.string().transform((text, ctx): RegionConfig[] => {
  const regions: RegionConfig[] = [];
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0)) {
    const [id = '', jur = ''] = part.split('=').map((p) => p.trim());
    const parsedId = regionId.safeParse(id);
    const parsedJur = jurisdiction.safeParse(jur);
    if (!parsedId.success || !parsedJur.success) {
      ctx.addIssue({
        code: 'custom',
        message: `"${part}": expected region=JURISDICTION, e.g. eu-de=DE (${[
          ...(parsedId.error?.issues ?? []),
          ...(parsedJur.error?.issues ?? []),
        ]
          .map((i) => i.message)
          .join('; ')})`,
      });
      continue;
    }
    if (regions.some((r) => r.id === id)) {
      ctx.addIssue({ code: 'custom', message: `region "${id}" is listed twice` });
      continue;
    }
    regions.push({ id, jurisdiction: jur });
  }
  if (regions.length === 0) ctx.addIssue({ code: 'custom', message: 'at least one region is required' });
  return regions;
});

/** The environment variable that holds a region's PostgreSQL URL: eu-de → MERIDIAN_REGION_EU_DE_URL. */
export function regionUrlVariable(id: string): string {
  return `MERIDIAN_REGION_${id.toUpperCase().replaceAll('-', '_')}_URL`;
}
