// JWT auth (issue 14): an operator/account/user hierarchy minted by `troupe auth-jwt` (with
// @nats-io/jwt + @nats-io/nkeys), a real nats-server in operator mode with a memory resolver, and
// planner, worker and judge as separate processes, each with its own .creds file. Tenants run tasks
// through `troupe run --creds`, the operator reads `troupe status --creds`.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceName } from '@troupe/cli';
import { createJwtAuth, writeJwtAuth } from '@troupe/cli';
import { createTroupeClient } from '@troupe/client';
import { TroupeError, tenantInboxPrefix } from '@troupe/protocol';
import { connectNats } from '@troupe/transport';
import { startNatsServer, type NatsServer } from '@troupe/testing';
import { startEchoCluster, type EchoCluster } from '../bench/echo-cluster.js';
import { permissionViolations } from './security-fixtures.js';

const run = promisify(execFile);
const troupeBin = fileURLToPath(new URL('../../packages/cli/bin/troupe.mjs', import.meta.url));
const directory = mkdtempSync(join(tmpdir(), 'troupe-jwt-'));
const auth = join(directory, 'auth');
const natsLog = join(directory, 'nats.log');
const creds = (name: string) => join(auth, `${name}.creds`);

describe('JWT auth: operator mode with a memory resolver and a .creds file per service', () => {
  let server: NatsServer;
  let cluster: EchoCluster;

  beforeAll(async () => {
    // The real command, as an operator would run it.
    const { stdout } = await run(process.execPath, [troupeBin, 'auth-jwt', '--out', auth, '--tenant', 'acme', '--tenant', 'globex']);
    expect(stdout).toContain('planner.creds');
    // nats-server resolves `include` relative to its own config file, so the resolver block goes in as text.
    server = await startNatsServer({ config: `logfile: ${JSON.stringify(natsLog)}\n${readFileSync(join(auth, 'resolver.conf'), 'utf8')}` });
    cluster = await startEchoCluster({
      server,
      env: { TROUPE_LOG_LEVEL: 'info' },
      envFor: (name: ServiceName) => ({ TROUPE_NATS_CREDS: creds(name) }),
    });
  }, 90_000);

  afterAll(async () => {
    await cluster?.stop();
    await server?.stop();
  });

  it('writes creds readable by their owner only, and a server config that names no user', () => {
    for (const name of ['planner', 'worker', 'judge', 'operator', 'acme', 'globex']) expect(statSync(creds(name)).mode & 0o777).toBe(0o600);
    const config = readFileSync(join(auth, 'resolver.conf'), 'utf8');
    expect(config).toContain('resolver: MEMORY');
    expect(config).not.toMatch(/\bS[UAO][A-Z2-7]{56}\b/); // no nkey seed in the server's config
  });

  it('runs a task with `troupe run --creds` as a tenant, through services that each hold their own creds', async () => {
    const { stdout } = await run(process.execPath, [troupeBin, 'run', 'hello over jwt', '--pipeline', 'noop-chain', '--tenant', 'acme', '--nats', server.url, '--creds', creds('acme'), '--json', '--timeout', '30000']).catch(
      (error: { stdout?: string; stderr?: string }) => ({ stdout: `${error.stdout ?? ''}\n${error.stderr ?? ''}` }),
    );
    const result = JSON.parse(stdout) as { status: string; tenant: string; error?: unknown };
    expect(result.error).toBeUndefined();
    expect(result).toMatchObject({ status: 'completed', tenant: 'acme' });
  }, 30_000);

  it('lists the services with `troupe status --creds` as the operator user', async () => {
    const { stdout } = await run(process.execPath, [troupeBin, 'status', '--nats', server.url, '--creds', creds('operator')]);
    for (const name of ['planner', 'worker', 'judge']) expect(stdout).toContain(name);
  }, 30_000);

  it("refuses a tenant's request on another tenant's subjects (the JWT carries the permissions)", async () => {
    const globex = await connectNats({ servers: server.url, credsFile: creds('globex'), inboxPrefix: tenantInboxPrefix('globex'), maxReconnectAttempts: 0 });
    try {
      const intoAcme = createTroupeClient({ connection: globex, tenant: 'acme', timeoutMs: 5_000 });
      const error = await intoAcme.run({ pipeline: 'noop', input: 'x' }).then(() => undefined, (caught: unknown) => caught);
      expect(error).toBeInstanceOf(TroupeError);
      expect((error as TroupeError).code).toBe('PERMISSION_DENIED');
      // Its own tenant still works on the same connection.
      expect((await createTroupeClient({ connection: globex, tenant: 'globex', timeoutMs: 20_000 }).run({ pipeline: 'noop', input: 'y' })).status).toBe('completed');
    } finally {
      await globex.close();
    }
  }, 30_000);

  it('rejects creds signed by another operator with AUTH_FAILED, and never echoes the seed', async () => {
    const stranger = await createJwtAuth({ tenants: ['acme'], services: [] });
    const strangerDir = join(directory, 'stranger');
    writeJwtAuth(stranger, strangerDir);
    const error = await connectNats({ servers: server.url, credsFile: join(strangerDir, 'acme.creds'), maxReconnectAttempts: 0 }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect((error as TroupeError).code).toBe('AUTH_FAILED');
    const seed = /SU[A-Z0-9]{50,}/.exec(readFileSync(join(strangerDir, 'acme.creds'), 'utf8'))![0];
    expect(JSON.stringify({ message: (error as Error).message })).not.toContain(seed);
  });

  it('ran every service without a permission violation (JetStream queue, KV records and ledger included)', () => {
    const services = permissionViolations(natsLog).filter((violation) => violation.user !== 'globex');
    expect(services).toEqual([]);
    expect(cluster.unexpectedExits()).toEqual([]);
  });
});
