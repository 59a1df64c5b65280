import { z } from 'zod';
import { ErrorCode } from '../error-codes.js';

/** Body of every error reply; the same code also travels in the `Nats-Service-Error*` headers. */
export const ErrorReply = z
  .object({
    code: z.enum(Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]]),
    message: z.string(),
    retryable: z.boolean().optional(),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: 'ErrorReply', description: 'Typed error reply: a stable code and a readable message.' });
export type ErrorReply = z.infer<typeof ErrorReply>;
