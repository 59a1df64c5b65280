export { freePort } from './free-port.js';
export { startNatsServer, type NatsServer, type NatsServerOptions } from './nats-server.js';
export { startFakeOpenAI, openAIDialect } from './fake-frontier/openai-fake.js';
export { startFakeAnthropic, anthropicDialect } from './fake-frontier/anthropic-fake.js';
export { startFakeGemini, geminiDialect } from './fake-frontier/gemini-fake.js';
export {
  startFakeProviderServer,
  type FakeDialect,
  type FakeHttpAnswer,
  type FakeProviderOptions,
  type FakeProviderServer,
  type FakeRequest,
} from './fake-frontier/fake-provider-server.js';
export type { FakeBehaviour, FakeErrorKind, FakeUsage } from './fake-frontier/fake-behaviour.js';
export { startNatsCluster, type NatsCluster } from './nats-cluster.js';
