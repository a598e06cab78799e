import type { Logger } from 'pino';
import { anchorerOf } from '../access/anchoring/record-anchoring.js';
import type { Config } from '../config/config.js';
import type { LedgerClient } from '../ledger/ledger-client.js';
import type { Stores } from '../stores/open-stores.js';
import { seedDemo } from './seed.js';

/** Seeds the demo data set when configured and the patient index is still empty (first start). */
export async function seedOnFirstStart(
  config: Config,
  stores: Stores,
  ledger: LedgerClient,
  logger: Logger,
): Promise<void> {
  if (!config.seedDemo || (await stores.control.patients(1)).length > 0) return;
  logger.info({ patients: config.demoPatients }, 'seeding demo data (first start)');
  await seedDemo({
    stores: stores.stores,
    control: stores.control,
    regions: config.regions,
    patients: config.demoPatients,
    anchor: anchorerOf(stores, ledger),
  });
}
