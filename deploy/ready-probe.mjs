#!/usr/bin/env node
// Readiness probe: exits 0 when the named Troupe service answers `$SRV.PING.<name>` on the bus
// (the NATS micro-service API), 1 otherwise. Kubernetes runs it as an exec probe in each pod:
//   node deploy/ready-probe.mjs troupe-worker
// It connects with the probe's own credentials (the least-privilege "operator" user may ping
// every service; service users may not), from TROUPE_PROBE_NATS_CREDS or
// TROUPE_PROBE_NATS_USER/TROUPE_PROBE_NATS_PASSWORD, falling back to the service's TROUPE_NATS_*.
import { connect, credsAuthenticator } from '@nats-io/transport-node';
import { readFileSync } from 'node:fs';

const name = process.argv[2];
if (!name) {
  process.stderr.write('usage: ready-probe.mjs <service-name>\n');
  process.exit(2);
}
const env = process.env;
const credsFile = env.TROUPE_PROBE_NATS_CREDS ?? env.TROUPE_NATS_CREDS;
const user = env.TROUPE_PROBE_NATS_USER ?? env.TROUPE_NATS_USER;
const pass = env.TROUPE_PROBE_NATS_PASSWORD ?? env.TROUPE_NATS_PASSWORD;
try {
  const connection = await connect({
    servers: (env.TROUPE_NATS_URL ?? 'nats://127.0.0.1:4222').split(','),
    name: `ready-probe-${name}`,
    maxReconnectAttempts: 0,
    timeout: 2_000,
    ...(credsFile ? { authenticator: credsAuthenticator(readFileSync(credsFile)) } : user ? { user, pass: pass ?? '' } : {}),
  });
  try {
    const reply = await connection.request(`$SRV.PING.${name}`, undefined, { timeout: 2_000 });
    const pong = JSON.parse(new TextDecoder().decode(reply.data));
    process.stdout.write(`${pong.name} ${pong.id} ready\n`);
    process.exitCode = pong.name === name ? 0 : 1;
  } finally {
    await connection.close();
  }
} catch (error) {
  // Never print the error object whole: a connection error may carry the server URL with credentials.
  process.stderr.write(`${name} not ready: ${error instanceof Error ? error.name : 'error'}\n`);
  process.exitCode = 1;
}
