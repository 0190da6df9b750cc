// Fixtures for the roles tests: typed Backend API calls, and rows that put a role "in use"
// (an organization, a membership, an organization invitation) written with plain SQL, so these
// tests do not depend on the organizations features being built alongside.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../../src/db/database.ts';
import { newId } from '../../src/lib/ids.ts';
import type { TestApp } from '../helpers/app.ts';
import { bapi } from '../helpers/http.ts';
import type { PermissionJson, RoleJson } from '../../src/features/roles/role.schemas.ts';

type Db = Kysely<Database> | Transaction<Database>;
export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** The call must succeed with exactly `application/json`; returns the body. */
export async function ok<T>(t: TestApp, method: Method, url: string, payload?: unknown): Promise<T> {
  const r = await bapi<T>(t, method, url, payload);
  assert.equal(r.status, 200, `${method} ${url} → ${r.status} ${JSON.stringify(r.body)}`);
  assert.equal(r.headers['content-type'], 'application/json');
  return r.body;
}

/** The call must fail with this status and first error code; returns that error's meta. */
export async function fails(t: TestApp, method: Method, url: string, payload: unknown, status: number, code: string): Promise<Record<string, unknown>> {
  const r = await bapi(t, method, url, payload);
  assert.equal(r.status, status, `${method} ${url} ${JSON.stringify(payload)} → ${r.status} ${JSON.stringify(r.body)}`);
  assert.equal(r.body.errors?.[0]?.code, code, JSON.stringify(r.body));
  assert.equal(typeof r.body.clerk_trace_id, 'string');
  return r.body.errors[0].meta ?? {};
}

let seq = 0;
/** A fresh suffix per call (a-z0-9_), so keys never collide within one app. */
export const unique = (prefix: string) => `${prefix}_${process.pid}_${++seq}`;

export const createRole = (t: TestApp, body: Record<string, unknown>) => ok<RoleJson>(t, 'POST', '/v1/organization_roles', body);
export const createPermission = (t: TestApp, body: Record<string, unknown>) => ok<PermissionJson>(t, 'POST', '/v1/organization_permissions', body);

/** The seeded roles and permissions, by key. */
export async function seeded(t: TestApp): Promise<{ roles: Map<string, RoleJson>; permissions: Map<string, PermissionJson> }> {
  const roles = await ok<{ data: RoleJson[] }>(t, 'GET', '/v1/organization_roles?limit=500');
  const permissions = await ok<{ data: PermissionJson[] }>(t, 'GET', '/v1/organization_permissions?limit=500');
  return { roles: new Map(roles.data.map((r) => [r.key, r])), permissions: new Map(permissions.data.map((p) => [p.key, p])) };
}

/** A user through the API (no password). */
export async function createUser(t: TestApp): Promise<string> {
  const user = await ok<{ id: string }>(t, 'POST', '/v1/users', { email_address: [`${unique('roles')}@example.com`], skip_password_requirement: true });
  return user.id;
}

export async function insertOrganization(db: Db): Promise<string> {
  const id = newId('org');
  const slug = unique('org').replace(/_/g, '-');
  await sql`INSERT INTO organizations (id, name, slug) VALUES (${id}, ${'Org ' + slug}, ${slug})`.execute(db);
  return id;
}

export async function insertMembership(db: Db, organizationId: string, userId: string, roleId: string): Promise<string> {
  const id = newId('orgmem');
  await sql`INSERT INTO organization_memberships (id, organization_id, user_id, role_id) VALUES (${id}, ${organizationId}, ${userId}, ${roleId})`.execute(db);
  return id;
}

export async function insertOrganizationInvitation(db: Db, organizationId: string, roleId: string, status = 'pending'): Promise<string> {
  const id = newId('orginv');
  const email = `${unique('invitee')}@example.com`;
  await sql`INSERT INTO organization_invitations (id, organization_id, email, role_id, status, ticket_hash, expires_at)
    VALUES (${id}, ${organizationId}, ${email}, ${roleId}, ${status}, ${randomBytes(32)}, now() + interval '30 days')`.execute(db);
  return id;
}

export async function roleExists(db: Db, id: string): Promise<boolean> {
  const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM roles WHERE id = ${id}`.execute(db);
  return r.rows[0]?.n === 1;
}

export async function auditActions(db: Db, target: string): Promise<string[]> {
  const r = await sql<{ action: string }>`SELECT action FROM audit_log WHERE target = ${target} ORDER BY id`.execute(db);
  return r.rows.map((row) => row.action);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
