// A Kubernetes API discovery endpoint and nothing else: `kubectl create --dry-run=client` needs the
// API's list of kinds to map manifests to resources, even though it sends no object. Serving the
// discovery documents of the kinds deploy/ uses lets the real kubectl validate offline, in CI.
import { createServer, type Server } from 'node:http';

type Resource = { name: string; kind: string; namespaced: boolean };
const resources = (groupVersion: string, list: Resource[]) => ({
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion,
  resources: list.map((resource) => ({ ...resource, singularName: '', verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] })),
});

const groups: Record<string, ReturnType<typeof resources>> = {
  '/api/v1': resources('v1', [
    { name: 'namespaces', kind: 'Namespace', namespaced: false },
    { name: 'configmaps', kind: 'ConfigMap', namespaced: true },
    { name: 'secrets', kind: 'Secret', namespaced: true },
    { name: 'services', kind: 'Service', namespaced: true },
    { name: 'persistentvolumeclaims', kind: 'PersistentVolumeClaim', namespaced: true },
  ]),
  '/apis/apps/v1': resources('apps/v1', [
    { name: 'deployments', kind: 'Deployment', namespaced: true },
    { name: 'statefulsets', kind: 'StatefulSet', namespaced: true },
  ]),
  '/apis/autoscaling/v2': resources('autoscaling/v2', [{ name: 'horizontalpodautoscalers', kind: 'HorizontalPodAutoscaler', namespaced: true }]),
  '/apis/policy/v1': resources('policy/v1', [{ name: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', namespaced: true }]),
};

const group = (name: string, version: string) => ({ name, versions: [{ groupVersion: `${name}/${version}`, version }], preferredVersion: { groupVersion: `${name}/${version}`, version } });

/** Starts the discovery endpoint on a free loopback port. Unknown paths answer 404, as an API server would. */
export async function startKubeDiscovery(): Promise<{ url: string; server: Server; [Symbol.asyncDispose](): Promise<void> }> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0]!;
    const body =
      path === '/api'
        ? { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] }
        : path === '/apis'
          ? { kind: 'APIGroupList', apiVersion: 'v1', groups: [group('apps', 'v1'), group('autoscaling', 'v2'), group('policy', 'v1')] }
          : path === '/version'
            ? { major: '1', minor: '32', gitVersion: 'v1.32.0' }
            : groups[path];
    response.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body ?? { kind: 'Status', status: 'Failure', code: 404 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, server, [Symbol.asyncDispose]: () => new Promise((resolve) => server.close(() => resolve())) };
}
