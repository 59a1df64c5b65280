import { appendFileSync } from 'node:fs';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { AlwaysOffSampler, ConsoleSpanExporter, SimpleSpanProcessor, type ReadableSpan, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';

/**
 * Starts the OpenTelemetry SDK for a service: W3C trace context propagation always (so one task
 * is one trace across processes), spans exported where `TROUPE_TRACES` says.
 */
export function startTelemetry(service: string, traces: string | undefined): { shutdown(): Promise<void> } {
  const processors: SpanProcessor[] = [];
  if (traces === 'console') processors.push(new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() }));
  else if (traces?.startsWith('file:')) processors.push(new SimpleSpanProcessor({ exporter: new JsonLinesSpanExporter(traces.slice(5)) }));
  else if (traces === 'otlp') {
    // The OTLP exporter reads the standard OTEL_EXPORTER_OTLP_* variables.
    process.env.OTEL_TRACES_EXPORTER = 'otlp';
  }
  const sdk = new NodeSDK({
    serviceName: service,
    instrumentations: [],
    resourceDetectors: [],
    // With no exporter, spans are not recorded (cheap) but trace ids still propagate in headers.
    ...(traces === 'otlp' ? {} : processors.length > 0 ? { spanProcessors: processors } : { spanProcessors: [], sampler: new AlwaysOffSampler() }),
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}

/** Writes finished spans as JSON lines; used by tests to prove a task is one trace. */
class JsonLinesSpanExporter implements SpanExporter {
  constructor(private readonly path: string) {}
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    const lines = spans.map((span) =>
      JSON.stringify({
        name: span.name,
        traceId: span.spanContext().traceId,
        spanId: span.spanContext().spanId,
        parentSpanId: span.parentSpanContext?.spanId,
        service: span.resource.attributes['service.name'],
        attributes: span.attributes,
        // Span events (e.g. each tool call of a worker's tool loop), by name and attributes.
        ...(span.events.length ? { events: span.events.map((event) => ({ name: event.name, attributes: event.attributes ?? {} })) } : {}),
      }),
    );
    appendFileSync(this.path, lines.map((line) => `${line}\n`).join(''));
    done({ code: ExportResultCode.SUCCESS });
  }
  async shutdown(): Promise<void> {}
}
