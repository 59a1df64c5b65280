import { pino, type Logger } from 'pino';

/** Paths pino blanks out wherever they appear: credentials must never reach a log line. */
export const REDACTED_PATHS = [
  'pass', 'password', 'token', 'apiKey', 'api_key', 'authorization', 'credentials', 'secret',
  '*.pass', '*.password', '*.token', '*.apiKey', '*.api_key', '*.authorization', '*.credentials', '*.secret',
  'headers.authorization', 'headers["x-api-key"]', 'headers["x-goog-api-key"]', 'err.config.headers',
];

/** JSON logs for machines; pretty logs only when a person is watching a terminal. */
export function createLogger(service: string, level: string): Logger {
  return pino({
    name: service,
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    ...(process.stdout.isTTY ? { transport: { target: 'pino-pretty', options: { colorize: true, destination: 2 } } } : {}),
  }, process.stdout.isTTY ? undefined : pino.destination(2));
}
