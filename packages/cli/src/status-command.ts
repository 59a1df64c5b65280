import { Svcm } from '@nats-io/services';
import { connectNats } from '@troupe/transport';

/** `troupe status`: every Troupe service found through the NATS micro-service API, with its stats. */
export async function status(natsUrl: string, write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Promise<number> {
  const connection = await connectNats({ servers: natsUrl, maxReconnectAttempts: 0 });
  try {
    const client = new Svcm(connection).client({ strategy: 'stall', stall: 100, maxWait: 1_000 });
    let count = 0;
    for await (const stats of await client.stats()) {
      if (!stats.name.startsWith('troupe-')) continue;
      count += 1;
      const data = stats.endpoints?.map((endpoint) => ({ endpoint: endpoint.name, requests: endpoint.num_requests, errors: endpoint.num_errors, ...(endpoint.data as object) }));
      write(`${stats.name} ${stats.id} v${stats.version} started ${stats.started}`);
      for (const entry of data ?? []) write(`  ${JSON.stringify(entry)}`);
    }
    if (count === 0) write(`no Troupe services answer on ${natsUrl}`);
    return count;
  } finally {
    await connection.drain();
  }
}
