import { Command } from 'commander';
import { ConfigError } from '../config/config.js';
import { registerAudit } from './audit.command.js';
import { registerDemo } from './demo.command.js';
import { registerImport } from './import.command.js';
import { registerLedger } from './ledger.command.js';
import { registerMigrate } from './migrate.command.js';
import { registerPatients } from './patients.command.js';
import { registerRecords } from './records.command.js';
import { registerToken } from './token.command.js';
import { packageVersion, withDefaultCommand } from './version.js';

const program = new Command('meridian')
  .description('Meridian: cross-border health information exchange gateway')
  .version(packageVersion(), '-V, --version', 'print the version')
  .showHelpAfterError();

// The gateway (Apollo, type-graphql, Fabric) is loaded only to serve: it costs seconds that a one-shot command never needs.
program
  .command('serve')
  .description('start the gateway (what `meridian` alone does)')
  .action(async () => {
    await (await import('../run-gateway.js')).runGateway();
  });
registerMigrate(program);
registerToken(program);
registerDemo(program);
registerImport(program);
registerLedger(program);
registerRecords(program);
registerAudit(program);
registerPatients(program);

// One-shot commands end when their work does: the WASM schema engine leaves a timer
// behind that would otherwise hold the process for seconds. `serve` runs until signalled.
program.hook('postAction', (_program, action) => {
  if (action.name() !== 'serve') process.exit(process.exitCode ?? 0);
});

program.parseAsync(withDefaultCommand(process.argv)).catch((err: unknown) => {
  console.error(`meridian: ${err instanceof ConfigError || err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
