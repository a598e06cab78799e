import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePorts } from './free-ports.js';

const run = promisify(execFile);
const root = path.resolve(fileURLToPath(import.meta.url), '..', '..', '..', '..');
const native = (script: string): string => path.join(root, 'fabric', 'native', script);
const scripts = (script: string): string => path.join(root, 'fabric', 'scripts', script);

/** One organisation's peer of the running network. */
export interface NetworkPeer {
  readonly org: 1 | 2;
  readonly mspId: string;
  /** `127.0.0.1:<port>` of its gateway service. */
  readonly endpoint: string;
  /** The CA of its TLS certificate (PEM file). */
  readonly tlsCaFile: string;
  /** Org's root CA, whose key signs client certificates the peers accept (cryptogen's `ca/`). */
  readonly caCertFile: string;
  readonly caKeyFile: string;
  /** Operations service: `/healthz`, `/metrics`. */
  readonly operationsUrl: string;
}

/** What a test needs to reach the network; plain data, handed from globalSetup to test files. */
export interface FabricNetworkInfo {
  /** `peer version`'s Version, e.g. `2.5.6`. */
  readonly version: string;
  readonly bin: string;
  /** The environment fabric/native/*.sh and fabric/scripts/*.sh run this network with. */
  readonly env: Readonly<Record<string, string>>;
  readonly runDir: string;
  /** The channel the gateways share. */
  readonly channel: string;
  /** A channel of its own for the shared ledger suite, which activates test policies. */
  readonly suiteChannel: string;
  readonly chaincode: string;
  readonly peers: readonly [NetworkPeer, NetworkPeer];
}

export interface NativeNetwork {
  readonly info: FabricNetworkInfo;
  /** Stops every process of the network by pid and removes its folder. */
  stop(): Promise<void>;
}

const PORT_NAMES = [
  'ORDERER_PORT',
  'ORDERER_ADMIN_PORT',
  'ORDERER_OPS_PORT',
  'PEER1_PORT',
  'PEER1_CC_PORT',
  'PEER1_OPS_PORT',
  'PEER2_PORT',
  'PEER2_CC_PORT',
  'PEER2_OPS_PORT',
  'CHAINCODE_PORT',
] as const;

/** Runs one of the network's scripts; its output goes to a log, whose tail a failure quotes. */
async function script(
  info: Pick<FabricNetworkInfo, 'env' | 'runDir'>,
  file: string,
  args: string[] = [],
  extra: Record<string, string> = {},
): Promise<void> {
  try {
    await run(file, args, { cwd: root, env: { ...process.env, ...info.env, ...extra }, maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    const { stdout = '', stderr = '' } = err as { stdout?: string; stderr?: string };
    const tail = `${stdout}\n${stderr}`
      .split('\n')
      .filter((line) => line.trim() !== '')
      .slice(-15)
      .join('\n');
    throw new Error(`${path.relative(root, file)} ${args.join(' ')} failed:\n${tail}`, { cause: err });
  }
}

/**
 * Brings up the project's native Fabric network (fabric/native/up.sh) from the binaries in `bin`:
 * a fresh folder, free ports in 17000-17999, a 100 ms BatchTimeout, the channel `meridian` and
 * a second channel for the ledger suite, the chaincode committed on both. A failed start stops
 * whatever it started.
 */
export async function startNativeNetwork(bin: string): Promise<NativeNetwork> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'meridian-fabric-'));
  const ports = await freePorts(PORT_NAMES.length);
  const env: Record<string, string> = {
    MERIDIAN_FABRIC_BIN: bin,
    FABRIC_BUILD: path.join(dir, 'build'),
    NATIVE_RUN: path.join(dir, 'run'),
    BATCH_TIMEOUT: '100ms',
    NATIVE_CA: '0',
    FABRIC_LOGGING_SPEC: 'WARNING',
    CORE_CHAINCODE_LOGGING_LEVEL: 'WARNING',
    ...Object.fromEntries(PORT_NAMES.map((name, i) => [name, String(ports[i])])),
  };
  const orgs = path.join(env.FABRIC_BUILD!, 'organizations', 'peerOrganizations');
  const peer = (org: 1 | 2): NetworkPeer => {
    const domain = `org${String(org)}.example.com`;
    return {
      org,
      mspId: `Org${String(org)}MSP`,
      endpoint: `127.0.0.1:${env[`PEER${String(org)}_PORT`] ?? ''}`,
      tlsCaFile: path.join(orgs, domain, 'tlsca', `tlsca.${domain}-cert.pem`),
      caCertFile: path.join(orgs, domain, 'ca', `ca.${domain}-cert.pem`),
      caKeyFile: path.join(orgs, domain, 'ca', 'priv_sk'),
      operationsUrl: `http://127.0.0.1:${env[`PEER${String(org)}_OPS_PORT`] ?? ''}`,
    };
  };
  const { stdout } = await run(path.join(bin, 'peer'), ['version'], { env: { ...process.env, FABRIC_CFG_PATH: dir } });
  const info: FabricNetworkInfo = {
    version: /Version: (\S+)/.exec(stdout)?.[1] ?? 'unknown',
    bin,
    env,
    runDir: env.NATIVE_RUN!,
    channel: 'meridian',
    suiteChannel: 'ledger-suite',
    chaincode: 'meridian',
    peers: [peer(1), peer(2)],
  };
  const stop = async (): Promise<void> => {
    await stopNetwork(info);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await script(info, native('up.sh'));
    await script(info, native('env-run.sh'), [scripts('create-channel.sh')], { CHANNEL: info.suiteChannel });
    await script(info, native('env-run.sh'), [scripts('deploy-chaincode.sh')], { CHANNEL: info.suiteChannel });
  } catch (err) {
    await stop();
    throw err;
  }
  return { info, stop };
}

/** The pids up.sh recorded, by process name (orderer, peer1, peer2, chaincode). */
export function networkPids(info: Pick<FabricNetworkInfo, 'runDir'>): Map<string, number> {
  const dir = path.join(info.runDir, 'pids');
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return new Map();
  }
  return new Map(names.map((name) => [name, Number(readFileSync(path.join(dir, name), 'utf8').trim())]));
}

/** Stops the network by its recorded pids (fabric/native/down.sh), then kills any pid still alive. */
export async function stopNetwork(info: Pick<FabricNetworkInfo, 'env' | 'runDir'>): Promise<void> {
  const pids = networkPids(info);
  await script(info, native('down.sh')).catch(() => undefined);
  killNow(pids.values());
}

/** SIGKILL for each pid still alive; safe in a process 'exit' handler (synchronous). */
export function killNow(pids: Iterable<number>): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
}

/** Stops one organisation's peer as a crash would (SIGKILL), leaving the rest running. */
export async function stopPeer(info: FabricNetworkInfo, org: 1 | 2): Promise<void> {
  const pid = networkPids(info).get(`peer${String(org)}`);
  if (pid === undefined) throw new Error(`no pid recorded for peer${String(org)}`);
  process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((resolve) => setTimeout(resolve, 50));
}

/** Starts whatever of the network is not running (up.sh is re-runnable) and waits until it serves. */
export async function restartStopped(info: FabricNetworkInfo): Promise<void> {
  await script(info, native('up.sh'));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The file's text, for the CA and TLS PEM files the network wrote. */
export function readPem(file: string): Promise<string> {
  return readFile(file, 'utf8');
}
