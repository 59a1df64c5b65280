export { CommonEnv, natsOptionsFrom, readEnv } from './service-config.js';
export { createLogger, REDACTED_PATHS } from './logger.js';
export { startTelemetry } from './telemetry.js';
export { READY_MARKER, runService, type RunServiceOptions, type ServiceContext } from './run-service.js';
