export { workerMachine, type WorkerOutcome } from './worker-machine.js';
export { subtaskMessages } from './subtask-prompt.js';
export { ADVISOR_MIN_CONFIDENCE, lowConfidence } from './confidence-flag.js';
export { repeatPenaltyFor, withRepeatPenalty, PROSE_REPEAT_PENALTY, STRONG_REPEAT_PENALTY } from './repeat-penalty.js';
export { runSubtask, type ResolvedModel, type RunSubtaskOptions } from './run-subtask.js';
