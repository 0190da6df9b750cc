// SQL for organization memberships, and the OrganizationMembership wire mapper.
//
// For other features (organization invitations: create now, accept next) these are the entry
// points; call them after lockOrganization(trx, orgId) (organization.repository.ts), in the same
// transaction:
// - findMembership(db, orgId, userId): the row, or undefined;
// - countSeatsTaken(db, orgId): members + pending, unexpired organization invitations, which is
//   what max_allowed_memberships limits (0 = unlimited). ensureSeatsAvailable(trx, org, n) in
//   membership.service.ts wraps it: 403 organization_membership_quota_exceeded when n more won't fit;
// - insertMembership(trx, m): adds the member. The primary key (organization_id, user_id) refuses a
//   second membership even under a race: test the error with isMembershipConflict(err) and answer
//   400 already_a_member_in_organization (alreadyAMember in membership.service.ts);
// - membershipsToJson(db, views, orgs?) / findMembershipView: the OrganizationMembership object.
import { sql, type ExpressionBuilder, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import { isForeignKeyViolation, isUniqueViolation } from '../../db/errors.ts';
import { ms } from '../../http/schemas.ts';
import { newId } from '../../lib/ids.ts';
import { findOrganizationsByIds, organizationRowToJson } from '../organizations/organization.repository.ts';
import type { OrganizationRow } from '../organizations/organization.table.ts';
import type { OrganizationMembershipJson } from './membership.schemas.ts';
import type { RolesTable } from '../roles/role.table.ts';
import type { UsersTable } from '../users/user.table.ts';
import type { OrganizationMembershipRow, OrganizationMembershipsTable } from './membership.table.ts';

type Db = Kysely<Database> | Transaction<Database>;
type Json = Record<string, unknown>;

export async function findMembership(db: Db, organizationId: string, userId: string): Promise<OrganizationMembershipRow | undefined> {
  return db
    .selectFrom('organization_memberships')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

/**
 * Seats taken in the organization: its members plus its pending organization invitations that
 * have not expired. Compare with max_allowed_memberships (0 = unlimited) under lockOrganization.
 */
export async function countSeatsTaken(db: Db, organizationId: string): Promise<number> {
  const row = await db
    .selectNoFrom((eb) => [
      eb.selectFrom('organization_memberships').select(eb.fn.countAll<number>().as('n')).where('organization_id', '=', organizationId).as('members'),
      eb
        .selectFrom('organization_invitations')
        .select(eb.fn.countAll<number>().as('n'))
        .where('organization_id', '=', organizationId)
        .where('status', '=', 'pending')
        .where('expires_at', '>', sql<Date>`now()`)
        .as('pending'),
    ])
    .executeTakeFirstOrThrow();
  return Number(row.members ?? 0) + Number(row.pending ?? 0);
}

export interface NewMembership {
  /** Minted (orgmem_…) when absent. */
  id?: string;
  organizationId: string;
  userId: string;
  roleId: string;
  publicMetadata?: Json;
  privateMetadata?: Json;
}

const membershipValues = (m: NewMembership) => ({
  id: m.id ?? newId('orgmem'),
  organization_id: m.organizationId,
  user_id: m.userId,
  role_id: m.roleId,
  public_metadata: JSON.stringify(m.publicMetadata ?? {}),
  private_metadata: JSON.stringify(m.privateMetadata ?? {}),
});

/** Adds a member. A second membership for the same user fails with 23505: see isMembershipConflict. */
export async function insertMembership(trx: Transaction<Database>, m: NewMembership): Promise<OrganizationMembershipRow> {
  return trx
    .insertInto('organization_memberships')
    .values(membershipValues(m))
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Inserts the membership unless the user already is a member: the new row, or undefined. */
export async function insertMembershipIfAbsent(trx: Transaction<Database>, m: NewMembership): Promise<OrganizationMembershipRow | undefined> {
  return trx
    .insertInto('organization_memberships')
    .values(membershipValues(m))
    .onConflict((oc) => oc.columns(['organization_id', 'user_id']).doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** The foreign-key violation an insert raises when its organization was deleted meanwhile (23503 on organization_id). */
export function isMissingMemberOrganization(err: unknown): boolean {
  return isForeignKeyViolation(err, 'organization_memberships_organization_id_fkey');
}

/** The unique violation an insert raises when the user is already a member (primary key). */
export function isMembershipConflict(err: unknown): boolean {
  return isUniqueViolation(err, 'organization_memberships_pkey');
}

/** The foreign-key violation an insert raises when its user was deleted meanwhile (23503 on user_id). */
export function isMissingMemberUser(err: unknown): boolean {
  return isForeignKeyViolation(err, 'organization_memberships_user_id_fkey');
}

export async function updateMembership(
  trx: Transaction<Database>,
  organizationId: string,
  userId: string,
  patch: { roleId?: string; publicMetadata?: Json; privateMetadata?: Json },
): Promise<void> {
  await trx
    .updateTable('organization_memberships')
    .set({
      ...(patch.roleId !== undefined ? { role_id: patch.roleId } : {}),
      ...(patch.publicMetadata !== undefined ? { public_metadata: JSON.stringify(patch.publicMetadata) } : {}),
      ...(patch.privateMetadata !== undefined ? { private_metadata: JSON.stringify(patch.privateMetadata) } : {}),
      updated_at: sql<Date>`now()`,
    })
    .where('organization_id', '=', organizationId)
    .where('user_id', '=', userId)
    .execute();
}

export async function deleteMembership(trx: Transaction<Database>, organizationId: string, userId: string): Promise<boolean> {
  const row = await trx
    .deleteFrom('organization_memberships')
    .where('organization_id', '=', organizationId)
    .where('user_id', '=', userId)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** How many members of the organization (other than `exceptUserId`) hold `permission` through their role. */
export async function countMembersWithPermission(db: Db, organizationId: string, permission: string, exceptUserId?: string): Promise<number> {
  let q = db
    .selectFrom('organization_memberships as m')
    .innerJoin('role_permissions as rp', 'rp.role_id', 'm.role_id')
    .innerJoin('permissions as p', 'p.id', 'rp.permission_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('m.organization_id', '=', organizationId)
    .where('p.key', '=', permission);
  if (exceptUserId !== undefined) q = q.where('m.user_id', '!=', exceptUserId);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

/** The permission keys of each of these roles (sorted), in one query. */
export async function findPermissionKeysByRoleIds(db: Db, roleIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(roleIds.map((id) => [id, []]));
  if (roleIds.length === 0) return out;
  const rows = await db
    .selectFrom('role_permissions as rp')
    .innerJoin('permissions as p', 'p.id', 'rp.permission_id')
    .select(['rp.role_id', 'p.key'])
    .where('rp.role_id', 'in', roleIds)
    .orderBy('p.key')
    .execute();
  for (const r of rows) out.get(r.role_id)?.push(r.key);
  return out;
}

export async function recordMembershipAudit(trx: Transaction<Database>, action: string, membershipId: string, data: Json): Promise<void> {
  await trx.insertInto('audit_log').values({ actor: 'backend_api', action, target: membershipId, data: JSON.stringify(data) }).execute();
}

// ---------------------------------------------------------------------------------------------
// Views: a membership with its role and its user's public data, as the wire needs them.

function joined(db: Db) {
  return db
    .selectFrom('organization_memberships as m')
    .innerJoin('roles as r', 'r.id', 'm.role_id')
    .innerJoin('users as u', 'u.id', 'm.user_id');
}
type Joined = ReturnType<typeof joined>;
type JoinedEb = ExpressionBuilder<Database & { m: OrganizationMembershipsTable; r: RolesTable; u: UsersTable }, 'm' | 'r' | 'u'>;

function withViewColumns(q: Joined) {
  return q.select((eb) => [
    'm.id',
    'm.organization_id',
    'm.user_id',
    'm.role_id',
    'm.public_metadata',
    'm.private_metadata',
    'm.created_at',
    'm.updated_at',
    'r.key as role_key',
    'r.name as role_name',
    'u.first_name',
    'u.last_name',
    'u.username',
    'u.banned',
    eb.selectFrom('email_addresses as e').select('e.email').whereRef('e.id', '=', 'u.primary_email_address_id').as('primary_email'),
  ]);
}

export type MembershipView = Awaited<ReturnType<ReturnType<typeof withViewColumns>['executeTakeFirstOrThrow']>>;

export async function findMembershipView(db: Db, organizationId: string, userId: string): Promise<MembershipView | undefined> {
  return withViewColumns(joined(db).where('m.organization_id', '=', organizationId).where('m.user_id', '=', userId)).executeTakeFirst();
}

/**
 * OrganizationMembership objects for these views, with the full Organization nested in each (as
 * @clerk/backend requires). Organizations not given in `orgs` and the roles' permissions load in
 * one query each, whatever the number of views.
 */
export async function membershipsToJson(db: Db, views: MembershipView[], orgs: OrganizationRow[] = []): Promise<OrganizationMembershipJson[]> {
  const orgById = new Map(orgs.map((o) => [o.id, o]));
  const missing = [...new Set(views.map((v) => v.organization_id))].filter((id) => !orgById.has(id));
  const [loaded, permissions] = await Promise.all([
    findOrganizationsByIds(db, missing),
    findPermissionKeysByRoleIds(db, [...new Set(views.map((v) => v.role_id))]),
  ]);
  for (const o of loaded) orgById.set(o.id, o);
  // An organization deleted between the two reads (outside a transaction) takes its memberships
  // with it: they are left out rather than answered without their organization.
  return views.flatMap((v) => {
    const org = orgById.get(v.organization_id);
    return org ? [membershipViewToJson(v, org, permissions.get(v.role_id) ?? [])] : [];
  });
}

export function membershipViewToJson(v: MembershipView, org: OrganizationRow, permissions: string[]): OrganizationMembershipJson {
  return {
    object: 'organization_membership',
    id: v.id,
    role: v.role_key,
    role_name: v.role_name,
    permissions,
    public_metadata: v.public_metadata ?? {},
    private_metadata: v.private_metadata ?? {},
    organization: organizationRowToJson(org),
    public_user_data: {
      user_id: v.user_id,
      first_name: v.first_name,
      last_name: v.last_name,
      image_url: '',
      has_image: false,
      identifier: v.primary_email ?? v.username ?? '',
      profile_image_url: '',
      username: v.username,
      banned: v.banned,
    },
    created_at: ms(v.created_at),
    updated_at: ms(v.updated_at),
  };
}

// ---------------------------------------------------------------------------------------------
// Lists

export interface MembershipFilter {
  organizationId?: string;
  /** The memberships of this one user. */
  userId?: string;
  includeUserIds?: string[];
  excludeUserIds?: string[];
  /** Canonical addresses: users with any of them. */
  emails?: string[];
  /** Lowercased. */
  usernames?: string[];
  roleKeys?: string[];
  /** A filter on something no user can have (phone numbers, wallets): the result is empty. */
  matchNothing?: boolean;
  /** NFKC + lowercase, matched as substrings. */
  query?: string;
  emailQuery?: string;
  usernameQuery?: string;
  nameQuery?: string;
  lastActiveBefore?: Date;
  lastActiveAfter?: Date;
  /** On the membership's creation time. */
  createdBefore?: Date;
  createdAfter?: Date;
}

const likeOf = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function applyFilter(q: Joined, f: MembershipFilter): Joined {
  let out = q;
  if (f.matchNothing) out = out.where(sql<boolean>`false`);
  if (f.organizationId !== undefined) out = out.where('m.organization_id', '=', f.organizationId);
  if (f.userId !== undefined) out = out.where('m.user_id', '=', f.userId);
  if (f.includeUserIds) out = out.where('m.user_id', 'in', f.includeUserIds);
  if (f.excludeUserIds) out = out.where('m.user_id', 'not in', f.excludeUserIds);
  const emails = f.emails;
  if (emails) out = out.where('m.user_id', 'in', (eb) => eb.selectFrom('email_addresses as e').select('e.user_id').where('e.email', 'in', emails));
  if (f.usernames) out = out.where('u.username', 'in', f.usernames);
  if (f.roleKeys) out = out.where('r.key', 'in', f.roleKeys);
  const emailLike = (like: string) => (eb: JoinedEb) =>
    eb.exists(eb.selectFrom('email_addresses as e').select(sql`1`.as('one')).whereRef('e.user_id', '=', 'm.user_id').where('e.email', 'like', like));
  const fullName = sql<string>`lower(concat_ws(' ', u.first_name, u.last_name))`;
  if (f.query) {
    const like = likeOf(f.query);
    out = out.where((eb) =>
      eb.or([emailLike(like)(eb), eb('u.username', 'like', like), eb(sql<string>`lower(u.id)`, 'like', like), eb(fullName, 'like', like)]),
    );
  }
  if (f.emailQuery) out = out.where(emailLike(likeOf(f.emailQuery)));
  if (f.usernameQuery) out = out.where('u.username', 'like', likeOf(f.usernameQuery));
  if (f.nameQuery) out = out.where(fullName, 'like', likeOf(f.nameQuery));
  if (f.lastActiveBefore) out = out.where('u.last_active_at', '<', f.lastActiveBefore);
  if (f.lastActiveAfter) out = out.where('u.last_active_at', '>', f.lastActiveAfter);
  if (f.createdBefore) out = out.where('m.created_at', '<', f.createdBefore);
  if (f.createdAfter) out = out.where('m.created_at', '>', f.createdAfter);
  return out;
}

export type MembershipOrderColumn = 'created_at' | 'first_name' | 'last_name' | 'email_address' | 'phone_number' | 'username';

export interface MembershipPage {
  limit: number;
  offset: number;
  orderBy: MembershipOrderColumn;
  direction: 'asc' | 'desc';
}

/**
 * One page of membership views. Members without the sort value come last in either direction;
 * ties break on the membership's creation, then id. No one has a phone number here, so
 * phone_number sorts as created_at.
 */
export async function listMembershipViews(db: Db, f: MembershipFilter, page: MembershipPage): Promise<MembershipView[]> {
  const base = withViewColumns(applyFilter(joined(db), f));
  const dir = page.direction;
  let ordered;
  switch (page.orderBy) {
    case 'created_at':
    case 'phone_number':
      ordered = base;
      break;
    case 'first_name':
    case 'last_name':
      ordered = base.orderBy(sql`lower(${sql.ref(`u.${page.orderBy}`)})`, (ob) => (dir === 'asc' ? ob.asc() : ob.desc()).nullsLast());
      break;
    case 'username':
      ordered = base.orderBy('u.username', (ob) => (dir === 'asc' ? ob.asc() : ob.desc()).nullsLast());
      break;
    case 'email_address':
      ordered = base.orderBy(sql`(SELECT e.email FROM email_addresses e WHERE e.id = u.primary_email_address_id)`, (ob) =>
        (dir === 'asc' ? ob.asc() : ob.desc()).nullsLast(),
      );
      break;
  }
  return ordered.orderBy('m.created_at', dir).orderBy('m.id', dir).limit(page.limit).offset(page.offset).execute();
}

export async function countMemberships(db: Db, f: MembershipFilter): Promise<number> {
  const row = await applyFilter(joined(db), f).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}
