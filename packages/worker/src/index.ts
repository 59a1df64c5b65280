export { workerMachine, type WorkerOutcome } from './worker-machine.js';
export { subtaskMessages } from './subtask-prompt.js';
export { runSubtask, type ResolvedModel, type RunSubtaskOptions } from './run-subtask.js';
