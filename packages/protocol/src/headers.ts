/** Header names Troupe sets on NATS messages. */
export const Header = {
  /** W3C trace context; one task is one trace across processes. */
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  /** Makes a request idempotent; also used as JetStream's `Nats-Msg-Id` for dedup. */
  idempotencyKey: 'Troupe-Idempotency-Key',
  /** Deadline (epoch ms) after which the receiver should not start the work. */
  deadline: 'Troupe-Deadline',
  serviceError: 'Nats-Service-Error',
  serviceErrorCode: 'Nats-Service-Error-Code',
} as const;

/** Largest payload a Troupe service accepts (bytes); larger requests get PAYLOAD_TOO_LARGE. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 512 * 1024;
