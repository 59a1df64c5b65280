export { workerMachine, type WorkerOutcome } from './worker-machine.js';
export { subtaskMessages } from './subtask-prompt.js';
export { repeatPenaltyFor, withRepeatPenalty, PROSE_REPEAT_PENALTY, STRONG_REPEAT_PENALTY } from './repeat-penalty.js';
export { runSubtask, type ResolvedModel, type RunSubtaskOptions } from './run-subtask.js';
