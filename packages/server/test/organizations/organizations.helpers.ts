// Helpers shared by the organization and membership tests: users, organizations and memberships
// made through the Backend API itself (never inserted behind its back).
import type { TestApp } from '../helpers/app.ts';
import type { UserJson } from '../../src/features/users/user.schemas.ts';
import type { OrganizationJson } from '../../src/features/organizations/organization.schemas.ts';
import type { OrganizationMembershipJson } from '../../src/features/memberships/membership.schemas.ts';
import { newId } from '../../src/lib/ids.ts';
import { mintTicket } from '../../src/lib/tickets.ts';
import { ok, uniqueEmail } from '../users/users.helpers.ts';

export { call, fails, ok, uniqueEmail, type ErrorBody } from '../users/users.helpers.ts';
export type { OrganizationJson, OrganizationMembershipJson, UserJson };

export const MISSING_ORG = 'org_000000000000000000000missing';
export const MISSING_USER = 'user_0000000000000000000000missing';

export const MANAGE = 'org:sys_memberships:manage';
export const ADMIN_PERMISSIONS = [
  'org:sys_billing:manage', 'org:sys_billing:read', 'org:sys_domains:manage', 'org:sys_domains:read', 'org:sys_entconns:manage',
  'org:sys_memberships:manage', 'org:sys_memberships:read', 'org:sys_profile:delete', 'org:sys_profile:manage',
];
export const MEMBER_PERMISSIONS = ['org:sys_billing:read', 'org:sys_memberships:read'];

export const newUser = (t: TestApp, extra: Record<string, unknown> = {}) =>
  ok<UserJson>(t, 'POST', '/v1/users', { email_address: [uniqueEmail('org')], skip_password_requirement: true, ...extra });

export const newOrg = (t: TestApp, body: Record<string, unknown> = {}) =>
  ok<OrganizationJson>(t, 'POST', '/v1/organizations', { name: `Org ${Math.random().toString(36).slice(2, 8)}`, ...body });

export const addMember = (t: TestApp, orgId: string, userId: string, role = 'org:member', extra: Record<string, unknown> = {}) =>
  ok<OrganizationMembershipJson>(t, 'POST', `/v1/organizations/${orgId}/memberships`, { user_id: userId, role, ...extra });

export interface Page<T> {
  data: T[];
  total_count: number;
}

/**
 * Raw HTTP to the listening server (real sockets, real concurrency), authenticated. The body is
 * `any` on purpose, as in test/helpers/http.ts: the contract under test is the wire JSON.
 */
export async function http(t: TestApp, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${t.url}${path}`, { method, headers: t.auth, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, body: await res.json() };
}

/** The actions recorded in audit_log for this target, oldest first. */
export async function auditActions(t: TestApp, target: string): Promise<string[]> {
  const rows = await t.deps.db.selectFrom('audit_log').select('action').where('target', '=', target).orderBy('id').execute();
  return rows.map((r) => r.action);
}

/**
 * A pending organization invitation row, written straight to the table: the seat limit and the
 * counts must see invitations, and the invitation API is another feature's. `expired` makes one
 * whose expires_at has passed (still status 'pending').
 */
export async function insertPendingInvitation(t: TestApp, organizationId: string, opts: { expired?: boolean; status?: 'pending' | 'revoked' } = {}): Promise<string> {
  const role = await t.deps.db.selectFrom('roles').select('id').where('key', '=', 'org:member').executeTakeFirstOrThrow();
  const id = newId('orginv');
  await t.deps.db
    .insertInto('organization_invitations')
    .values({
      id,
      organization_id: organizationId,
      email: uniqueEmail('invitee').toLowerCase(),
      role_id: role.id,
      public_metadata: '{}',
      private_metadata: '{}',
      redirect_url: null,
      notify: false,
      status: opts.status ?? 'pending',
      ticket_hash: mintTicket('organization_invitation').hash,
      expires_at: opts.expired ? new Date(Date.now() - 60_000) : new Date(Date.now() + 86_400_000),
    })
    .execute();
  return id;
}
