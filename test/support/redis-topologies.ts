import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createClient } from 'redis';
import { sparePort } from './redis-server.js';

/** A Redis topology of this test's own: its URL for MERIDIAN_REDIS_URL, a direct client URL to its data node, and stop. */
export interface TestRedisTopology {
  readonly url: string;
  /** The one node that holds the data (the cluster's only master, the sentinels' master). */
  readonly dataNodeUrl: string;
  stop(): Promise<void>;
}

function spawnRedis(args: string[], ready: string): Promise<ChildProcess> {
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(ready)) resolve(child);
    });
    child.once('exit', (code) => {
      reject(new Error(`redis-server ${args.join(' ')} exited with ${String(code)}: ${output}`));
    });
  });
}

async function stopAll(children: readonly ChildProcess[], dir: string): Promise<void> {
  await Promise.all(
    children.map(async (child) => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }),
  );
  await rm(dir, { recursive: true, force: true });
}

/** Polls `check` until it holds: a wait for a server's own start-up, not a timed assertion. */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what} never happened`);
}

const plain = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];

/** A one-node Redis Cluster (all 16384 slots on one master), as `redis+cluster://`. */
export async function startRedisCluster(): Promise<TestRedisTopology> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'meridian-redis-cluster-'));
  const port = await sparePort();
  const node = await spawnRedis(
    ['--port', String(port), '--dir', dir, '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', ...plain],
    'Ready to accept connections',
  );
  const admin = createClient({ url: `redis://127.0.0.1:${port}` });
  try {
    await admin.connect();
    await admin.sendCommand(['CLUSTER', 'ADDSLOTSRANGE', '0', '16383']);
    await until(async () => (await admin.clusterInfo()).includes('cluster_state:ok'), 'cluster_state:ok');
  } finally {
    admin.destroy();
  }
  return {
    url: `redis+cluster://127.0.0.1:${port}`,
    dataNodeUrl: `redis://127.0.0.1:${port}`,
    stop: () => stopAll([node], dir),
  };
}

/** A master and one sentinel monitoring it as `meridian-test`, as `redis+sentinel://`. */
export async function startRedisSentinel(): Promise<TestRedisTopology> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'meridian-redis-sentinel-'));
  const [masterPort, sentinelPort] = [await sparePort(), await sparePort()];
  const master = await spawnRedis(
    ['--port', String(masterPort), '--dir', dir, ...plain],
    'Ready to accept connections',
  );
  const conf = path.join(dir, 'sentinel.conf');
  await writeFile(
    conf,
    `port ${sentinelPort}\nbind 127.0.0.1\ndir ${dir}\nsentinel monitor meridian-test 127.0.0.1 ${masterPort} 1\n`,
  );
  const sentinel = await spawnRedis([conf, '--sentinel'], '+monitor master meridian-test').catch(
    async (err: unknown) => {
      await stopAll([master], dir);
      throw err;
    },
  );
  return {
    url: `redis+sentinel://127.0.0.1:${sentinelPort}/meridian-test`,
    dataNodeUrl: `redis://127.0.0.1:${masterPort}`,
    stop: () => stopAll([sentinel, master], dir),
  };
}
