import { describe, expect, it } from 'vitest';
import { TroupeError } from '@troupe/protocol';
import { parsePermissionRoles, permissionUsers, printPermissions, renderPermissions } from './permissions-command.js';

describe('troupe permissions', () => {
  it('prints one user per tenant and role, with passwords as variables only', () => {
    let printed = '';
    printPermissions({ tenants: ['acme'], services: ['planner'] }, (text) => (printed = text));
    expect(printed).toMatch(/^authorization \{$/m);
    expect(printed).toContain('user: "troupe-planner"');
    expect(printed).toContain('password: $TROUPE_PLANNER_PASSWORD');
    expect(printed).toContain('password: $TROUPE_TENANT_ACME_PASSWORD');
    expect(printed).toContain('"troupe.v1.acme.tasks.run"');
    expect(printed).toContain('"$SRV.*.troupe-planner"'); // quoted: a bare $ would be a config variable
  });

  it('defaults to the three services, and narrows the worker to --skills', () => {
    expect(permissionUsers({ tenants: [], services: [] }).map((user) => user.user)).toEqual(['troupe-planner', 'troupe-worker', 'troupe-judge']);
    const [worker] = permissionUsers({ tenants: [], services: ['worker'], skills: ['extract'], durable: false, budgets: false, kvBreakers: false });
    expect(worker?.permissions.subscribe).toContain('troupe.v1.internal.skills.extract');
    expect(worker?.permissions.subscribe).not.toContain('troupe.v1.internal.skills.*');
    expect(worker?.permissions.publish.some((subject) => subject.startsWith('$JS.'))).toBe(false);
    const [full] = permissionUsers({ tenants: [], services: ['worker'] });
    expect(full?.permissions.publish).toEqual(expect.arrayContaining(['$KV.troupe_node_results.>', '$KV.troupe_budgets.>', '$KV.troupe_breakers.>']));
  });

  it('renders an empty allow list as deny-all, never as no restriction', () => {
    const lines = renderPermissions({ publish: [], subscribe: ['a.b'], allowResponses: true });
    expect(lines).toContain('  publish: { deny: [">"] }');
    expect(lines).toContain('  allow_responses: true');
  });

  it('rejects tenant ids that are not subject tokens and unknown roles with BAD_REQUEST', () => {
    expect(() => permissionUsers({ tenants: ['acme.*'], services: [] })).toThrow(TroupeError);
    expect(() => permissionUsers({ tenants: ['internal'], services: [] })).toThrow(/internal/);
    expect(() => parsePermissionRoles(['planner', 'root'])).toThrow(/root/);
  });
});
