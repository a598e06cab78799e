// Runs the gateway Dockerfile's stages natively (there is no container engine here), so its
// steps are exercised as written: each stage gets a folder standing in for its filesystem;
// WORKDIR, ENV, COPY (also --from) and RUN are carried out in it. RUN lines of the final
// stage only touch the base image (removing npm), so they are reported, not run on this
// machine. Then the runtime stage is started as the image's ENTRYPOINT/CMD would be, its
// HEALTHCHECK command is run, and SIGTERM must stop it with exit code 0.
//   node scripts/docker-stages.mjs [work-folder]
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DockerfileParser } from 'dockerfile-ast';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const work = path.resolve(process.argv[2] ?? path.join(os.tmpdir(), 'meridian-docker-stages'));
const dockerfile = DockerfileParser.parse(readFileSync(path.join(root, 'Dockerfile'), 'utf8'));
const ignored = readFileSync(path.join(root, '.dockerignore'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '' && !l.startsWith('#'))
  .map((l) => l.replace(/^\*\*\//, ''));
const log = (msg) => console.log(`[stages] ${msg}`);

/** What `COPY` from the build context takes: .dockerignore'd names are left out. */
const inContext = (src) => {
  const rel = path.relative(root, src);
  return !ignored.some((pattern) => rel === pattern || rel.split(path.sep).includes(pattern));
};

const stages = new Map();
const froms = dockerfile.getFROMs();
const instructions = dockerfile.getInstructions();
const args = (i) => i.getArguments().map((a) => a.getValue());

rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
for (const [n, from] of froms.entries()) {
  const name = from.getBuildStage() ?? `stage${n}`;
  const base = from.getImageName();
  const fs = path.join(work, name);
  const final = n === froms.length - 1;
  if (stages.has(base)) {
    log(`${name}: FROM ${base} (copied)`);
    execFileSync('cp', ['-al', stages.get(base).fs, fs]);
  } else {
    log(`${name}: FROM ${from.getImage()} (an empty filesystem; the image's Node is this machine's Node 24)`);
    mkdirSync(fs, { recursive: true });
  }
  const parent = stages.get(base);
  const stage = { fs, workdir: parent?.workdir ?? '/', env: { ...(parent?.env ?? {}) } };
  stages.set(name, stage);
  const start = from.getRange().start.line;
  const end = froms[n + 1]?.getRange().start.line ?? Infinity;
  for (const i of instructions.filter((x) => x.getRange().start.line > start && x.getRange().start.line < end)) {
    const at = (p) => path.join(fs, path.isAbsolute(p) ? p : path.join(stage.workdir, p));
    switch (i.getKeyword()) {
      case 'WORKDIR':
        stage.workdir = args(i)[0];
        mkdirSync(at('.'), { recursive: true });
        break;
      case 'ENV': {
        for (const p of i.getProperties()) stage.env[p.getName()] = p.getValue();
        break;
      }
      case 'COPY': {
        const from = i.getFromFlag()?.getValue();
        const [dest, ...srcs] = args(i).reverse();
        for (const src of srcs.reverse()) {
          const source = from ? path.join(stages.get(from).fs, src) : path.join(root, src);
          const target = dest.endsWith('/') || srcs.length > 1 ? path.join(at(dest), path.basename(src)) : at(dest);
          mkdirSync(path.dirname(target), { recursive: true });
          cpSync(source, src.endsWith('/') ? at(dest) : target, {
            recursive: true,
            verbatimSymlinks: true,
            filter: from ? () => true : inContext,
          });
        }
        log(`${name}: COPY ${from ? `--from=${from} ` : ''}${srcs.join(' ')} ${dest}`);
        break;
      }
      case 'RUN': {
        const command = i
          .getArguments()
          .map((a) => a.getValue())
          .join(' ');
        if (final) {
          log(`${name}: RUN (not run here: it edits the base image) ${command}`);
          break;
        }
        log(`${name}: RUN ${command}`);
        const started = Date.now();
        const run = spawnSync('bash', ['-euo', 'pipefail', '-c', command], {
          cwd: at('.'),
          env: { ...process.env, ...stage.env },
          stdio: 'inherit',
        });
        if (run.status !== 0) throw new Error(`${name}: RUN failed (${run.status}): ${command}`);
        log(`${name}: RUN took ${((Date.now() - started) / 1000).toFixed(1)} s`);
        break;
      }
      default:
        log(`${name}: ${i.getKeyword()} ${args(i).join(' ')}`);
    }
  }
}

const runtime = [...stages.values()].at(-1);
const app = path.join(runtime.fs, 'app');
for (const absent of ['typescript', 'vitest', 'prisma', 'node', '@swc/core']) {
  if (existsSync(path.join(app, 'node_modules', absent)))
    throw new Error(`runtime stage holds dev dependency ${absent}`);
}
const size = execFileSync('du', ['-sh', '--apparent-size', app], { encoding: 'utf8' }).split('\t')[0];
log(`runtime: /app is ${size} (node_modules with production dependencies only; add the node:24-bookworm-slim base)`);

// Start it as the image would: ENTRYPOINT + CMD, the image's ENV, a data folder of its own.
const { publicKey } = generateKeyPairSync('ed25519');
const keys = path.join(work, 'org-keys.json');
writeFileSync(
  keys,
  JSON.stringify({
    'charite-berlin': { name: 'Charité', jurisdiction: 'DE', keys: [publicKey.export({ format: 'jwk' })] },
  }),
);
const dataDir = path.join(runtime.fs, 'var', 'lib', 'meridian');
mkdirSync(dataDir, { recursive: true });
const port = String(20000 + Math.floor(Math.random() * 20000));
const env = {
  PATH: process.env.PATH,
  ...runtime.env,
  HOST: '127.0.0.1',
  PORT: port,
  MERIDIAN_DATA_DIR: dataDir,
  MERIDIAN_ORG_KEYS_FILE: keys,
  MERIDIAN_REGIONS: 'eu-de=DE',
};
const started = Date.now();
const gateway = spawn(process.execPath, ['bin/meridian.js', 'serve'], {
  cwd: app,
  env,
  stdio: ['ignore', 'pipe', 'inherit'],
});
let output = '';
gateway.stdout.on('data', (d) => (output += d));
const exited = new Promise((resolve) => gateway.on('exit', resolve));
for (;;) {
  if (gateway.exitCode !== null) throw new Error(`the runtime stage exited (${gateway.exitCode}):\n${output}`);
  const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
    (r) => r.ok,
    () => false,
  );
  if (ok) break;
  await new Promise((r) => setTimeout(r, 500));
}
log(`runtime: ready after ${((Date.now() - started) / 1000).toFixed(1)} s`);
const healthcheck = dockerfile.getInstructions().find((i) => i.getKeyword() === 'HEALTHCHECK');
const cmd = JSON.parse(healthcheck.getRawArgumentsContent().replace(/^[\s\S]*?CMD\s+/, ''));
const health = spawnSync(cmd[0] === 'node' ? process.execPath : cmd[0], cmd.slice(1), { env });
log(`runtime: HEALTHCHECK exit ${health.status}`);
if (health.status !== 0) throw new Error('HEALTHCHECK failed');
gateway.kill('SIGTERM');
const code = await exited;
log(`runtime: SIGTERM -> exit ${code}`);
if (code !== 0) throw new Error(`the gateway exited ${code} on SIGTERM`);
log('all stages ran');
