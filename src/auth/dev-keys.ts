import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';

export const DEV_ALGORITHM = 'ES256';

/** A development signing key pair per organisation, kept in the data folder. */
export type DevKeys = Readonly<Record<string, { readonly publicJwk: JWK; readonly privateJwk: JWK }>>;

export function devKeysPath(dataDir: string): string {
  return path.join(dataDir, 'dev-keys.json');
}

/**
 * Loads the development keys, generating any organisation's that is missing.
 * Development mode only: production keys come from MERIDIAN_ORG_KEYS_FILE.
 */
export async function ensureDevKeys(dataDir: string, organisationIds: readonly string[]): Promise<DevKeys> {
  const file = devKeysPath(dataDir);
  const keys: Record<string, { publicJwk: JWK; privateJwk: JWK }> = existsSync(file)
    ? (JSON.parse(await readFile(file, 'utf8')) as Record<string, { publicJwk: JWK; privateJwk: JWK }>)
    : {};
  let changed = false;
  for (const id of organisationIds) {
    if (keys[id] !== undefined) continue;
    const pair = await generateKeyPair(DEV_ALGORITHM, { extractable: true });
    const kid = `${id}-dev`;
    keys[id] = {
      publicJwk: { ...(await exportJWK(pair.publicKey)), kid, alg: DEV_ALGORITHM, use: 'sig' },
      privateJwk: { ...(await exportJWK(pair.privateKey)), kid, alg: DEV_ALGORITHM, use: 'sig' },
    };
    changed = true;
  }
  if (changed) {
    await mkdir(dataDir, { recursive: true });
    await writeFile(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  }
  return keys;
}
