import type { Config } from '../config/config.js';
import type { ControlPlane, Persona } from '../stores/control-plane.js';
import { ensureDevKeys } from './dev-keys.js';
import { mintPersonaToken } from './persona-token.js';

/** A demo persona as the console's sign-in page lists it. */
export interface PersonaView {
  readonly name: string;
  readonly displayName: string;
  readonly role: string;
  readonly organisationId: string;
  readonly patientId: string | null;
}

/** Signs in as a demo persona, as `meridian token --persona` does: development only. */
export interface DevSignIn {
  personas(): Promise<PersonaView[]>;
  /** A token for the persona, or null when there is no such persona. */
  token(name: string): Promise<string | null>;
}

const TOKEN_TTL_SECONDS = 8 * 3600;

/**
 * The persona sign-in of the console, or undefined where it must not exist: in production, and
 * wherever tokens are verified with configured keys (MERIDIAN_ORG_KEYS_FILE) rather than the
 * generated development keys, which are the only keys it can sign with.
 */
export function openDevSignIn(
  config: Config,
  control: ControlPlane,
  organisationIds: readonly string[],
): DevSignIn | undefined {
  if (config.mode === 'production' || config.orgKeysFile !== undefined) return undefined;
  const view = (p: Persona): PersonaView => ({
    name: p.name,
    displayName: p.displayName,
    role: p.role,
    organisationId: p.organisationId,
    patientId: p.patientId,
  });
  return {
    personas: async () => (await control.personas()).map(view),
    token: async (name) => {
      const persona = await control.persona(name);
      if (persona === null) return null;
      const keys = await ensureDevKeys(config.dataDir, organisationIds);
      return mintPersonaToken(persona, keys, { audience: config.tokenAudience, ttlSeconds: TOKEN_TTL_SECONDS });
    },
  };
}
