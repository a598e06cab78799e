import type { Command } from 'commander';
import { ensureDevKeys } from '../auth/dev-keys.js';
import { mintPersonaToken } from '../auth/persona-token.js';
import { loadConfig } from '../config/config.js';
import { generateDemoData } from '../demo/generator.js';
import { isPurposeOfUse, PURPOSES_OF_USE } from '../domain/purpose.js';

/** `meridian token --persona NAME`: a bearer token for a development persona. */
export function registerToken(program: Command): void {
  program
    .command('token')
    .description('print a bearer token for a development persona (development mode only)')
    .requiredOption('--persona <name>', 'persona name, see `meridian demo`')
    .option('--ttl <seconds>', 'lifetime of the token in seconds', '28800')
    .option('--purpose <code>', 'bind the token to one purpose of use (IHE IUA purpose_of_use), e.g. TREAT')
    .action(async (opts: { persona: string; ttl: string; purpose?: string }) => {
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
      if (opts.purpose !== undefined && !isPurposeOfUse(opts.purpose)) {
        throw new Error(`--purpose must be one of ${PURPOSES_OF_USE.join(', ')}`);
      }
      const purpose = opts.purpose !== undefined ? { purposeOfUse: opts.purpose } : {};
      const keys = await ensureDevKeys(
        config.dataDir,
        demo.organisations.map((o) => o.id),
      );
      console.log(
        await mintPersonaToken(persona, keys, { audience: config.tokenAudience, ttlSeconds: ttl, ...purpose }),
      );
    });
}
