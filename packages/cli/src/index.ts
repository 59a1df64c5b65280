export { launchService, serviceEntry, type LaunchedService, type ServiceName } from './service-launcher.js';
export { up, type RunningTroupe, type UpOptions } from './up-command.js';
export { runTask, type RunOptions } from './run-command.js';
export { status } from './status-command.js';
export { listDeadLettersCommand, showDeadLetterCommand, type DeadLetterCommandOptions } from './dlq-command.js';
export { resolveNatsUrl } from './nats-target.js';
export { createJwtAuth, credsFileName, writeJwtAuth, type JwtAuthOptions, type JwtAuthSetup, type JwtUser } from './jwt-auth.js';
export { verdictsCommand, type VerdictsCommandOptions } from './verdicts-command.js';
