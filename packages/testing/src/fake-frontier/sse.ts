/** One Server-Sent Event as it appears on the wire. */
export interface SseEvent {
  event?: string;
  data: string;
}

/** Splits a recorded SSE stream into events (blank-line separated, `\n` or `\r\n`). */
export function parseSse(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    let event: string | undefined;
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith('event:')) event = line.slice('event:'.length).trim();
      else if (line.startsWith('data:')) data.push(line.slice('data:'.length).trimStart());
    }
    if (data.length > 0) events.push(event === undefined ? { data: data.join('\n') } : { event, data: data.join('\n') });
  }
  return events;
}

/** Serialises one event; `lineEnd` lets the Gemini fake use the `\r\n` its API sends. */
export function formatSse(event: SseEvent, lineEnd = '\n'): string {
  const head = event.event === undefined ? '' : `event: ${event.event}${lineEnd}`;
  return `${head}data: ${event.data}${lineEnd}${lineEnd}`;
}

/** Splits text into `count` roughly equal, non-empty pieces (fewer if the text is short). */
export function splitText(text: string, count = 3): string[] {
  if (text.length === 0) return [''];
  const size = Math.max(1, Math.ceil(text.length / count));
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += size) pieces.push(text.slice(start, start + size));
  return pieces;
}
