import { createPrivateKey, X509Certificate } from 'node:crypto';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { signers, type Identity, type Signer } from '@hyperledger/fabric-gateway';
import { LedgerError } from './ledger-error.js';
import type { LedgerActor } from './ledger.js';
import { ConfigFileError, readConfigFile } from '../config/config-file.js';

/** An enrolled member as fabric-gateway's `connect()` takes it. */
export interface FabricSigningIdentity {
  readonly identity: Identity;
  readonly signer: Signer;
}

/**
 * Which enrolled identity signs for whom. The chaincode decides from the certificate's
 * attributes, so each actor needs its own certificate; the gateway's own identity reads
 * chaincode events.
 */
export interface FabricIdentityProvider {
  /** The identity a transaction of `actor` is signed with; rejects when none is enrolled. */
  identityFor(actor: LedgerActor): Promise<FabricSigningIdentity>;
  /** The gateway's own identity. */
  gatewayIdentity(): Promise<FabricSigningIdentity>;
}

/** The certificate attributes (Fabric CA `attrs`) that make a certificate speak for `actor`. */
export function fabricCaAttributes(actor: LedgerActor): Record<string, string> {
  const optional = (name: string, value: string | undefined): Record<string, string> =>
    value === undefined ? {} : { [name]: value };
  return {
    'meridian.user': actor.user,
    'meridian.role': actor.role,
    ...optional('meridian.jurisdiction', actor.jurisdiction),
    ...optional('meridian.patient', actor.patient),
    ...optional('meridian.delegateFor', actor.delegateFor),
  };
}

export interface WalletOptions {
  readonly mspId: string;
  /** PEM certificate of the gateway's own identity. */
  readonly certFile: string;
  /** PEM (PKCS#8 or SEC1) private key of the gateway's own identity. */
  readonly keyFile: string;
  /** Folder of per-user identities: `<dir>/<user>/cert.pem` and `<dir>/<user>/key.pem`. */
  readonly dir?: string;
}

/** User ids become folder names: nothing that could climb out of the wallet. */
const WALLET_USER = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

/**
 * Identities from PEM files: the gateway's own (`certFile`, `keyFile`) and one folder per
 * user in `dir`, named by the actor's `meridian.user`, holding `cert.pem` and `key.pem` as
 * `fabric-ca-client enroll` writes them (`signcerts/cert.pem` and `keystore/*_sk`, copied).
 * An actor with no folder is refused, except role `gateway`, which signs as the gateway.
 * The gateway's identity is read at once, so a bad path fails at start.
 */
export async function walletIdentities(options: Readonly<WalletOptions>): Promise<FabricIdentityProvider> {
  const own = await readIdentity(options.mspId, options.certFile, options.keyFile, [
    'MERIDIAN_FABRIC_CERT',
    'MERIDIAN_FABRIC_KEY',
  ]);
  return new WalletIdentities(options, own);
}

class WalletIdentities implements FabricIdentityProvider {
  readonly #options: Readonly<WalletOptions>;
  readonly #own: FabricSigningIdentity;
  // Only successful reads are kept, so a user enrolled after start is found without a restart.
  readonly #users = new Map<string, FabricSigningIdentity>();

  constructor(options: Readonly<WalletOptions>, own: FabricSigningIdentity) {
    this.#options = options;
    this.#own = own;
  }

  gatewayIdentity(): Promise<FabricSigningIdentity> {
    return Promise.resolve(this.#own);
  }

  async identityFor(actor: LedgerActor): Promise<FabricSigningIdentity> {
    const known = this.#users.get(actor.user);
    if (known) return known;
    const folder = this.#folderOf(actor.user);
    if (folder === undefined || !(await exists(path.join(folder, 'cert.pem')))) {
      if (actor.role === 'gateway') return this.#own;
      // The ledger cannot act for someone never enrolled: a refusal the caller is told, not a
      // defect of the gateway (which would answer INTERNAL_SERVER_ERROR). No server path in it.
      throw new LedgerError(
        'rejected',
        `no Fabric identity is enrolled for ledger user ${actor.user}: an operator enrols it ` +
          `(fabric/scripts/enrol.sh) and puts its cert.pem and key.pem in the gateway's wallet, ` +
          `MERIDIAN_FABRIC_WALLET/${folder === undefined ? '<user>' : actor.user}/`,
        { chaincodeCode: 'NOT_ENROLLED' },
      );
    }
    const identity = await readIdentity(
      this.#options.mspId,
      path.join(folder, 'cert.pem'),
      path.join(folder, 'key.pem'),
    );
    this.#users.set(actor.user, identity);
    return identity;
  }

  #folderOf(user: string): string | undefined {
    if (this.#options.dir === undefined || !WALLET_USER.test(user)) return undefined;
    return path.join(this.#options.dir, user);
  }
}

/** Reads a PEM identity; `settings` name the variables the files come from, for the error messages. */
async function readIdentity(
  mspId: string,
  certFile: string,
  keyFile: string,
  settings: readonly [string, string] = ['MERIDIAN_FABRIC_WALLET certificate', 'MERIDIAN_FABRIC_WALLET key'],
): Promise<FabricSigningIdentity> {
  // One after the other: with both missing, the error names the certificate every time.
  const certificate = await readConfigFile(settings[0], certFile);
  const key = await readConfigFile(settings[1], keyFile);
  try {
    new X509Certificate(certificate);
  } catch (err) {
    throw new ConfigFileError(`${settings[0]}: ${certFile} is not a PEM X.509 certificate`, { cause: err });
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch (err) {
    throw new ConfigFileError(`${settings[1]}: ${keyFile} is not a PEM private key`, { cause: err });
  }
  return {
    identity: { mspId, credentials: new Uint8Array(certificate) },
    signer: signers.newPrivateKeySigner(privateKey),
  };
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}
