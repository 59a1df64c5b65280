import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Who is looking: the operator (everything) or one tenant (its own tasks, economics and dead letters). */
export type Viewer = { kind: 'admin' } | { kind: 'tenant'; tenant: string };

export interface DashboardAccess {
  /** The operator's token: sees every tenant and the services. */
  token?: string;
  /** Tenant keys: key → tenant. A tenant key shows only that tenant's tasks. */
  tenantKeys?: Readonly<Record<string, string>>;
}

/** Name of the cookie that carries the credential, so `EventSource` (which sends no headers) can use it. */
export const ACCESS_COOKIE = 'troupe_dashboard';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Constant-time comparison (of digests, so lengths leak nothing either). */
function same(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** Whether any credential is configured; without one, only a loopback listener may serve. */
export function accessConfigured(access: DashboardAccess): boolean {
  return Boolean(access.token) || Object.keys(access.tenantKeys ?? {}).length > 0;
}

/** The credential a request carries: `Authorization: Bearer`, then `?token=`, then the cookie. */
export function credentialOf(request: IncomingMessage, url: URL): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  const query = url.searchParams.get('token');
  if (query) return query;
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === ACCESS_COOKIE) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

/**
 * The viewer a credential stands for, or undefined when the request may see nothing. A request
 * with no credential is the operator only where none is required (a loopback listener without an
 * operator token); a credential that matches nothing is always refused.
 */
export function viewerOf(credential: string | undefined, access: DashboardAccess, requireCredential = accessConfigured(access)): Viewer | undefined {
  if (!credential) return requireCredential ? undefined : { kind: 'admin' };
  if (access.token && same(credential, access.token)) return { kind: 'admin' };
  for (const [key, tenant] of Object.entries(access.tenantKeys ?? {})) {
    if (same(credential, key)) return { kind: 'tenant', tenant };
  }
  return undefined;
}

/** Whether a listen address only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
