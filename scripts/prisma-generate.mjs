// `prisma generate` for both schemas, offline. The Prisma 7 CLI wants a schema-engine
// binary at start even though generate never uses it; any existing path satisfies it.
import { spawnSync } from 'node:child_process';

const env = { ...process.env, CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;
for (const schema of ['records', 'control']) {
  const run = spawnSync('prisma', ['generate', '--schema', `prisma/${schema}/schema.prisma`], {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
    shell: process.platform === 'win32',
  });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
