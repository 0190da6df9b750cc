// Organization memberships in the Backend API: add a user directly (no invitation), list (per
// organization, per user, instance-wide), change the role, merge metadata, remove.
//
// Rules:
// - every membership write locks the organization row first (lockOrganization), so writes to one
//   organization take turns and each check below still holds at commit.
// - a user is a member once: adding again → 400 already_a_member_in_organization; the primary key
//   (organization_id, user_id) makes it a database fact and a race loser gets the same answer.
// - max_allowed_memberships (0 = unlimited) caps members + pending, unexpired invitations:
//   adding past it → 403 organization_membership_quota_exceeded.
// - an organization keeps at least one member whose role holds org:sys_memberships:manage:
//   demoting or removing the last one → 400 organization_minimum_permissions_needed. Deleting the
//   organization itself is allowed.
// - unknown organization, user or membership → 404 resource_not_found; an unknown role → 422
//   form_param_value_invalid (ensureRole; legacy admin / basic_member accepted).
import type { Transaction } from 'kysely';
import type { Deps } from '../../deps.ts';
import type { Database } from '../../db/database.ts';
import { ApiError, notFound } from '../../http/errors.ts';
import { canonicalEmail } from '../../lib/email.ts';
import { lockOrganization, findOrganizationById } from '../organizations/organization.repository.ts';
import type { OrganizationRow } from '../organizations/organization.table.ts';
import { LEGACY_ROLE_ALIASES, MANAGE_MEMBERSHIPS, ensureRole } from '../roles/role.service.ts';
import { findRolePermissionKeys } from '../roles/role.repository.ts';
import { findUserById } from '../users/user.repository.ts';
import { deepMergeMetadata } from '../users/user.service.ts';
import {
  countMembersWithPermission,
  countMemberships,
  countSeatsTaken,
  deleteMembership,
  findMembership,
  findMembershipView,
  insertMembership,
  isMembershipConflict,
  isMissingMemberUser,
  listMembershipViews,
  membershipsToJson,
  recordMembershipAudit,
  updateMembership,
  type MembershipFilter,
  type MembershipPage,
  type MembershipView,
} from './membership.repository.ts';
import {
  MEMBERSHIP_ORDER_FIELDS,
  type CreateMembershipInput,
  type InstanceMembershipsQueryT,
  type ListMembershipsQueryT,
  type MembershipMetadataInput,
  type OrganizationMembershipJson,
  type OrganizationMembershipListJson,
  type UserMembershipsQueryT,
} from './membership.schemas.ts';

type Json = Record<string, unknown>;

/** 400 already_a_member_in_organization, for this feature and the invitation-acceptance flow. */
export const alreadyAMember = (userId: string) => new ApiError('already_a_member_in_organization', { vars: { user: userId }, meta: { param_name: 'user_id' } });

/** 403 organization_membership_quota_exceeded: members + pending invitations have reached `max`. */
export const membershipQuotaExceeded = (max: number) => new ApiError('organization_membership_quota_exceeded', { vars: { max } });

/**
 * Throws 403 organization_membership_quota_exceeded unless the organization has a seat left for
 * `adding` more (members + pending, unexpired invitations, against max_allowed_memberships; 0 =
 * unlimited). Call it under lockOrganization in the transaction that adds the member or invitation.
 */
export async function ensureSeatsAvailable(trx: Transaction<Database>, org: OrganizationRow, adding = 1): Promise<void> {
  const max = org.max_allowed_memberships;
  if (max === 0) return;
  if ((await countSeatsTaken(trx, org.id)) + adding > max) throw membershipQuotaExceeded(max);
}

const membershipNotFound = (userId: string) => notFound('organization membership', userId);

async function lockedOrganization(trx: Transaction<Database>, organizationId: string): Promise<OrganizationRow> {
  const org = await lockOrganization(trx, organizationId);
  if (!org) throw notFound('organization', organizationId);
  return org;
}

async function viewJson(trx: Transaction<Database>, org: OrganizationRow, view: MembershipView): Promise<OrganizationMembershipJson> {
  const [json] = await membershipsToJson(trx, [view], [org]);
  return json!;
}

async function currentView(trx: Transaction<Database>, organizationId: string, userId: string): Promise<MembershipView> {
  const view = await findMembershipView(trx, organizationId, userId);
  if (!view) throw membershipNotFound(userId);
  return view;
}

/**
 * Throws 400 organization_minimum_permissions_needed when `userId` is the last member who can
 * manage members and would lose that (a new role without it, or removal: newRoleId null).
 * Run under lockOrganization: two admins demoting each other at once then take turns, and the
 * second sees the first's change.
 */
async function ensureManagerRemains(trx: Transaction<Database>, organizationId: string, userId: string, currentRoleId: string, newRoleId: string | null): Promise<void> {
  if (!(await findRolePermissionKeys(trx, currentRoleId)).includes(MANAGE_MEMBERSHIPS)) return;
  if (newRoleId !== null && (await findRolePermissionKeys(trx, newRoleId)).includes(MANAGE_MEMBERSHIPS)) return;
  if ((await countMembersWithPermission(trx, organizationId, MANAGE_MEMBERSHIPS, userId)) === 0) {
    throw new ApiError('organization_minimum_permissions_needed');
  }
}

// ---------------------------------------------------------------------------------------------
// Writes

/**
 * Adds an existing user to the organization with a role, without an invitation. Order of checks:
 * organization (404), role (422), user (404), already a member (400), seats (403).
 */
export async function createMembership(deps: Deps, organizationId: string, input: CreateMembershipInput): Promise<OrganizationMembershipJson> {
  try {
    return await deps.db.transaction().execute(async (trx) => {
      const org = await lockedOrganization(trx, organizationId);
      const role = await ensureRole(trx, input.role);
      if (!(await findUserById(trx, input.user_id))) throw notFound('user', input.user_id);
      if (await findMembership(trx, organizationId, input.user_id)) throw alreadyAMember(input.user_id);
      await ensureSeatsAvailable(trx, org);
      const row = await insertMembership(trx, {
        organizationId,
        userId: input.user_id,
        roleId: role.id,
        publicMetadata: input.public_metadata ?? {},
        privateMetadata: input.private_metadata ?? {},
      });
      await recordMembershipAudit(trx, 'organization_membership.created', row.id, { organization_id: organizationId, user_id: input.user_id, role: role.key });
      return viewJson(trx, org, await currentView(trx, organizationId, input.user_id));
    });
  } catch (err) {
    if (isMembershipConflict(err)) throw alreadyAMember(input.user_id);
    // The user was deleted between the check and the insert.
    if (isMissingMemberUser(err)) throw notFound('user', input.user_id);
    throw err;
  }
}

/** Changes the member's role (same role: no change). The last member who can manage members keeps that ability. */
export async function updateMembershipRole(deps: Deps, organizationId: string, userId: string, roleKey: string): Promise<OrganizationMembershipJson> {
  return deps.db.transaction().execute(async (trx) => {
    const org = await lockedOrganization(trx, organizationId);
    const role = await ensureRole(trx, roleKey);
    const view = await currentView(trx, organizationId, userId);
    if (view.role_id === role.id) return viewJson(trx, org, view);
    await ensureManagerRemains(trx, organizationId, userId, view.role_id, role.id);
    await updateMembership(trx, organizationId, userId, { roleId: role.id });
    await recordMembershipAudit(trx, 'organization_membership.updated', view.id, { organization_id: organizationId, user_id: userId, role: role.key, previous_role: view.role_key });
    return viewJson(trx, org, await currentView(trx, organizationId, userId));
  });
}

/** Removes the member and answers with the membership as it was (not a DeletedObject, as Clerk). */
export async function deleteMembershipOf(deps: Deps, organizationId: string, userId: string): Promise<OrganizationMembershipJson> {
  return deps.db.transaction().execute(async (trx) => {
    const org = await lockedOrganization(trx, organizationId);
    const view = await currentView(trx, organizationId, userId);
    await ensureManagerRemains(trx, organizationId, userId, view.role_id, null);
    const json = await viewJson(trx, org, view);
    await deleteMembership(trx, organizationId, userId);
    await recordMembershipAudit(trx, 'organization_membership.deleted', view.id, { organization_id: organizationId, user_id: userId, role: view.role_key });
    return json;
  });
}

/**
 * PATCH …/metadata: each given object is deep-merged into the stored one (nested objects merge, a
 * key set to null is removed); a top-level null clears that object. Under the organization lock,
 * so concurrent merges all land. Unknown organization or membership → 404.
 */
export async function mergeMembershipMetadata(deps: Deps, organizationId: string, userId: string, input: MembershipMetadataInput): Promise<OrganizationMembershipJson> {
  const merge = (current: Json, given: Json | null): Json => (given === null ? {} : deepMergeMetadata(current, given));
  return deps.db.transaction().execute(async (trx) => {
    const org = await lockedOrganization(trx, organizationId);
    const view = await currentView(trx, organizationId, userId);
    const patch: { publicMetadata?: Json; privateMetadata?: Json } = {};
    if (input.public_metadata !== undefined) patch.publicMetadata = merge(view.public_metadata ?? {}, input.public_metadata);
    if (input.private_metadata !== undefined) patch.privateMetadata = merge(view.private_metadata ?? {}, input.private_metadata);
    if (Object.keys(patch).length === 0) return viewJson(trx, org, view);
    await updateMembership(trx, organizationId, userId, patch);
    const fields = [...(patch.publicMetadata ? ['public_metadata'] : []), ...(patch.privateMetadata ? ['private_metadata'] : [])];
    await recordMembershipAudit(trx, 'organization_membership.metadata_updated', view.id, { organization_id: organizationId, user_id: userId, fields });
    return viewJson(trx, org, await currentView(trx, organizationId, userId));
  });
}

// ---------------------------------------------------------------------------------------------
// Reads

function pageOf(q: { limit?: number; offset?: number; order_by?: string }): MembershipPage {
  const orderBy = q.order_by ?? '-created_at';
  return {
    limit: q.limit ?? 10,
    offset: q.offset ?? 0,
    orderBy: MEMBERSHIP_ORDER_FIELDS.find((f) => f === orderBy.replace(/^[+-]/, '')) ?? 'created_at',
    direction: orderBy.startsWith('-') ? 'desc' : 'asc',
  };
}

async function page(deps: Deps, filter: MembershipFilter, p: MembershipPage, orgs: OrganizationRow[] = []): Promise<OrganizationMembershipListJson> {
  const [views, total] = await Promise.all([listMembershipViews(deps.db, filter, p), countMemberships(deps.db, filter)]);
  return { data: await membershipsToJson(deps.db, views, orgs), total_count: total };
}

const nonEmpty = <T>(list: T[] | undefined): T[] | undefined => (list !== undefined && list.length > 0 ? list : undefined);
const fold = (s: string) => s.normalize('NFKC').toLowerCase();
const msDate = (v: number | undefined): Date | undefined => (v === undefined ? undefined : new Date(v));

function toFilter(organizationId: string, q: ListMembershipsQueryT): MembershipFilter {
  const userIds = nonEmpty(q.user_id) ?? [];
  const include = userIds.filter((v) => !v.startsWith('-')).map((v) => v.replace(/^\+/, ''));
  const exclude = userIds.filter((v) => v.startsWith('-')).map((v) => v.slice(1));
  return {
    organizationId,
    includeUserIds: nonEmpty(include),
    excludeUserIds: nonEmpty(exclude),
    emails: nonEmpty(q.email_address)?.map((e) => canonicalEmail(e) ?? fold(e)),
    usernames: nonEmpty(q.username)?.map(fold),
    roleKeys: nonEmpty(q.role)?.map((r) => LEGACY_ROLE_ALIASES[r] ?? r),
    matchNothing: nonEmpty(q.phone_number) !== undefined || nonEmpty(q.web3_wallet) !== undefined || Boolean(q.phone_number_query),
    query: q.query ? fold(q.query) : undefined,
    emailQuery: q.email_address_query ? fold(q.email_address_query) : undefined,
    usernameQuery: q.username_query ? fold(q.username_query) : undefined,
    nameQuery: q.name_query ? fold(q.name_query) : undefined,
    lastActiveBefore: msDate(q.last_active_at_before),
    lastActiveAfter: msDate(q.last_active_at_after),
    createdBefore: msDate(q.created_at_before),
    createdAfter: msDate(q.created_at_after),
  };
}

/**
 * The organization's members, newest first by default. Filters combine with AND, the values of
 * one filter with OR; user_id values prefixed with "-" exclude. Unknown organization → 404.
 */
export async function listOrganizationMemberships(deps: Deps, organizationId: string, q: ListMembershipsQueryT): Promise<OrganizationMembershipListJson> {
  const org = await findOrganizationById(deps.db, organizationId);
  if (!org) throw notFound('organization', organizationId);
  return page(deps, toFilter(organizationId, q), pageOf(q), [org]);
}

/** The user's memberships, newest first. Unknown user → 404. */
export async function listUserMemberships(deps: Deps, userId: string, q: UserMembershipsQueryT): Promise<OrganizationMembershipListJson> {
  if (!(await findUserById(deps.db, userId))) throw notFound('user', userId);
  return page(deps, { userId }, pageOf(q));
}

/** Every membership of the instance, newest first by default. */
export async function listInstanceMemberships(deps: Deps, q: InstanceMembershipsQueryT): Promise<OrganizationMembershipListJson> {
  return page(deps, {}, pageOf(q));
}
