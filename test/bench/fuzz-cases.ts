// Deterministic hostile inputs for every subject a Troupe service listens on. Every case is
// invalid by construction (bad bytes, bad JSON, bad schema, or a request that must be refused),
// so every case that carries a reply subject must get a typed error reply — never a success,
// never silence, never a crash.
import { subjects } from '@troupe/protocol';

export const FUZZ_TENANT = 'fuzz';

/** Largest payload generated: over the services' 512 KiB limit, under nats-server's 1 MiB. */
export const MAX_FUZZ_PAYLOAD_BYTES = 1_000_000;

/** Skills the worker serves by default (services/worker TROUPE_SKILLS). */
export const FUZZ_SKILLS = ['extract', 'classify', 'summarize', 'generate', 'plan', 'verify', 'faq', 'expert'] as const;

export interface FuzzCase {
  index: number;
  kind: string;
  subject: string;
  payload: Uint8Array;
  /** Headers a well-behaved client could send (values without CR/LF). */
  headers?: Record<string, string>;
  /** A raw header block sent over a hand-written connection: bytes no nats.js client would send. */
  rawHeader?: Uint8Array;
  /** Published without a reply subject: the service must drop it quietly. */
  noReply: boolean;
}

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const encoder = new TextEncoder();
const json = (value: unknown) => encoder.encode(JSON.stringify(value));

type Target = 'run' | 'submit' | 'result' | 'worker' | 'judge';

/** A valid message per target, and the fields whose validation can be broken. */
interface Template {
  value: Record<string, unknown>;
  /** Fields the schema validates, by kind; `input` and `output` accept anything, so they are absent. */
  checked: Record<string, 'id' | 'string' | 'number' | 'enum' | 'array' | 'record'>;
  /** Fields without which the message is invalid. */
  required: string[];
}

function template(target: Target, skill: string): Template {
  switch (target) {
    case 'run':
    case 'submit':
      return {
        value: { pipeline: 'noop', input: 'hello', quality: 'fast', budgetUsd: 1, deadlineMs: 10_000, metadata: { source: 'fuzz' } },
        checked: { pipeline: 'id', id: 'id', tenant: 'id', quality: 'enum', budgetUsd: 'number', deadlineMs: 'number', metadata: 'record' },
        required: ['pipeline'],
      };
    case 'result':
      return { value: { taskId: 'task-1', waitMs: 0 }, checked: { taskId: 'id', tenant: 'id', waitMs: 'number' }, required: ['taskId'] };
    case 'worker':
      return {
        value: { taskId: 't1', tenant: FUZZ_TENANT, nodeId: 'n1', attempt: 1, skill, instructions: 'do it', input: 'x', timeoutMs: 1_000 },
        checked: { taskId: 'id', tenant: 'id', nodeId: 'id', attempt: 'number', skill: 'id', instructions: 'string', timeoutMs: 'number', quality: 'enum', feedback: 'array', outputSchema: 'record' },
        required: ['taskId', 'tenant', 'nodeId', 'attempt', 'skill', 'instructions', 'timeoutMs'],
      };
    case 'judge':
      return {
        value: { taskId: 't1', tenant: FUZZ_TENANT, nodeId: 'n1', attempt: 1, skill: 'extract', output: { a: 1 } },
        checked: { taskId: 'id', tenant: 'id', nodeId: 'id', attempt: 'number', skill: 'string', checks: 'array', maxAttempts: 'number', outputSchema: 'record' },
        required: ['taskId', 'tenant', 'nodeId', 'attempt', 'skill'],
      };
  }
}

/** Values of the wrong type (or out of range) for each kind of checked field. */
const wrongValues: Record<string, unknown[]> = {
  id: [42, -1, 3.5, true, null, [], ['a'], {}, { $ne: 1 }, '', 'a.b', 'a b', 'a>', '*', 'x'.repeat(129), 'internal\r\nX-Evil: 1', '😀'],
  string: [42, true, null, [], {}, ['a', 'b']],
  number: ['5', '', true, null, [], {}, -1, -0.5, 1e400],
  enum: ['turbo', '', 1, null, ['fast'], 'FAST'],
  array: ['a', 1, { 0: 'a' }, [1, 2], [null], [{}]],
  record: ['s', 1, [], null, true],
};

/** Strings that have broken parsers, logs and headers elsewhere. */
const nastyStrings = [
  'a\r\nNats-Service-Error-Code: 200',
  'line\nbreak',
  '\u0000nul',
  '\u2028\u2029',
  '%s%n%x',
  '${process.exit()}',
  '<script>alert(1)</script>',
  '\u202Eevil',
  '😀'.repeat(50),
  '\uD800',
];

const pick = <T>(random: () => number, values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
const between = (random: () => number, low: number, high: number) => low + Math.floor(random() * (high - low + 1));

function deepArrays(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

function deepObjects(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** One invalid payload (and sometimes headers) for a target, chosen among the hostile families. */
function payloadFor(random: () => number, target: Target, skill: string): { kind: string; payload: Uint8Array; raw?: Uint8Array } {
  const { value, checked, required } = template(target, skill);
  const fields = Object.keys(checked);
  // A record field accepts any object, so nesting or odd keys there could still validate.
  const strict = fields.filter((name) => checked[name] !== 'record');
  const family = random();
  if (family < 0.08) {
    const bytes = new Uint8Array(between(random, 1, 4_096));
    for (let index = 0; index < bytes.length; index += 1) bytes[index] = Math.floor(random() * 256);
    return { kind: 'random-bytes', payload: bytes };
  }
  if (family < 0.15) {
    const text = JSON.stringify({ ...value, [pick(random, fields)]: 'xx' });
    const at = between(random, 1, text.length - 1);
    const bad = pick(random, [[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xc0, 0xaf], [0xe2, 0x82]]);
    const bytes = encoder.encode(text);
    return { kind: 'invalid-utf8', payload: new Uint8Array([...bytes.subarray(0, at), ...bad, ...bytes.subarray(at)]) };
  }
  if (family < 0.25) {
    const text = JSON.stringify(value);
    return { kind: 'truncated-json', payload: encoder.encode(text.slice(0, between(random, 1, text.length - 1))) };
  }
  if (family < 0.31) {
    const depth = pick(random, [1_000, 10_000, 100_000]);
    const shape = random();
    if (shape < 0.3) return { kind: `deep-arrays-${depth}`, payload: encoder.encode(deepArrays(depth)) };
    if (shape < 0.5) return { kind: `deep-unclosed-${depth}`, payload: encoder.encode('['.repeat(depth)) };
    const field = pick(random, strict);
    const nested = shape < 0.75 ? deepArrays(depth) : deepObjects(depth);
    const text = JSON.stringify({ ...value, [field]: '__NESTED__' }).replace('"__NESTED__"', nested);
    return { kind: `deep-field-${depth}`, payload: encoder.encode(text) };
  }
  if (family < 0.35) {
    // Strings that break a bounded field (ids, skills, tenants), up to ~450 KB.
    const field = pick(random, fields.filter((name) => checked[name] === 'id' || checked[name] === 'enum'));
    const size = pick(random, [10_000, 100_000, 450_000]);
    const filler = pick(random, ['x', 'é', '\n', '😀', '"']);
    return { kind: `huge-string-${size}`, payload: json({ ...value, [field]: filler.repeat(Math.floor(size / filler.length)) }) };
  }
  if (family < 0.38) {
    // Bigger than the service's limit but under nats-server's max_payload.
    const size = between(random, 530_000, 1_000_000);
    return { kind: 'oversized', payload: json({ ...value, input: 'x'.repeat(size) }) };
  }
  if (family < 0.55) {
    const field = pick(random, fields);
    return { kind: `wrong-type-${checked[field]}`, payload: json({ ...value, [field]: pick(random, wrongValues[checked[field]!]!) }) };
  }
  if (family < 0.63) {
    const field = pick(random, required);
    const { [field]: moved, ...rest } = value;
    const variant = random();
    if (variant < 0.4) return { kind: 'proto-pollution-proto', payload: encoder.encode(JSON.stringify(rest).replace(/^\{/, `{"__proto__":${JSON.stringify({ [field]: moved, polluted: true })},`)) };
    if (variant < 0.7) return { kind: 'proto-pollution-constructor', payload: json({ ...rest, constructor: { prototype: { [field]: moved, polluted: true } } }) };
    return { kind: 'proto-pollution-nested', payload: encoder.encode(JSON.stringify({ ...rest, metadata: { x: 1 } }).replace('{"x":1}', '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"x":1}')) };
  }
  if (family < 0.72) return { kind: 'wrong-schema', payload: json(otherMessage(random, target, skill)) };
  if (family < 0.82) return refused(random, target, value, required);
  if (family < 0.86) return { kind: 'empty', payload: new Uint8Array(0) };
  if (family < 0.92) return { kind: 'json-scalar', payload: encoder.encode(pick(random, ['null', '0', '-1e999', '"text"', 'true', '[]', '[{}]', '{}', ' ', '\ufeff{}', 'NaN', '{"a":1,}'])) };
  const key = pick(random, nastyStrings);
  return { kind: 'nasty-key', payload: json({ ...value, metadata: { [key]: 1 }, [pick(random, strict)]: { [key]: [key] } }) };
}

/** A well-formed message that belongs on a different subject. */
function otherMessage(random: () => number, target: Target, skill: string): unknown {
  const others = (['run', 'result', 'worker', 'judge'] as const).filter((other) => (target === 'submit' ? other !== 'run' : other !== target));
  const other = pick(random, others);
  const message = template(other, skill).value;
  // A worker request and a judge request differ in one required field; drop it so neither validates.
  if ((target === 'worker' && other === 'judge') || (target === 'judge' && other === 'worker')) delete message.attempt;
  return message;
}

/** Valid JSON the schema accepts, that the service must still refuse with a typed error. */
function refused(random: () => number, target: Target, value: Record<string, unknown>, required: string[]): { kind: string; payload: Uint8Array } {
  const nasty = pick(random, nastyStrings);
  switch (target) {
    case 'run':
    case 'submit': {
      const choice = random();
      if (choice < 0.25) return { kind: 'unknown-pipeline', payload: json({ ...value, pipeline: `nope-${between(random, 0, 9_999)}` }) };
      if (choice < 0.5) return { kind: 'other-tenant', payload: json({ ...value, tenant: 'someone-else' }) };
      if (choice < 0.75) return { kind: 'unknown-skill', payload: json({ ...value, pipeline: undefined, plan: { name: 'p', nodes: [{ id: 'a', skill: 'teleport' }] } }) };
      return { kind: 'cyclic-plan', payload: json({ ...value, pipeline: undefined, plan: { name: 'p', nodes: [{ id: 'a', skill: 'generate', dependsOn: ['b'] }, { id: 'b', skill: 'generate', dependsOn: ['a'] }] } }) };
    }
    case 'result':
      return { kind: 'unknown-task', payload: json({ ...value, taskId: `missing-${between(random, 0, 9_999)}` }) };
    case 'worker':
      return { kind: 'unknown-model', payload: json({ ...value, model: random() < 0.2 ? nasty.repeat(Math.floor(200_000 / nasty.length)) : nasty }) };
    case 'judge':
      return { kind: 'judge-missing-field', payload: json({ ...value, [pick(random, required)]: undefined }) };
  }
}

/** Header blocks that nats-server forwards but no client library would produce. */
function rawHeaderBlock(random: () => number): Uint8Array {
  return encoder.encode(
    pick(random, [
      'NATS/1.0\r\nBad Key: value\r\n\r\n',
      'NATS/1.0\r\nключ: значение\r\n\r\n',
      'NATS/1.0\r\n\u0001: x\r\n\r\n',
      'garbage\r\n\r\n',
      'NATS/1.0 503\r\n\r\n',
      'NATS/1.0\r\nTroupe-Deadline: 1\r\nno colon here\r\n\r\n',
      'NATS/1.0\r\nTraceparent: 00-zz-zz-zz\r\n\r\n',
    ]),
  );
}

/** Header values a client may legally send, chosen to stress deadline, idempotency and tracing. */
function hostileHeaders(random: () => number): Record<string, string> {
  return pick(random, [
    { 'Troupe-Deadline': 'NaN' },
    { 'Troupe-Deadline': '-5' },
    { 'Troupe-Deadline': '1e400' },
    { 'Troupe-Deadline': '99999999999999999999' },
    { 'Troupe-Deadline': String(Date.now() - 60_000) },
    { 'Troupe-Idempotency-Key': 'k'.repeat(8_000) },
    { 'Troupe-Idempotency-Key': '😀 same key' },
    { traceparent: '00-ffffffffffffffffffffffffffffffff-ffffffffffffffff-ff' },
    { traceparent: 'not a traceparent', tracestate: '=,=,=' },
  ]);
}

/** `count` hostile messages spread over every public and internal subject, the same for the same seed. */
export function generateFuzzCases(count: number, seed: number): FuzzCase[] {
  const random = seededRandom(seed);
  const targets: { target: Target; subject: string; skill: string }[] = [
    { target: 'run', subject: subjects.taskRun(FUZZ_TENANT), skill: 'generate' },
    { target: 'submit', subject: subjects.taskSubmit(FUZZ_TENANT), skill: 'generate' },
    { target: 'result', subject: subjects.taskResult(FUZZ_TENANT), skill: 'generate' },
    ...FUZZ_SKILLS.map((skill) => ({ target: 'worker' as const, subject: subjects.workerRun(skill), skill })),
    { target: 'judge', subject: subjects.judgeVerify, skill: 'extract' },
  ];
  const cases: FuzzCase[] = [];
  for (let index = 0; index < count; index += 1) {
    const { target, subject, skill } = pick(random, targets);
    let generated = payloadFor(random, target, skill);
    // Stay under nats-server's max_payload (1 MiB with headers): bigger never reaches a service.
    while (generated.payload.length > MAX_FUZZ_PAYLOAD_BYTES) generated = payloadFor(random, target, skill);
    const { kind, payload } = generated;
    const extra = random();
    const fuzzCase: FuzzCase = { index, kind, subject, payload, noReply: extra < 0.05 };
    if (extra >= 0.05 && extra < 0.08) {
      fuzzCase.rawHeader = rawHeaderBlock(random);
      fuzzCase.kind = `${kind}+raw-header`;
    } else if (extra >= 0.08 && extra < 0.18) {
      fuzzCase.headers = hostileHeaders(random);
      fuzzCase.kind = `${kind}+headers`;
    }
    cases.push(fuzzCase);
  }
  return cases;
}
