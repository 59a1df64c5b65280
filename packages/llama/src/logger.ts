export { silentLogger, type Logger } from '@troupe/models';
