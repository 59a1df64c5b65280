import type { ServerResponse } from 'node:http';
import { AUTO_MODEL, PIPELINE_PREFIX } from './chat-task.js';
import { GatewayError } from './openai-error.js';
import type { TroupeDirectory } from './troupe-directory.js';

/** `GET /v1/models` (and `/v1/models/<id>`): troupe/auto, every pipeline, every served registry model. */
export async function listModels(path: string, response: ServerResponse, directory: TroupeDirectory, headers: Record<string, string>): Promise<void> {
  const snapshot = await directory.refresh();
  const created = Math.floor(Date.now() / 1000);
  const entry = (id: string) => ({ id, object: 'model', created, owned_by: 'troupe' });
  const models = [AUTO_MODEL, ...[...snapshot.pipelines].sort().map((name) => `${PIPELINE_PREFIX}${name}`), ...[...snapshot.models].sort()].map(entry);
  let body: unknown = { object: 'list', data: models };
  if (path.startsWith('/v1/models/')) {
    const id = decodeURIComponent(path.slice('/v1/models/'.length));
    body = models.find((model) => model.id === id);
    if (!body) throw new GatewayError(404, `the model "${id}" does not exist`, 'invalid_request_error', 'model_not_found', 'model');
  }
  const payload = JSON.stringify(body);
  response.writeHead(200, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
  response.end(payload);
}
