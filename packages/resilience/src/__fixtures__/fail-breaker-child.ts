// Run as a separate process by kv-breaker-store.test.ts: another replica recording failures.
import { connect } from '@nats-io/transport-node';
import { ErrorCode, TroupeError } from '@troupe/protocol';
import { createCircuitBreakers } from '../circuit-breakers.js';
import { createKvBreakerStore } from '../kv-breaker-store.js';

const [url, bucket, key, count] = process.argv.slice(2);
const connection = await connect({ servers: url! });
const store = await createKvBreakerStore({ connection, bucket: bucket! });
const breakers = createCircuitBreakers(store, { failureThreshold: Number(count), cooldownMs: 60_000 });
for (let index = 0; index < Number(count); index += 1) {
  await breakers.recordFailure(await breakers.acquire(key!), new TroupeError(ErrorCode.PROVIDER_ERROR, 'HTTP 503 from the child'));
}
process.stdout.write(`${JSON.stringify(await breakers.snapshot(key!))}\n`);
await breakers.dispose();
await store.dispose();
await connection.drain();
