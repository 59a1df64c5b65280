import { describe, expect, it } from 'vitest';
import { findSecrets, looksLikeSecretValue, shannonEntropy } from './secret-detectors.js';

const labelsIn = (text: string): string[] => findSecrets(text).map((match) => match.label);

describe('secret detectors', () => {
  it.each([
    ['openai-key', 'key: sk-proj-4fQ9xT2mB7vL1nR8kW3zY6hJ0cD5gA'],
    ['openai-key', 'export OPENAI=sk-9aB3dE7fG1hJ5kL2mN8pQ4rS6tU0v'],
    ['anthropic-key', 'sk-ant-api03-Zq8Rt3Yw6Ue1Io4Pa7Sd0Fg2Hj5Kl9'],
    ['aws-access-key-id', 'id AKIAIOSFODNN7EXAMPLE in config'],
    ['github-token', 'ghp_1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R'],
    ['stripe-key', 'sk_live_51HqZ2eK8dLmN0pQrStUvWxYz'],
    ['private-key', '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\n-----END RSA PRIVATE KEY-----'],
    ['private-key', 'truncated: -----BEGIN OPENSSH PRIVATE KEY----- b3BlbnNzaC1rZXkt'],
    ['credential-assignment', 'OPENAI_API_KEY=9f8Xk2LmQ7pR4tZ1'],
    ['credential-assignment', '{"client_secret": "Qm9vYmxlZ3J1bXAxMjM0NTY3"}'],
    ['credential-assignment', 'password: Tr0ub4dor#3x'],
    ['credential-assignment', 'GET /v1/items?access_token=Zx81KqPw02Lm&page=2'],
  ])('finds %s', (label, text) => {
    expect(labelsIn(text)).toEqual([label]);
  });

  it.each([
    ['a hyphenated word after sk-', 'we used sk-learn-pipelines-for-everything here'],
    ['a placeholder', 'api_key=your_api_key_here and token=<YOUR_TOKEN>'],
    ['a code reference', 'apiKey = process.env.OPENAI_API_KEY; token: AUTH_TOKEN_NAME'],
    ['a low-entropy value', 'password=aaaaaaaaaaaa1'],
    ['a type annotation', 'password: string, token: number'],
    ['prose about secrets', 'the secret is to keep your token safe'],
  ])('finds nothing in %s', (_name, text) => {
    expect(findSecrets(text)).toEqual([]);
  });

  it('measures entropy and judges lone values', () => {
    expect(shannonEntropy('aaaa')).toBe(0);
    expect(shannonEntropy('abcd')).toBe(2);
    expect(looksLikeSecretValue('a8f5f167f44f4964e6c998dee827110c')).toBe(true);
    expect(looksLikeSecretValue('correct horse battery staple')).toBe(false);
    expect(looksLikeSecretValue('shortA1')).toBe(false);
  });
});
