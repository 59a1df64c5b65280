export { defaultVerdictPolicy, judgeMachine, type VerdictPolicy, type VerdictPolicyInput } from './judge-machine.js';
