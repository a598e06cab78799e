import type { PurposeOfUse } from '../domain/purpose.js';
import type { Persona } from '../stores/control-plane.js';
import type { DevKeys } from './dev-keys.js';
import { mintToken } from './token-minter.js';

/** A bearer token for a development persona, signed with its organisation's dev key. */
export async function mintPersonaToken(
  persona: Persona,
  keys: DevKeys,
  options: { readonly audience: string; readonly ttlSeconds?: number; readonly purposeOfUse?: PurposeOfUse },
): Promise<string> {
  const pair = keys[persona.organisationId];
  if (pair === undefined) throw new Error(`no development key for organisation ${persona.organisationId}`);
  return mintToken(pair.privateJwk, {
    organisationId: persona.organisationId,
    subject: persona.name,
    roles: [persona.role],
    patientId: persona.patientId,
    audience: options.audience,
    ...(options.ttlSeconds !== undefined ? { ttlSeconds: options.ttlSeconds } : {}),
    ...(options.purposeOfUse !== undefined ? { purposeOfUse: options.purposeOfUse } : {}),
  });
}
