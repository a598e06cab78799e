import pino, { type Logger } from 'pino';

/**
 * Structured JSON logs. Request logs carry a request id; nothing clinical is ever
 * passed to a logger, and these paths are redacted in case one slips through.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'meridian' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: ['*.authorization', '*.headers.authorization', '*.variables', '*.resource', '*.fhir', '*.name'],
      censor: '[redacted]',
    },
  });
}
