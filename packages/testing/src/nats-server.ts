import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as connectTcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

export interface NatsServerOptions {
  /** JetStream on (default true), with its store in a fresh temporary directory. */
  jetstream?: boolean;
  port?: number;
  /** Extra nats-server config text (authorization, accounts, tls, cluster…). */
  config?: string;
  /** Keep the store directory across restarts (default: the server's own temp directory). */
  storeDirectory?: string;
  /** Path of the binary; defaults to NATS_SERVER_BIN or `nats-server` on PATH. */
  binary?: string;
  serverName?: string;
}

/** A real nats-server child process, started on a free loopback port. */
export interface NatsServer extends AsyncDisposable {
  readonly url: string;
  readonly port: number;
  readonly storeDirectory: string;
  readonly process: ChildProcess;
  /** SIGKILL (or another signal) without cleanup: for chaos tests. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and store, after `kill` or `stop`. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const port = options.port ?? (await freePort());
  const workDirectory = mkdtempSync(join(tmpdir(), 'troupe-nats-'));
  const storeDirectory = options.storeDirectory ?? join(workDirectory, 'store');
  const configPath = join(workDirectory, 'nats.conf');
  const lines = [
    `listen: 127.0.0.1:${port}`,
    options.serverName ? `server_name: ${options.serverName}` : '',
    options.jetstream === false ? '' : `jetstream { store_dir: ${JSON.stringify(storeDirectory)} }`,
    options.config ?? '',
  ];
  writeFileSync(configPath, lines.filter(Boolean).join('\n'));
  const binary = options.binary ?? process.env.NATS_SERVER_BIN ?? 'nats-server';

  let child = await launch(binary, configPath, port);
  let owned = true;

  const waitExit = (target: ChildProcess) =>
    new Promise<void>((resolve) => {
      if (target.exitCode !== null || target.signalCode !== null) resolve();
      else target.once('exit', () => resolve());
    });

  const server: NatsServer = {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDirectory,
    get process() {
      return child;
    },
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      child.kill(signal);
      await waitExit(child);
    },
    async restart() {
      if (child.exitCode === null && child.signalCode === null) await server.kill('SIGTERM');
      child = await launch(binary, configPath, port);
    },
    async stop() {
      if (!owned) return;
      owned = false;
      child.kill('SIGTERM');
      await Promise.race([waitExit(child), delay(5_000).then(() => child.kill('SIGKILL'))]);
      rmSync(workDirectory, { recursive: true, force: true });
    },
    async [Symbol.asyncDispose]() {
      await server.stop();
    },
  };
  return server;
}

async function launch(binary: string, configPath: string, port: number): Promise<ChildProcess> {
  const child = spawn(binary, ['-c', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  const spawnError = new Promise<never>((_, reject) => {
    child.once('error', (error) =>
      reject(new Error(`could not start ${binary}: ${error.message} (install it with: apt-get install nats-server)`)),
    );
    child.once('exit', (code) => reject(new Error(`nats-server exited with ${code} during start:\n${stderr}`)));
  });
  spawnError.catch(() => undefined);
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (await Promise.race([canConnect(port), spawnError])) {
      // The port opens a moment before JetStream is ready; the server logs readiness last.
      if (stderr.includes('Server is ready') || !stderr.includes('Starting')) return child;
    }
    await delay(20);
  }
  child.kill('SIGKILL');
  throw new Error(`nats-server did not become ready on port ${port}:\n${stderr}`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connectTcp({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
