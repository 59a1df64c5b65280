export type { Logger } from '@troupe/models';
