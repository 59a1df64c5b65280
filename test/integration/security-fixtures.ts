// Credentials for the security tests, made fresh per run: the nats-server authorization block
// printed by the real `troupe permissions` command, planted passwords, an nkey pair and a
// self-signed CA with server and client certificates (openssl CLI).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nkeys } from '@nats-io/nats-core';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** A password nobody could mistake for anything else, so finding it in a log proves a leak. */
export function plantedSecret(label: string): string {
  return `PLANTED-${label}-${randomBytes(12).toString('hex')}`;
}

/** Runs `troupe permissions` as a user would, and returns what it printed. */
export function troupePermissions(args: string[]): string {
  return execFileSync(process.execPath, [join(repoRoot, 'packages/cli/bin/troupe.mjs'), 'permissions', ...args], { encoding: 'utf8' });
}

/** A fresh nkey user: its public key (for the server) and a seed file (for the client). */
export function nkeyUser(directory: string, name: string): { publicKey: string; seedFile: string; seed: string } {
  const pair = nkeys.createUser();
  const seed = new TextDecoder().decode(pair.getSeed());
  const seedFile = join(directory, `${name}.nk`);
  writeFileSync(seedFile, `${seed}\n`, { mode: 0o600 });
  return { publicKey: pair.getPublicKey(), seedFile, seed };
}

export interface TlsFiles {
  caFile: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

/** A CA and a server certificate for 127.0.0.1/localhost, plus a client certificate, all signed by that CA. */
export function tlsFiles(directory: string): TlsFiles {
  const path = (name: string) => join(directory, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=Troupe Test CA', '-keyout', path('ca.key'), '-out', path('ca.pem'));
  const sign = (name: string, subject: string, extensions: string) => {
    writeFileSync(path(`${name}.ext`), extensions);
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', subject, '-keyout', path(`${name}.key`), '-out', path(`${name}.csr`));
    openssl('x509', '-req', '-in', path(`${name}.csr`), '-CA', path('ca.pem'), '-CAkey', path('ca.key'), '-CAcreateserial', '-days', '1', '-out', path(`${name}.pem`), '-extfile', path(`${name}.ext`));
  };
  sign('server', '/CN=localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  sign('client', '/CN=troupe-client', 'extendedKeyUsage=clientAuth\n');
  return { caFile: path('ca.pem'), serverCert: path('server.pem'), serverKey: path('server.key'), clientCert: path('client.pem'), clientKey: path('client.key') };
}

/** nats-server's permission violations from its log file: who tried what, on which subject. */
export function permissionViolations(logFile: string): { kind: 'Publish' | 'Subscription'; user: string; subject: string }[] {
  const text = readFileSync(logFile, 'utf8');
  const violations = [];
  for (const match of text.matchAll(/(Publish|Subscription) Violation - User "([^"]*)", Subject "([^"]*)"/g)) {
    violations.push({ kind: match[1] as 'Publish' | 'Subscription', user: match[2]!, subject: match[3]! });
  }
  return violations;
}
