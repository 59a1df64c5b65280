import { context, propagation, type Context } from '@opentelemetry/api';
import { headers as createHeaders, type MsgHdrs } from '@nats-io/nats-core';

const setter = {
  set(carrier: MsgHdrs, key: string, value: string) {
    carrier.set(key, value);
  },
};

const getter = {
  get(carrier: MsgHdrs | undefined, key: string) {
    return carrier?.get(key) || undefined;
  },
  keys(carrier: MsgHdrs | undefined) {
    return carrier ? [...carrier.keys()] : [];
  },
};

/** Writes W3C trace context (`traceparent`) of the active span into NATS headers. */
export function injectTraceContext(target: MsgHdrs = createHeaders(), from: Context = context.active()): MsgHdrs {
  propagation.inject(from, target, setter);
  return target;
}

/** Reads trace context from NATS headers, so the receiver's spans join the sender's trace. */
export function extractTraceContext(source: MsgHdrs | undefined): Context {
  return propagation.extract(context.active(), source, getter);
}
