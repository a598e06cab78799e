import type { Command } from 'commander';
import { ensureDevKeys } from '../auth/dev-keys.js';
import { mintPersonaToken } from '../auth/persona-token.js';
import { loadConfig } from '../config/config.js';
import { generateDemoData } from '../demo/generator.js';

/** `meridian token --persona NAME`: a bearer token for a development persona. */
export function registerToken(program: Command): void {
  program
    .command('token')
    .description('print a bearer token for a development persona (development mode only)')
    .requiredOption('--persona <name>', 'persona name, see `meridian demo`')
    .option('--ttl <seconds>', 'lifetime of the token in seconds', '28800')
    .action(async (opts: { persona: string; ttl: string }) => {
      const config = loadConfig();
      if (config.mode !== 'development') {
        throw new Error(`meridian token mints development tokens only; NODE_ENV is ${config.mode}.`);
      }
      if (config.orgKeysFile !== undefined) {
        throw new Error(
          'meridian token signs with generated development keys; unset MERIDIAN_ORG_KEYS_FILE to use it.',
        );
      }
      const demo = generateDemoData({ patients: config.demoPatients, regions: config.regions });
      const persona = demo.personas.find((p) => p.name === opts.persona);
      if (persona === undefined) {
        throw new Error(
          `unknown persona "${opts.persona}"; known personas: ${demo.personas.map((p) => p.name).join(', ')}`,
        );
      }
      const ttl = Number(opts.ttl);
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > 7 * 24 * 3600)
        throw new Error('--ttl must be 1 to 604800 seconds');
      const keys = await ensureDevKeys(
        config.dataDir,
        demo.organisations.map((o) => o.id),
      );
      console.log(await mintPersonaToken(persona, keys, { audience: config.tokenAudience, ttlSeconds: ttl }));
    });
}
