// deploy/ validates in CI with the real tools: `docker-compose config`, `nats-server -t`, and
// `kubectl kustomize` + `kubectl create --dry-run=client` (against a discovery-only endpoint, since
// there is no cluster here), plus checks of what the manifests promise: least-privilege users
// generated from @troupe/protocol, non-root containers, readiness from `$SRV.PING`, an HPA, R3.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createJwtAuth, writeJwtAuth } from '@troupe/cli';
import { startKubeDiscovery } from './kube-discovery.js';

const exec = promisify(execFile);
const repo = fileURLToPath(new URL('../../', import.meta.url));
const deploy = join(repo, 'deploy');
const troupeBin = join(repo, 'packages/cli/bin/troupe.mjs');
const passwords = Object.fromEntries(
  ['PLANNER', 'WORKER', 'JUDGE', 'OPERATOR', 'GATEWAY', 'TENANT_DEFAULT'].map((name) => [`TROUPE_${name}_PASSWORD`, `test-${name.toLowerCase()}`]),
);

/** Runs a tool; resolves with its exit code and output instead of throwing, so a failure shows why. */
async function tool(command: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  return exec(command, args, { env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code?: number | string; stdout?: string; stderr?: string }) => ({
      code: typeof error.code === 'number' ? error.code : 127,
      stdout: error.stdout ?? '',
      stderr: `${error.stderr ?? ''}${typeof error.code === 'string' ? ` ${error.code}: is ${command} installed? (scripts/install.sh installs it)` : ''}`,
    }),
  );
}

describe('deploy/ validates with docker-compose, nats-server and kubectl', () => {
  it('docker-compose config accepts the compose file: 3 NATS nodes, planner ×2, judge, worker ×2, gateway', async () => {
    const config = await tool('docker-compose', ['-f', join(deploy, 'docker-compose.yml'), '--env-file', join(deploy, 'example.env'), 'config']);
    expect(config.stderr).not.toMatch(/ERROR/);
    expect(config.code).toBe(0);
    const services = [...config.stdout.matchAll(/^ {2}([a-z0-9-]+):$/gm)].map((match) => match[1]);
    for (const name of ['nats-1', 'nats-2', 'nats-3', 'planner-1', 'planner-2', 'judge', 'worker-1', 'worker-2', 'gateway']) expect(services).toContain(name);
    expect(config.stdout).toContain('TROUPE_JETSTREAM_REPLICAS: \'3\'');
    expect(config.stdout).toMatch(/\/models:ro/);
    // Without passwords it refuses to render: no service runs with an empty NATS password.
    const empty = join(mkdtempSync(join(tmpdir(), 'troupe-compose-')), 'empty.env');
    writeFileSync(empty, '');
    const bare = await tool('docker-compose', ['-f', join(deploy, 'docker-compose.yml'), '--env-file', empty, 'config', '-q']);
    expect(bare.code).not.toBe(0);
    expect(bare.stderr).toMatch(/set TROUPE_\w+_PASSWORD/);
  }, 30_000);

  it('ships the least-privilege users exactly as `troupe permissions` generates them today', async () => {
    const generated = await tool(process.execPath, [troupeBin, 'permissions', '--service', 'planner', '--service', 'worker', '--service', 'judge', '--service', 'operator', '--service', 'gateway', '--tenant', 'default']);
    expect(generated.code).toBe(0);
    expect(readFileSync(join(deploy, 'nats/auth.conf'), 'utf8')).toBe(generated.stdout);
  }, 30_000);

  it('nats-server -t accepts the cluster configs (compose and Kubernetes) and refuses one without its passwords', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'troupe-deploy-'));
    for (const file of ['nats-cluster.conf', 'nats-k8s.conf', 'auth.conf']) copyFileSync(join(deploy, 'nats', file), join(directory, file));
    for (const file of ['nats-cluster.conf', 'nats-k8s.conf']) {
      const checked = await tool('nats-server', ['-t', '-c', join(directory, file)], { NATS_SERVER_NAME: 'nats-0', ...passwords });
      expect(`${checked.stdout}${checked.stderr}`).toMatch(/is valid/);
      expect(checked.code).toBe(0);
    }
    const missing = await tool('nats-server', ['-t', '-c', join(directory, 'nats-cluster.conf')], { NATS_SERVER_NAME: 'nats-0' });
    expect(missing.code).not.toBe(0);
  }, 30_000);

  it('nats-server -t accepts the operator-mode config that `troupe auth-jwt` generates', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'troupe-deploy-jwt-'));
    writeJwtAuth(await createJwtAuth({ tenants: ['default'], services: ['planner', 'worker', 'judge', 'operator', 'gateway'] }), directory);
    writeFileSync(join(directory, 'nats.conf'), `listen: 127.0.0.1:4222\njetstream { store_dir: ${JSON.stringify(join(directory, 'js'))} }\ninclude ./resolver.conf\n`);
    const checked = await tool('nats-server', ['-t', '-c', join(directory, 'nats.conf')]);
    expect(`${checked.stdout}${checked.stderr}`).toMatch(/is valid/);
  }, 30_000);

  it('kubectl renders the kustomization and accepts every object in a client dry run', async () => {
    const rendered = await tool('kubectl', ['kustomize', deploy]);
    expect(rendered.stderr).toBe('');
    const file = join(mkdtempSync(join(tmpdir(), 'troupe-k8s-')), 'rendered.yaml');
    writeFileSync(file, rendered.stdout);
    await using discovery = await startKubeDiscovery();
    const dryRun = await tool('kubectl', ['create', '--dry-run=client', '--validate=false', '-o', 'json', '-f', file, '--server', discovery.url]);
    expect(dryRun.stderr).toBe('');
    expect(dryRun.code).toBe(0);
    type Container = { args?: string[]; readinessProbe?: { exec?: { command: string[] } }; securityContext?: Record<string, unknown>; env?: Array<{ name: string; valueFrom?: { secretKeyRef?: { key: string } } }> };
    type Manifest = { kind: string; metadata: { name: string }; spec: Record<string, any> };
    const objects = JSON.parse(`[${dryRun.stdout.trim().replace(/\n}\n{/g, '\n},\n{')}]`) as Manifest[];
    const byName = (kind: string, name: string) => objects.find((object) => object.kind === kind && object.metadata.name === name);

    expect(byName('StatefulSet', 'nats')?.spec.replicas).toBe(3);
    const auth = readFileSync(join(deploy, 'nats/auth.conf'), 'utf8');
    for (const [name, replicas] of [['planner', 2], ['judge', 1], ['worker', 2], ['gateway', 1]] as const) {
      const deployment = byName('Deployment', name);
      expect(deployment, name).toBeDefined();
      expect(deployment!.spec.replicas).toBe(replicas);
      expect(deployment!.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': name });
      expect(deployment!.spec.template.metadata.labels['app.kubernetes.io/name']).toBe(name);
      expect(deployment!.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
      const [container] = deployment!.spec.template.spec.containers as Container[];
      expect(container!.args).toEqual([`services/${name}/dist/main.js`]);
      expect(container!.readinessProbe?.exec?.command).toEqual(['node', 'deploy/ready-probe.mjs', `troupe-${name}`]);
      expect(container!.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
      // Every password a pod reads is one that the generated nats-server config expects.
      for (const entry of container!.env ?? []) {
        const key = entry.valueFrom?.secretKeyRef?.key;
        if (key) expect(auth).toContain(`$${key}`);
      }
    }
    const hpa = byName('HorizontalPodAutoscaler', 'worker');
    expect(hpa?.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'worker' });
    for (const service of objects.filter((object) => object.kind === 'Service')) {
      const selector = service.spec.selector as Record<string, string>;
      const matched = objects.some((object) => ['Deployment', 'StatefulSet'].includes(object.kind) && Object.entries(selector).every(([key, value]) => object.spec.template.metadata.labels[key] === value));
      expect(matched, `service ${service.metadata.name} selects no pods`).toBe(true);
    }
  }, 60_000);

  it('builds a multi-stage, non-root image with the models directory as a volume', () => {
    const dockerfile = readFileSync(join(deploy, 'Dockerfile'), 'utf8');
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^RUN npm ci /m);
    const users = [...dockerfile.matchAll(/^USER (\S+)/gm)].map((match) => match[1]);
    expect(users.at(-1)).toBe('node');
    expect(dockerfile).toMatch(/^VOLUME \["\/models"\]/m);
    expect(readFileSync(join(deploy, 'Dockerfile.dockerignore'), 'utf8')).toMatch(/\*\*\/node_modules/);
  });
});
