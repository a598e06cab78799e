import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CertificateAuthority } from '../../../src/ledger/certificate-authority.js';
import { fabricCaAttributes } from '../../../src/ledger/fabric-identities.js';
import type { LedgerActor } from '../../../src/ledger/ledger.js';
import { readPem, type NetworkPeer } from './native-network.js';

/** The organisation's CA of a network peer, signing as Fabric CA would with cryptogen's key. */
export async function organisationCa(peer: NetworkPeer): Promise<CertificateAuthority> {
  return CertificateAuthority.fromPem(peer.mspId, await readPem(peer.caCertFile), await readPem(peer.caKeyFile));
}

/**
 * Enrols `actors` into a wallet folder as `fabric/scripts/enrol.sh` does: `<dir>/<user>/cert.pem`
 * and `key.pem`, each certificate carrying the actor's `meridian.*` attributes. Returns the folders.
 */
export async function enrolInto(
  dir: string,
  ca: CertificateAuthority,
  actors: readonly LedgerActor[],
): Promise<string[]> {
  const folders: string[] = [];
  for (const actor of actors) {
    const issued = await ca.issue(actor.user, { attributes: fabricCaAttributes(actor) });
    const folder = path.join(dir, actor.user);
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, 'cert.pem'), issued.certificatePem);
    await writeFile(path.join(folder, 'key.pem'), issued.privateKeyPem, { mode: 0o600 });
    folders.push(folder);
  }
  return folders;
}
