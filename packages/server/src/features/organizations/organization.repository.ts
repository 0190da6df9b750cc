// SQL for organizations, and the Organization wire mapper.
//
// For other features (organization invitations, memberships) these are the entry points:
// - findOrganizationById(db, id): the row, or undefined;
// - lockOrganization(trx, id): the row under SELECT … FOR UPDATE. Every write that changes who is
//   (or may become) a member locks the organization row first: membership create/update/delete,
//   and invitation create/accept. That one lock serializes the seat limit
//   (max_allowed_memberships) and the "at least one member can manage members" rule;
// - organizationRowToJson(row, extras?): the Organization object of the wire.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import { MANAGE_MEMBERSHIPS } from '../roles/role.service.ts';
import type { RoleRow } from '../roles/role.table.ts';
import type { OrganizationJson } from './organization.schemas.ts';
import type { OrganizationRow } from './organization.table.ts';

type Db = Kysely<Database> | Transaction<Database>;
type Json = Record<string, unknown>;

/** The optional fields of an Organization, present only when a request asks for them. */
export interface OrganizationExtras {
  members_count?: number;
  pending_invitations_count?: number;
  missing_member_with_elevated_permissions?: boolean;
}

/** The Organization object of the wire (clerk-wire.md §4.2). */
export function organizationRowToJson(row: OrganizationRow, extras: OrganizationExtras = {}): OrganizationJson {
  return {
    object: 'organization',
    id: row.id,
    name: row.name,
    slug: row.slug,
    image_url: row.image_url ?? '',
    has_image: false,
    ...extras,
    max_allowed_memberships: row.max_allowed_memberships,
    admin_delete_enabled: row.admin_delete_enabled,
    public_metadata: row.public_metadata ?? {},
    private_metadata: row.private_metadata ?? {},
    created_by: row.created_by,
    created_at: row.created_at.getTime(),
    updated_at: row.updated_at.getTime(),
    last_active_at: null,
    role_set_key: null,
  };
}

export async function findOrganizationById(db: Db, id: string): Promise<OrganizationRow | undefined> {
  return db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
}

/** By id or by slug: the two never collide (a slug has no "_", every id has one). */
export async function findOrganizationByIdOrSlug(db: Db, idOrSlug: string): Promise<OrganizationRow | undefined> {
  return db
    .selectFrom('organizations')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', idOrSlug), eb('slug', '=', idOrSlug)]))
    .executeTakeFirst();
}

export async function findOrganizationsByIds(db: Db, ids: string[]): Promise<OrganizationRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('organizations').selectAll().where('id', 'in', ids).execute();
}

/**
 * The organization row under SELECT … FOR UPDATE (undefined if there is none). Call it first in
 * every transaction that adds, changes or removes members or invitations of the organization:
 * concurrent writers then take turns, so checks made after it (seats left, last admin) hold until
 * commit.
 */
export async function lockOrganization(trx: Transaction<Database>, id: string): Promise<OrganizationRow | undefined> {
  return trx.selectFrom('organizations').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/** Organizations this user created (organizations_created_by_idx). */
export async function countOrganizationsCreatedBy(db: Db, userId: string): Promise<number> {
  const row = await db.selectFrom('organizations').select((eb) => eb.fn.countAll<string>().as('n')).where('created_by', '=', userId).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function isSlugTaken(db: Db, slug: string, exceptId?: string): Promise<boolean> {
  let q = db.selectFrom('organizations').select('id').where('slug', '=', slug);
  if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
  return (await q.executeTakeFirst()) !== undefined;
}

/** The role given to an organization's creator (is_creator_role; org:admin out of the box). */
export async function findCreatorRole(db: Db): Promise<RoleRow | undefined> {
  return db.selectFrom('roles').selectAll().where('is_creator_role', '=', true).executeTakeFirst();
}

export interface NewOrganization {
  id: string;
  name: string;
  slug: string;
  maxAllowedMemberships: number;
  adminDeleteEnabled: boolean;
  publicMetadata: Json;
  privateMetadata: Json;
  createdBy: string | null;
  createdAt: Date | null;
}

export async function insertOrganization(trx: Transaction<Database>, org: NewOrganization): Promise<OrganizationRow> {
  return trx
    .insertInto('organizations')
    .values({
      id: org.id,
      name: org.name,
      slug: org.slug,
      max_allowed_memberships: org.maxAllowedMemberships,
      admin_delete_enabled: org.adminDeleteEnabled,
      public_metadata: JSON.stringify(org.publicMetadata),
      private_metadata: JSON.stringify(org.privateMetadata),
      created_by: org.createdBy,
      ...(org.createdAt !== null ? { created_at: org.createdAt, updated_at: org.createdAt } : {}),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export interface OrganizationPatch {
  name?: string;
  slug?: string;
  max_allowed_memberships?: number;
  admin_delete_enabled?: boolean;
  public_metadata?: Json;
  private_metadata?: Json;
}

export async function updateOrganizationById(trx: Transaction<Database>, id: string, patch: OrganizationPatch): Promise<OrganizationRow> {
  const { public_metadata, private_metadata, ...rest } = patch;
  return trx
    .updateTable('organizations')
    .set({
      ...rest,
      ...(public_metadata !== undefined ? { public_metadata: JSON.stringify(public_metadata) } : {}),
      ...(private_metadata !== undefined ? { private_metadata: JSON.stringify(private_metadata) } : {}),
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Deletes the organization; its memberships and invitations go with it (ON DELETE CASCADE). */
export async function deleteOrganizationById(trx: Transaction<Database>, id: string): Promise<OrganizationRow | undefined> {
  return trx.deleteFrom('organizations').where('id', '=', id).returningAll().executeTakeFirst();
}

export async function recordOrganizationAudit(trx: Transaction<Database>, action: string, target: string, data: Json | null = null): Promise<void> {
  await trx
    .insertInto('audit_log')
    .values({ actor: 'backend_api', action, target, data: data === null ? null : JSON.stringify(data) })
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Lists

export interface OrganizationFilter {
  /** Matches the exact id, or part of the name or slug (case-insensitive). */
  query?: string;
  includeIds?: string[];
  excludeIds?: string[];
  /** Organizations any of these users belongs to. */
  memberUserIds?: string[];
  /** Organizations none of these users belongs to. */
  nonMemberUserIds?: string[];
}

export type OrganizationOrderColumn = 'created_at' | 'name' | 'members_count';

export interface OrganizationPage {
  limit: number;
  offset: number;
  orderBy: OrganizationOrderColumn;
  direction: 'asc' | 'desc';
}

function filtered(db: Db, f: OrganizationFilter) {
  let q = db.selectFrom('organizations');
  if (f.query) {
    const like = `%${f.query.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const exact = f.query;
    q = q.where((eb) =>
      eb.or([eb('organizations.id', '=', exact), eb(sql<string>`lower(organizations.name)`, 'like', like), eb('organizations.slug', 'like', like)]),
    );
  }
  if (f.includeIds) q = q.where('organizations.id', 'in', f.includeIds);
  if (f.excludeIds) q = q.where('organizations.id', 'not in', f.excludeIds);
  const members = f.memberUserIds;
  if (members) {
    q = q.where('organizations.id', 'in', (eb) =>
      eb.selectFrom('organization_memberships').select('organization_memberships.organization_id').where('organization_memberships.user_id', 'in', members),
    );
  }
  const nonMembers = f.nonMemberUserIds;
  if (nonMembers) {
    q = q.where('organizations.id', 'not in', (eb) =>
      eb.selectFrom('organization_memberships').select('organization_memberships.organization_id').where('organization_memberships.user_id', 'in', nonMembers),
    );
  }
  return q;
}

const membersCountOf = sql<number>`(SELECT count(*) FROM organization_memberships m WHERE m.organization_id = organizations.id)`;

/** One page of organizations; ties break on id, in the same direction. */
export async function listOrganizations(db: Db, f: OrganizationFilter, page: OrganizationPage): Promise<OrganizationRow[]> {
  const base = filtered(db, f).selectAll('organizations');
  const dir = page.direction;
  let ordered;
  switch (page.orderBy) {
    case 'created_at':
      ordered = base.orderBy('organizations.created_at', dir);
      break;
    case 'name':
      // Case-insensitive whatever the database collation.
      ordered = base.orderBy(sql`lower(organizations.name)`, dir).orderBy('organizations.name', dir);
      break;
    case 'members_count':
      ordered = base.orderBy(membersCountOf, dir).orderBy('organizations.created_at', dir);
      break;
  }
  return ordered.orderBy('organizations.id', dir).limit(page.limit).offset(page.offset).execute();
}

export async function countOrganizations(db: Db, f: OrganizationFilter): Promise<number> {
  const row = await filtered(db, f).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * The optional fields for these organizations, in at most three grouped queries (none per row):
 * `counts` → members_count and pending_invitations_count (pending and not yet expired);
 * `elevated` → missing_member_with_elevated_permissions.
 */
export async function findOrganizationExtras(
  db: Db,
  ids: string[],
  want: { counts: boolean; elevated: boolean },
): Promise<Map<string, OrganizationExtras>> {
  const out = new Map<string, OrganizationExtras>(ids.map((id) => [id, {}]));
  if (ids.length === 0) return out;
  if (want.counts) {
    const [members, pending] = await Promise.all([
      db
        .selectFrom('organization_memberships')
        .select(['organization_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('organization_id', 'in', ids)
        .groupBy('organization_id')
        .execute(),
      db
        .selectFrom('organization_invitations')
        .select(['organization_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('organization_id', 'in', ids)
        .where('status', '=', 'pending')
        .where('expires_at', '>', sql<Date>`now()`)
        .groupBy('organization_id')
        .execute(),
    ]);
    const memberCounts = new Map(members.map((r) => [r.organization_id, Number(r.n)]));
    const pendingCounts = new Map(pending.map((r) => [r.organization_id, Number(r.n)]));
    for (const [id, extras] of out) {
      extras.members_count = memberCounts.get(id) ?? 0;
      extras.pending_invitations_count = pendingCounts.get(id) ?? 0;
    }
  }
  if (want.elevated) {
    const rows = await db
      .selectFrom('organization_memberships as m')
      .innerJoin('role_permissions as rp', 'rp.role_id', 'm.role_id')
      .innerJoin('permissions as p', 'p.id', 'rp.permission_id')
      .select('m.organization_id')
      .distinct()
      .where('p.key', '=', MANAGE_MEMBERSHIPS)
      .where('m.organization_id', 'in', ids)
      .execute();
    const covered = new Set(rows.map((r) => r.organization_id));
    for (const [id, extras] of out) extras.missing_member_with_elevated_permissions = !covered.has(id);
  }
  return out;
}
