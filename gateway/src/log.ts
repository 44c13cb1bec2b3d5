import { pino, type Logger } from 'pino';

/**
 * JSON logs with the node id on every line. Tokens and keys are never logged on purpose;
 * the redaction list is a second line of defence for headers that might be logged whole.
 */
export function createLogger(level: string, nodeId: string): Logger {
  return pino({
    level,
    base: { node: nodeId },
    redact: { paths: ['authorization', 'token', '*.authorization', '*.token', 'headers.authorization'], censor: '[redacted]' },
  });
}
