/** Reads `retry-after-ms` (OpenAI, Anthropic) or `retry-after` (seconds or an HTTP date). */
export function retryAfterMsFromHeaders(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const milliseconds = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return Math.ceil(milliseconds);
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number.parseFloat(value);
  if (Number.isFinite(seconds) && /^\s*[\d.]+\s*$/.test(value)) return Math.max(0, Math.ceil(seconds * 1000));
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Gemini puts the wait in the body: `details: [{ "@type": "…RetryInfo", "retryDelay": "2s" }]`. */
export function retryAfterMsFromRetryInfo(details: unknown): number | undefined {
  if (!Array.isArray(details)) return undefined;
  for (const detail of details) {
    const delay = (detail as { retryDelay?: unknown } | null)?.retryDelay;
    if (typeof delay !== 'string') continue;
    const seconds = Number.parseFloat(delay);
    if (Number.isFinite(seconds) && delay.endsWith('s')) return Math.ceil(seconds * 1000);
  }
  return undefined;
}
