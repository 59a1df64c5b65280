export { judgeMachine, type VerdictPolicy, type VerdictPolicyInput } from './judge-machine.js';
