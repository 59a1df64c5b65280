import type { ServiceInfo, ServiceStats } from '@nats-io/services';
import { describe, expect, it } from 'vitest';
import { statusRows } from './status-command.js';

const replica = (name: string, id: string, endpoints: Array<{ name: string; requests: number; errors: number; data: Record<string, unknown> }>) =>
  ({
    name,
    id,
    version: '0.1.0',
    started: '',
    endpoints: endpoints.map((endpoint) => ({
      name: endpoint.name,
      subject: `s.${endpoint.name}`,
      num_requests: endpoint.requests,
      num_errors: endpoint.errors,
      processing_time: 0,
      average_processing_time: 0,
      data: endpoint.data,
      queue_group: 'q',
    })),
  }) as unknown as ServiceStats;

describe('statusRows', () => {
  it('sums requests and errors over replicas and shows in-flight and models once per service', () => {
    const stats = [
      replica('troupe-worker', 'a', [
        { name: 'extract', requests: 10, errors: 2, data: { inFlight: 1, p50Ms: 40, loadedModels: ['stories260k'] } },
        { name: 'generate', requests: 0, errors: 0, data: { inFlight: 1 } },
      ]),
      replica('troupe-worker', 'b', [
        { name: 'extract', requests: 30, errors: 0, data: { inFlight: 2, p50Ms: 55 } },
        { name: 'generate', requests: 0, errors: 0, data: { inFlight: 2 } },
      ]),
      replica('troupe-judge', 'c', [{ name: 'verify', requests: 200, errors: 200, data: { inFlight: 0, p50Ms: 1.5 } }]),
    ];
    const infos = [{ id: 'a', metadata: { models: 'stories260k,gpt-4o' } }] as unknown as ServiceInfo[];
    expect(statusRows(stats, infos)).toEqual([
      ['judge', '1', 'verify', '200', '200', '0', '1.5 ms', '–'],
      ['worker', '2', 'extract', '40', '2', '3', '55 ms', 'stories260k (loaded)'],
      ['', '', 'generate', '0', '0', '', '–', ''],
    ]);
  });
});
