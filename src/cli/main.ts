import 'reflect-metadata';
import { Command } from 'commander';
import { ConfigError } from '../config/config.js';
import { runGateway } from '../main.js';
import { registerDemo } from './demo.command.js';
import { registerImport } from './import.command.js';
import { registerMigrate } from './migrate.command.js';
import { registerToken } from './token.command.js';

const program = new Command('meridian')
  .description('Meridian: cross-border health information exchange gateway')
  .showHelpAfterError();

program.command('serve', { isDefault: true }).description('start the gateway (the default)').action(runGateway);
registerMigrate(program);
registerToken(program);
registerDemo(program);
registerImport(program);

program.parseAsync().catch((err: unknown) => {
  console.error(`meridian: ${err instanceof ConfigError || err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
