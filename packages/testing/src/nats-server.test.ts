import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { startNatsServer } from './nats-server.js';

describe('startNatsServer', () => {
  it('starts a real nats-server with JetStream on a free port and survives a kill/restart', async () => {
    await using server = await startNatsServer();
    const connection = await connect({ servers: server.url });
    const manager = await jetstreamManager(connection);
    const info = await manager.getAccountInfo();
    expect(info.limits).toBeDefined();
    await connection.close();

    await server.kill();
    await server.restart();
    const again = await connect({ servers: server.url });
    expect(again.getServer()).toContain(String(server.port));
    await again.close();
  });
});
