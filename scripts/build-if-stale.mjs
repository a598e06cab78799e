// `npm start` builds only what `npm install` (or the last build) did not: it compares the
// newest source file with the stamp `npm run build` leaves in dist/, and skips the build
// when nothing changed since. `--stamp` writes the stamp (the last step of `npm run build`).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stamp = path.join(root, 'dist', '.build-stamp');
/** What the build reads: sources, schemas, compiler settings and the dependency lock. */
const INPUTS = [
  'src',
  'chaincode/src',
  'prisma',
  'policies',
  'console',
  'scripts/prisma-generate.mjs',
  'scripts/fhir-definitions.mjs',
  'tsconfig.json',
  'tsconfig.build.json',
  'chaincode/tsconfig.json',
  'package-lock.json',
];
const SKIP = new Set(['generated', 'node_modules', 'dist']);

function newest(file) {
  if (!existsSync(file)) return 0;
  const info = statSync(file);
  if (!info.isDirectory()) return info.mtimeMs;
  let latest = info.mtimeMs;
  for (const entry of readdirSync(file)) {
    if (!SKIP.has(entry)) latest = Math.max(latest, newest(path.join(file, entry)));
  }
  return latest;
}

if (process.argv.includes('--stamp')) {
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
} else {
  const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
  const changed = Math.max(...INPUTS.map((p) => newest(path.join(root, p))));
  if (changed > built) {
    console.error(built === 0 ? 'meridian: building (first start)' : 'meridian: sources changed; rebuilding');
    const npm = process.env.npm_execpath;
    const run = npm
      ? spawnSync(process.execPath, [npm, 'run', 'build'], { cwd: root, stdio: 'inherit' })
      : spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
    process.exit(run.status ?? 1);
  }
}
