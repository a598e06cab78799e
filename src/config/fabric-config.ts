import path from 'node:path';
import { z } from 'zod';

/** A Fabric peer's gateway to use instead of the embedded ledger. */
export interface FabricConfig {
  /** `host:port` of the gateway peer. */
  readonly peerEndpoint: string;
  /** PEM file of the CA that signed the peer's TLS certificate; absent: plaintext gRPC. */
  readonly tlsCaFile: string | undefined;
  readonly hostnameOverride: string | undefined;
  readonly channel: string;
  readonly chaincode: string;
  readonly mspId: string;
  /** The gateway's own enrolled identity: PEM certificate and private key. */
  readonly certFile: string;
  readonly keyFile: string;
  /** Folder of per-user identities, `<user>/cert.pem` and `<user>/key.pem`. */
  readonly walletDir: string | undefined;
}

const file = z.string().min(1);

/** The MERIDIAN_FABRIC_* variables, for the environment schema. */
export const fabricEnvShape = {
  MERIDIAN_FABRIC_PEER: z
    .string()
    .regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'must be host:port, e.g. peer0.org1.example.com:7051')
    .optional(),
  MERIDIAN_FABRIC_TLS_CA: file.optional(),
  MERIDIAN_FABRIC_HOST_OVERRIDE: z
    .string()
    .regex(/^[A-Za-z0-9.-]+$/, 'must be a host name')
    .optional(),
  MERIDIAN_FABRIC_CHANNEL: z
    .string()
    .regex(/^[a-z][a-z0-9.-]{0,248}$/, 'must be a Fabric channel name (lower-case letters, digits, . and -)')
    .default('meridian'),
  MERIDIAN_FABRIC_CHAINCODE: z
    .string()
    .regex(/^[A-Za-z0-9]+([-_][A-Za-z0-9]+)*$/, 'must be a Fabric chaincode name')
    .default('meridian'),
  MERIDIAN_FABRIC_MSP_ID: z.string().regex(/^\S+$/, 'must be an MSP id, e.g. Org1MSP').optional(),
  MERIDIAN_FABRIC_CERT: file.optional(),
  MERIDIAN_FABRIC_KEY: file.optional(),
  MERIDIAN_FABRIC_WALLET: file.optional(),
};

type FabricEnv = z.infer<z.ZodObject<typeof fabricEnvShape>>;

const REQUIRED = ['MERIDIAN_FABRIC_MSP_ID', 'MERIDIAN_FABRIC_CERT', 'MERIDIAN_FABRIC_KEY'] as const;

/**
 * The Fabric settings when MERIDIAN_FABRIC_PEER is set, else undefined (the embedded ledger).
 * Fabric variables without a peer are reported: they would be silently ignored otherwise.
 */
export function fabricConfig(
  e: FabricEnv,
  clean: Readonly<Record<string, string>>,
  problems: string[],
): FabricConfig | undefined {
  if (e.MERIDIAN_FABRIC_PEER === undefined) {
    for (const name of Object.keys(fabricEnvShape)) {
      if (clean[name] !== undefined) problems.push(`${name}: set, but MERIDIAN_FABRIC_PEER is not`);
    }
    return undefined;
  }
  REQUIRED.filter((name) => e[name] === undefined).forEach((name) => {
    problems.push(`${name}: required when MERIDIAN_FABRIC_PEER is set`);
  });
  const { MERIDIAN_FABRIC_MSP_ID: mspId, MERIDIAN_FABRIC_CERT: certFile, MERIDIAN_FABRIC_KEY: keyFile } = e;
  if (mspId === undefined || certFile === undefined || keyFile === undefined) return undefined;
  const optionalPath = (p: string | undefined): string | undefined => (p === undefined ? undefined : path.resolve(p));
  return Object.freeze({
    peerEndpoint: e.MERIDIAN_FABRIC_PEER,
    tlsCaFile: optionalPath(e.MERIDIAN_FABRIC_TLS_CA),
    hostnameOverride: e.MERIDIAN_FABRIC_HOST_OVERRIDE,
    channel: e.MERIDIAN_FABRIC_CHANNEL,
    chaincode: e.MERIDIAN_FABRIC_CHAINCODE,
    mspId,
    certFile: path.resolve(certFile),
    keyFile: path.resolve(keyFile),
    walletDir: optionalPath(e.MERIDIAN_FABRIC_WALLET),
  });
}
