// A Meridian gateway under load, configured by the environment the bench hands it.
import pino from 'pino';
import { loadConfig } from '../src/config/config.js';
import { startGateway } from '../src/main.js';
import { serveForBench } from './server-process.js';

await serveForBench(() => startGateway(loadConfig(), pino({ level: 'silent' })));
