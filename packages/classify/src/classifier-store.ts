import type { NatsConnection } from '@nats-io/nats-core';
import { openKvBucket, type KvBucket, type KvWatch } from '@troupe/kv';
import { ErrorCode, TroupeError } from '@troupe/protocol';
import { ClassifierArtifact, parseClassifierArtifact } from './classifier-artifact.js';
import { createClassifier, type Classifier } from './classifier.js';
import type { ClassifierSource } from './classifier-model.js';

/** The NATS KV bucket deployed classifiers live in, one key per classifier name. */
export const CLASSIFIER_BUCKET = 'troupe_classifiers';

/** Deployed classifiers: deploy a version, read the current one, watch for new ones. */
export interface ClassifierStore {
  /**
   * Validates the artifact completely (schema, weight sizes, that it builds a classifier) before
   * the single KV put, so a bad artifact never reaches the bucket and workers never see half of one.
   */
  deploy(artifact: unknown): Promise<{ name: string; version: string; revision: number }>;
  get(name: string): Promise<ClassifierArtifact | undefined>;
  /** A live source for one classifier: the current version now, then each new version as it is deployed. */
  watch(name: string, onVersion?: (classifier: Classifier) => void): Promise<ClassifierSource & { ready: Promise<void>; stop(): void }>;
}

export async function openClassifierStore(connection: NatsConnection, options: { replicas?: number } = {}): Promise<ClassifierStore> {
  const bucket: KvBucket<ClassifierArtifact> = await openKvBucket({
    connection,
    bucket: CLASSIFIER_BUCKET,
    schema: ClassifierArtifact,
    ...(options.replicas ? { replicas: options.replicas } : {}),
  });
  const maxPayload = connection.info?.max_payload ?? 1_048_576;
  return {
    async deploy(candidate) {
      const artifact = parseClassifierArtifact(candidate);
      createClassifier(artifact);
      const size = Buffer.byteLength(JSON.stringify(artifact));
      if (size > maxPayload) {
        throw new TroupeError(
          ErrorCode.PAYLOAD_TOO_LARGE,
          `classifier "${artifact.name}" is ${size} bytes, over the server's ${maxPayload}-byte message limit; train a softmax head instead of nearest neighbours`,
        );
      }
      const revision = await bucket.put(artifact.name, artifact);
      return { name: artifact.name, version: artifact.version, revision };
    },
    async get(name) {
      return (await bucket.get(name))?.value;
    },
    async watch(name, onVersion) {
      let current: Classifier | undefined;
      let markReady: () => void = () => undefined;
      const ready = new Promise<void>((resolve) => (markReady = resolve));
      const existing = await bucket.get(name);
      if (existing) {
        current = createClassifier(existing.value);
        markReady();
      }
      const watch: KvWatch = await bucket.watch(
        (_key, entry) => {
          if (!entry) return;
          if (current?.version === entry.value.version) return;
          current = createClassifier(entry.value);
          onVersion?.(current);
          markReady();
        },
        { key: name, updatesOnly: true },
      );
      return { current: () => current, ready, stop: () => watch.stop() };
    },
  };
}
