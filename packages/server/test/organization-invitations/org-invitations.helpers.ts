// Helpers for the organization invitation tests. Organizations, users and memberships are made
// through the Backend API (organizations.helpers.ts); only states the API cannot reach directly
// (an expiry in the past, an accepted invitation) are written with SQL.
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { TestApp } from '../helpers/app.ts';
import type { OrganizationInvitationJson } from '../../src/features/organization-invitations/organization-invitation.schemas.ts';
import { ok, uniqueEmail } from '../organizations/organizations.helpers.ts';

export { addMember, call, fails, MANAGE, MISSING_ORG, MISSING_USER, newOrg, newUser, ok, uniqueEmail, type Page } from '../organizations/organizations.helpers.ts';
export type { OrganizationInvitationJson };

/** Test apps here create far more invitations than Clerk's 250/h: the limits are tested on their own app. */
export const NO_INVITATION_LIMITS = {
  TESSERA_RATE_LIMIT_ORGANIZATION_INVITATIONS_CREATE: '100000/3600s',
  TESSERA_RATE_LIMIT_ORGANIZATION_INVITATIONS_BULK: '100000/3600s',
};

export const invite = (t: TestApp, orgId: string, body: Record<string, unknown> = {}) =>
  ok<OrganizationInvitationJson>(t, 'POST', `/v1/organizations/${orgId}/invitations`, { email_address: uniqueEmail('invitee'), role: 'org:member', ...body });

/** Moves an invitation's expiry into the past (it stays 'pending' in the table). */
export async function expireOrganizationInvitation(t: TestApp, id: string): Promise<void> {
  await t.deps.db.updateTable('organization_invitations').set({ expires_at: sql<Date>`now() - interval '1 second'` }).where('id', '=', id).execute();
}

export async function setOrganizationInvitationStatusRaw(t: TestApp, id: string, status: 'accepted' | 'revoked' | 'pending'): Promise<void> {
  await t.deps.db.updateTable('organization_invitations').set({ status }).where('id', '=', id).execute();
}

export async function countRows(t: TestApp, table: 'organization_invitations' | 'outbox' | 'audit_log'): Promise<number> {
  const r = await t.deps.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** The stored status column (not the effective one the API shows). */
export async function storedStatus(t: TestApp, id: string): Promise<string> {
  const row = await t.deps.db.selectFrom('organization_invitations').select('status').where('id', '=', id).executeTakeFirst();
  assert.ok(row, `no invitation ${id}`);
  return row.status;
}

/** The ticket in an invitation's url. */
export function ticketOf(inv: { url: string | null }): string {
  assert.ok(inv.url, 'the invitation carries its link');
  const ticket = new URL(inv.url).searchParams.get('ticket');
  assert.ok(ticket);
  return ticket;
}
