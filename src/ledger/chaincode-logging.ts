import { createRequire } from 'node:module';
// Loaded first: it creates the contract API's loggers, which the line below then turns down.
import 'fabric-contract-api';

const require = createRequire(import.meta.url);
const contractApiLogger = require('fabric-contract-api/lib/logger.js') as { setLevel(level: string): void };

// The contract API logs every decorator at INFO to stdout when the chaincode classes load.
// On a peer that goes to the chaincode container's log; run in-process it would be mixed into
// the gateway's JSON log and into CLI output. Import this module before `meridian-chaincode`.
contractApiLogger.setLevel('WARNING');
