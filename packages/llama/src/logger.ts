/**
 * The slice of pino's interface this package logs through; any pino logger satisfies it. It is
 * declared here (structurally identical to `@troupe/transport`'s) so the local model tier does not
 * depend on the NATS transport.
 */
export interface Logger {
  debug(object: object, message?: string): void;
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
  error(object: object, message?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

/** A logger that drops everything; the default when no logger is injected. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
