import type { KV, KvEntry } from '@nats-io/kv';
import { ErrorCode, TroupeError } from '@troupe/protocol';

/**
 * The latest entry of every key, in one ordered pass (a watch that stops once caught
 * up). Bounded by `timeoutMs` as a whole: a watch cut off by a server restart, or one whose consumer
 * cannot be created while the server recovers, would otherwise wait forever.
 */
export async function readLatest(kv: KV, timeoutMs: number): Promise<KvEntry[]> {
  let stop = () => {};
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      stop();
      reject(new TroupeError(ErrorCode.TIMEOUT, `could not read the bucket within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  const read = async () => {
    const latest = new Map<string, KvEntry>();
    if ((await kv.status()).values === 0) return [];
    const watcher = await kv.watch({ key: '>' });
    stop = () => watcher.stop();
    try {
      for await (const entry of watcher) {
        if (entry.operation === 'PUT') latest.set(entry.key, entry);
        else latest.delete(entry.key);
        if (entry.delta === 0) break;
      }
    } finally {
      watcher.stop();
    }
    return [...latest.values()];
  };
  const reading = read();
  reading.catch(() => undefined);
  try {
    return await Promise.race([reading, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
