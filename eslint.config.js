// ESLint flat config: typescript-eslint's recommended rules plus the dependency boundaries of
// /work/shared/ARCHITECTURE.md written as `no-restricted-imports` per package glob. Each layer lists the
// @troupe packages it MAY import (an allowlist, so a new package is denied until a layer admits it);
// testing is allowed only in tests and benches. Not type-aware on purpose: it runs in `npm test` on 2 cores.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The layers, bottom up. A package may import the ones named in its `may` list, never anything else of Troupe. */
const contracts = ['protocol', 'models', 'store-contract'];
const bus = ['transport', 'kv'];
const tiers = ['llama', 'providers', 'resilience', 'budget', 'replay'];
const brains = ['router', 'checks', 'context', 'classify'];
const machines = ['planner', 'worker', 'judge', 'pipelines'];
const doors = ['gateway', 'dashboard'];

/** Model SDKs and NATS clients: machines must not see them (effects come in through `.provide()`). */
const providerSdks = ['openai', '@anthropic-ai/sdk', '@google/genai', 'node-llama-cpp'];
const natsClients = ['@nats-io/*'];

/** package name → the @troupe packages it may import (besides itself). */
const layers = {
  protocol: [],
  models: ['protocol'],
  'store-contract': ['protocol', 'models'],
  transport: ['protocol'],
  kv: ['protocol', 'transport'],
  planner: ['protocol', 'models'],
  worker: ['protocol', 'models'],
  judge: ['protocol', 'models'],
  pipelines: ['protocol', 'models'],
  skills: ['protocol', 'models'],
  tools: ['protocol', 'models'],
  // Tiers wrap models; they may stack on each other (resilience around providers, budget around both).
  llama: [...contracts, ...bus],
  providers: [...contracts, ...bus],
  resilience: [...contracts, ...bus, 'providers'],
  budget: [...contracts, ...bus, 'providers', 'resilience'],
  replay: [...contracts, ...bus],
  // Brains: decisions over models' outputs; they know nothing of hosts, actors or concrete tiers.
  router: [...contracts, ...bus],
  checks: [...contracts, ...bus],
  context: [...contracts, ...bus],
  classify: [...contracts, ...bus],
  // Storage adapters implement the contracts; they never import the runtime.
  durability: [...contracts, ...bus],
  client: ['protocol', 'transport'],
  // Doors reach the runtime only over NATS.
  gateway: ['client', 'protocol', 'transport', 'models', 'dashboard'],
  dashboard: ['client', 'protocol', 'transport', 'models'],
  runtime: [...contracts, ...bus, ...tiers, ...brains, ...machines, 'skills', 'tools', 'client'],
  // Faces wire everything; only `testing` stays out of their run time.
  cli: [...contracts, ...bus, ...tiers, ...brains, ...machines, 'skills', 'tools', 'client', 'runtime', 'durability', ...doors],
};

const testFiles = ['**/*.test.ts', '**/__fixtures__/**', 'test/**', 'packages/testing/**', 'packages/*/bench/**', 'packages/*/scripts/**'];

/** `no-restricted-imports` patterns that allow only `may` among @troupe packages, plus extra bans. */
function allowOnly(name, may, extra = []) {
  const allowed = [...may, name].map((pkg) => `!@troupe/${pkg}`);
  return {
    patterns: [
      {
        group: ['@troupe/*', ...allowed],
        message: `${name} may import only ${may.length ? may.join(', ') : 'no other @troupe package'} (see ARCHITECTURE.md).`,
      },
      { group: ['@troupe/*/*'], message: 'Import a package by its name; its src/index.ts is its public API.' },
      ...extra,
    ],
  };
}

const machineBans = [
  { group: [...providerSdks, ...natsClients], message: 'Machines import no NATS and no model provider; inject effects with .provide().' },
];
const tierAndBrainBans = [{ group: ['xstate'], message: 'Tiers and brains know nothing of actors or hosts.' }];

const boundaryConfigs = Object.entries(layers).map(([name, may]) => {
  const extra = machines.includes(name) ? machineBans : [...tiers, ...brains].includes(name) ? tierAndBrainBans : [];
  return {
    files: [`packages/${name}/src/**/*.ts`],
    ignores: testFiles,
    rules: { 'no-restricted-imports': ['error', allowOnly(name, may, extra)] },
  };
});

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', '**/*.d.ts', 'coverage/**', '.turbo/**', '.troupe/**', 'models/**', 'packages/protocol/schema/**', '**/static/**', '**/assets/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: {
        process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly',
        clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly',
        AbortController: 'readonly', AbortSignal: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly',
        fetch: 'readonly', performance: 'readonly', structuredClone: 'readonly', queueMicrotask: 'readonly',
      },
    },
    rules: {
      // Pragmatic: unused names prefixed with _ are deliberate (ignored callback arguments).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Wire parsing narrows `unknown` with zod; the few `any` left are at SDK seams, reviewed by hand.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
      // Header and log sanitisers strip control characters on purpose.
      'no-control-regex': 'off',
    },
  },
  {
    // Benches and fuzz inputs: out-of-range literals are the point (1e400), and exit codes are set in try/finally.
    files: ['test/**'],
    rules: { 'no-loss-of-precision': 'off', 'no-useless-assignment': 'off' },
  },
  ...boundaryConfigs,
  {
    // Services are faces: they wire any package, but `testing` is a devDependency everywhere.
    files: ['services/*/src/**/*.ts'],
    ignores: testFiles,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@troupe/testing'], message: 'testing is for tests and benches only.' },
            { group: ['@troupe/*/*'], message: 'Import a package by its name; its src/index.ts is its public API.' },
          ],
        },
      ],
    },
  },
  {
    // The gateway service is a door too: it serves planners on other machines, so it never embeds a runtime.
    files: ['services/gateway/src/**/*.ts'],
    ignores: testFiles,
    rules: {
      'no-restricted-imports': [
        'error',
        allowOnly('gateway', ['dashboard', 'client', 'protocol', 'transport', 'models', 'kv', 'service-common']),
      ],
    },
  },
  {
    // Libraries take a pino logger; only faces (cli, services, benches, scripts) write to the console.
    files: ['packages/*/src/**/*.ts'],
    ignores: [...testFiles, 'packages/cli/**'],
    rules: { 'no-console': 'error' },
  },
);
