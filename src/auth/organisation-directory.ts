import type { JWK } from 'jose';
import { z } from 'zod';
import { configFileInvalid, readJsonConfigFile } from '../config/config-file.js';

/** A partner organisation as configured: who it is, where, and the keys its tokens are signed with. */
export interface OrganisationEntry {
  readonly id: string;
  readonly name: string;
  readonly jurisdiction: string;
  /** Public JWKs; a token from this organisation must verify against one of them. */
  readonly keys: readonly JWK[];
  /**
   * Whom its tokens may name: its own `staff` (the default; never a patient), or `patients`: a
   * patient identity provider for its jurisdiction, vouching for patients the ledger's patient
   * index places there, and for no one else.
   */
  readonly issues?: 'staff' | 'patients';
  /**
   * Its OpenID Connect provider, for the console's sign-in (authorization code with PKCE): tokens
   * whose `iss` is this issuer are this organisation's, verified with `keys` like any other.
   */
  readonly oidc?: OidcIssuer;
}

/** An organisation's OpenID Connect provider and the console's (public) client there. */
export interface OidcIssuer {
  readonly issuer: string;
  readonly clientId: string;
}

const jwk = z.looseObject({ kty: z.string(), kid: z.string().optional() }).refine((k) => !('d' in k), {
  message: 'must be a public key (a private key "d" member was found)',
});

const fileSchema = z.record(
  z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'organisation id: lower-case letters, digits and dashes'),
  z.object({
    name: z.string().min(1),
    jurisdiction: z.string().regex(/^[A-Z]{2}(-[A-Z0-9]{1,3})?$/, 'an ISO 3166 code such as DE or US-MA'),
    keys: z.array(jwk).min(1, 'at least one public key'),
    issues: z.enum(['staff', 'patients']).optional(),
    oidc: z
      .object({
        issuer: z.url({ protocol: /^https?$/ }),
        clientId: z.string().min(1),
      })
      .optional(),
  }),
);

/**
 * Reads `MERIDIAN_ORG_KEYS_FILE`:
 * `{ "<org-id>": { "name": "...", "jurisdiction": "DE", "keys": [<public JWK>, ...], "issues": "staff",
 *   "oidc": { "issuer": "https://login.example.org", "clientId": "meridian-console" } } }`
 * (`issues: "patients"` for a jurisdiction's patient identity provider; `oidc` for console sign-in).
 */
export async function loadOrganisationDirectory(file: string): Promise<OrganisationEntry[]> {
  const raw = await readJsonConfigFile('MERIDIAN_ORG_KEYS_FILE', file);
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) throw configFileInvalid('MERIDIAN_ORG_KEYS_FILE', file, parsed.error, raw);
  return Object.entries(parsed.data).map(([id, org]) => ({ id, ...org, keys: org.keys }));
}
