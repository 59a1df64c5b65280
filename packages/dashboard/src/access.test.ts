import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { credentialOf, isLoopback, viewerOf } from './access.js';

const request = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe('dashboard access', () => {
  it('is open only when no credential is configured', () => {
    expect(viewerOf(undefined, {})).toEqual({ kind: 'admin' });
    expect(viewerOf(undefined, { token: 's3cret' })).toBeUndefined();
    expect(viewerOf('wrong', { token: 's3cret' })).toBeUndefined();
    expect(viewerOf('s3cret', { token: 's3cret' })).toEqual({ kind: 'admin' });
  });

  it('scopes a tenant key to its tenant; on an open loopback listener no credential means the operator', () => {
    const access = { tenantKeys: { 'acme-key': 'acme' } };
    expect(viewerOf('acme-key', { token: 't', ...access })).toEqual({ kind: 'tenant', tenant: 'acme' });
    expect(viewerOf(undefined, access, false)).toEqual({ kind: 'admin' });
    expect(viewerOf('acme-key', access, false)).toEqual({ kind: 'tenant', tenant: 'acme' });
    expect(viewerOf('guess', access, false)).toBeUndefined();
    expect(viewerOf(undefined, access, true)).toBeUndefined();
  });

  it('reads the credential from the header, the query, then the cookie', () => {
    const url = new URL('http://x/dashboard?token=q');
    expect(credentialOf(request({ authorization: 'Bearer h' }), url)).toBe('h');
    expect(credentialOf(request({}), url)).toBe('q');
    expect(credentialOf(request({ cookie: 'a=b; troupe_dashboard=c%3Dd' }), new URL('http://x/dashboard'))).toBe('c=d');
  });

  it('knows loopback addresses', () => {
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('0.0.0.0')).toBe(false);
  });
});
