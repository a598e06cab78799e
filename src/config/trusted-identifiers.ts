import { z } from 'zod';

/**
 * Parses `MERIDIAN_TRUSTED_IDENTIFIERS`: which identifier systems each jurisdiction trusts to
 * say who a patient is, as `JURISDICTION=system system ...;JURISDICTION=...`, e.g.
 * `EU=urn:oid:2.16.840.1.113883.2.4.6.3 http://fhir.de/sid/gkv/kvid-10;US-MA=urn:oid:1.2.3.4.5`.
 * A jurisdiction listed replaces the defaults for itself; the others keep theirs.
 */
export const trustedIdentifiersSchema = z.string().transform((text, ctx): Record<string, string[]> => {
  const out: Record<string, string[]> = {};
  for (const part of text
    .split(';')
    .map((p) => p.trim())
    .filter((p) => p !== '')) {
    const [jurisdiction = '', systems = ''] = part.split('=', 2).map((p) => p.trim());
    const list = systems.split(/\s+/).filter((s) => s !== '');
    if (
      !/^[A-Z]{2}(-[A-Z0-9]{1,3})?$/.test(jurisdiction) ||
      list.some((s) => !/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(s))
    ) {
      ctx.addIssue({
        code: 'custom',
        message: `"${part}": expected JURISDICTION=uri uri ..., e.g. NL=urn:oid:2.16.840.1.113883.2.4.6.3`,
      });
      continue;
    }
    out[jurisdiction] = list;
  }
  return out;
});
