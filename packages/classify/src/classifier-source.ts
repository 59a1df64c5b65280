import { readFileSync } from 'node:fs';
import type { NatsConnection } from '@nats-io/nats-core';
import { ErrorCode, TroupeError } from '@troupe/protocol';
import { parseClassifierArtifact } from './classifier-artifact.js';
import { createClassifier, type Classifier } from './classifier.js';
import type { ClassifierSource } from './classifier-model.js';
import { openClassifierStore } from './classifier-store.js';

export interface ClassifierSourceOptions {
  /** Deployed name in NATS KV: the source follows every new version deployed under it. */
  name?: string;
  /** Artifact file: a fixed classifier (used when `name` is unset). */
  file?: string;
  connection?: NatsConnection;
  onVersion?: (classifier: Classifier) => void;
}

/**
 * Where a worker's classifier model gets its classifier: a deployed name it watches in NATS KV
 * (new versions are picked up without a restart), a file, or both (the file serves until the
 * first version is deployed).
 */
export async function openClassifierSource(options: ClassifierSourceOptions): Promise<ClassifierSource & { stop(): void }> {
  const shipped = options.file ? readClassifierFile(options.file) : undefined;
  if (options.name) {
    if (!options.connection) throw new TroupeError(ErrorCode.CONFIG_INVALID, `classifier "${options.name}" is deployed in NATS KV, so a NATS connection is needed`);
    const store = await openClassifierStore(options.connection);
    const watched = await store.watch(options.name, options.onVersion);
    // The file serves until a version is deployed under the name; every deploy then wins.
    return { current: () => watched.current() ?? shipped, stop: () => watched.stop() };
  }
  if (shipped) return { current: () => shipped, stop: () => undefined };
  throw new TroupeError(ErrorCode.CONFIG_INVALID, 'a classifier model needs `classifier.name` (deployed in NATS KV) or `classifier.file`');
}

function readClassifierFile(file: string): Classifier {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new TroupeError(ErrorCode.CONFIG_INVALID, `cannot read classifier file "${file}": ${(error as Error).message}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new TroupeError(ErrorCode.CONFIG_INVALID, `classifier file "${file}" is not JSON`, { cause: error });
  }
  return createClassifier(parseClassifierArtifact(json));
}
