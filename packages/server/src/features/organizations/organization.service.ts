// Organizations in the Backend API: create, list, get (by id or slug), update, delete, metadata.
//
// Rules that hold for every function here:
// - a name is 1..256 characters after trimming and must not look like a URL or HTML: "<", ">" and
//   "://" are refused (422 form_param_value_invalid, as Clerk's OrganizationNameInvalid).
// - a slug matches ^[a-z0-9]+(-[a-z0-9]+)*$ (else 422 form_param_format_invalid) and is unique:
//   a taken slug is 422 form_identifier_exists, meta.param_name "slug" (Clerk's code; the unique
//   index organizations_slug_key makes it a database fact, and a race loser gets the same answer).
//   Without a slug one is derived from the name, with a random suffix when that one is taken.
// - created_by names an existing user (else 400 organization_creator_not_found, Clerk's code), who
//   becomes the first member with the creator role, in the same transaction.
// - every write is one transaction with its audit_log row.
import type { Transaction } from 'kysely';
import type { Deps } from '../../deps.ts';
import type { Database } from '../../db/database.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import { ApiError, notFound, paramFormatInvalid, paramInvalid } from '../../http/errors.ts';
import { newId } from '../../lib/ids.ts';
import { insertMembership, isMissingMemberUser, recordMembershipAudit } from '../memberships/membership.repository.ts';
import { findUserById } from '../users/user.repository.ts';
import { deepMergeMetadata } from '../users/user.service.ts';
import {
  countOrganizations,
  deleteOrganizationById,
  findCreatorRole,
  findOrganizationByIdOrSlug,
  findOrganizationExtras,
  insertOrganization,
  isSlugTaken,
  listOrganizations,
  lockOrganization,
  organizationRowToJson,
  recordOrganizationAudit,
  updateOrganizationById,
  type OrganizationFilter,
  type OrganizationPatch,
} from './organization.repository.ts';
import {
  ORGANIZATION_ORDER_FIELDS,
  type CreateOrganizationInput,
  type DeletedOrganizationJson,
  type GetOrganizationQueryT,
  type ListOrganizationsQueryT,
  type OrganizationJson,
  type OrganizationListJson,
  type OrganizationMetadataInput,
  type UpdateOrganizationInput,
} from './organization.schemas.ts';
import type { OrganizationRow } from './organization.table.ts';
import { isValidSlug, slugFromName, withRandomSuffix } from './organization.slug.ts';

type Json = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Validation

function validName(raw: string): string {
  const name = raw.trim();
  if (name.length === 0) throw paramInvalid('name', 'must not be blank');
  if (/[<>]|:\/\//.test(name)) throw paramInvalid('name', 'must not contain URLs or HTML');
  return name;
}

function validSlug(slug: string): string {
  if (!isValidSlug(slug)) throw paramFormatInvalid('slug', 'slug: lowercase letters and digits in groups separated by single dashes');
  return slug;
}

const slugTaken = () => new ApiError('form_identifier_exists', { vars: { param: 'slug' }, meta: { param_name: 'slug' } });

function refuseRoleSet(key: string | null | undefined): void {
  if (key != null) throw paramInvalid('role_set_key', 'role sets are not supported by this server; every organization uses the instance roles');
}

function parseCreatedAt(value: string | null | undefined): Date | null {
  if (value == null) return null;
  const d = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(d.getTime())) throw paramInvalid('created_at', 'must be an RFC 3339 date-time, e.g. 2012-10-20T07:15:20.902Z');
  return d;
}

// ---------------------------------------------------------------------------------------------
// Create

/** A free slug for this name: the derived one, or it plus a random suffix when taken. */
async function deriveSlug(trx: Transaction<Database>, name: string): Promise<string> {
  const base = slugFromName(name);
  if (!(await isSlugTaken(trx, base))) return base;
  let candidate = withRandomSuffix(base);
  for (let i = 0; i < 4 && (await isSlugTaken(trx, candidate)); i++) candidate = withRandomSuffix(base);
  return candidate;
}

const CREATE_ATTEMPTS = 4;

/**
 * Creates the organization and, with created_by, its creator's membership (creator role) in one
 * transaction. A derived slug that a concurrent create takes first is derived again (the whole
 * transaction reruns, up to 4 times); a slug the client chose is never changed: taken → 422.
 * `guard`, when given, runs first in that transaction (and again on a rerun): it may refuse the
 * create by throwing, and what it locks stays locked until the create commits.
 */
export async function createOrganization(deps: Deps, input: CreateOrganizationInput, guard?: (trx: Transaction<Database>) => Promise<void>): Promise<OrganizationJson> {
  const name = validName(input.name);
  const chosenSlug = input.slug != null ? validSlug(input.slug) : null;
  refuseRoleSet(input.role_set_key);
  const createdAt = parseCreatedAt(input.created_at);
  const createdBy = input.created_by != null && input.created_by !== '' ? input.created_by : null;
  const id = newId('org');

  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.db.transaction().execute(async (trx) => {
        if (guard) await guard(trx);
        if (chosenSlug !== null && (await isSlugTaken(trx, chosenSlug))) throw slugTaken();
        const creatorRole = createdBy !== null ? await findCreatorRole(trx) : undefined;
        if (createdBy !== null) {
          if (!(await findUserById(trx, createdBy))) throw new ApiError('organization_creator_not_found', { vars: { id: createdBy } });
          if (!creatorRole) throw new Error('no role has is_creator_role: the roles table lost its creator role');
        }
        const org = await insertOrganization(trx, {
          id,
          name,
          slug: chosenSlug ?? (await deriveSlug(trx, name)),
          maxAllowedMemberships: input.max_allowed_memberships ?? 0,
          adminDeleteEnabled: input.admin_delete_enabled ?? true,
          publicMetadata: input.public_metadata ?? {},
          privateMetadata: input.private_metadata ?? {},
          createdBy,
          createdAt,
        });
        await recordOrganizationAudit(trx, 'organization.created', org.id, { slug: org.slug, created_by: createdBy });
        if (createdBy !== null && creatorRole) {
          const m = await insertMembership(trx, { organizationId: org.id, userId: createdBy, roleId: creatorRole.id });
          await recordMembershipAudit(trx, 'organization_membership.created', m.id, { organization_id: org.id, user_id: createdBy, role: creatorRole.key });
        }
        return organizationRowToJson(org);
      });
    } catch (err) {
      if (isUniqueViolation(err, 'organizations_slug_key')) {
        if (chosenSlug !== null) throw slugTaken();
        if (attempt < CREATE_ATTEMPTS) continue;
      }
      // The creator was deleted between the check and the insert.
      if (createdBy !== null && isMissingMemberUser(err)) throw new ApiError('organization_creator_not_found', { vars: { id: createdBy } });
      throw err;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Read

async function withExtras(deps: Deps, rows: OrganizationRow[], q: GetOrganizationQueryT): Promise<OrganizationJson[]> {
  const want = { counts: q.include_members_count === true, elevated: q.include_missing_member_with_elevated_permissions === true };
  if (!want.counts && !want.elevated) return rows.map((r) => organizationRowToJson(r));
  const extras = await findOrganizationExtras(deps.db, rows.map((r) => r.id), want);
  return rows.map((r) => organizationRowToJson(r, extras.get(r.id)));
}

/** "+id" / "id" include, "-id" excludes; undefined when the list gives none of that kind. */
function splitSigned(values: string[] | undefined): { include?: string[]; exclude?: string[] } {
  if (!values || values.length === 0) return {};
  const include = values.filter((v) => !v.startsWith('-')).map((v) => v.replace(/^\+/, ''));
  const exclude = values.filter((v) => v.startsWith('-')).map((v) => v.slice(1));
  return { ...(include.length > 0 ? { include } : {}), ...(exclude.length > 0 ? { exclude } : {}) };
}

/**
 * A page of organizations, newest first unless order_by says otherwise; total_count counts every
 * match. Filters combine with AND: query (exact id, or part of name or slug), organization_id[]
 * and user_id[] (organizations those users belong to), each with "-" to exclude.
 */
export async function getOrganizationList(deps: Deps, q: ListOrganizationsQueryT): Promise<OrganizationListJson> {
  const orderBy = q.order_by ?? '-created_at';
  const field = ORGANIZATION_ORDER_FIELDS.find((f) => f === orderBy.replace(/^[+-]/, '')) ?? 'created_at';
  const ids = splitSigned(q.organization_id);
  const users = splitSigned(q.user_id);
  const filter: OrganizationFilter = {
    ...(q.query ? { query: q.query } : {}),
    ...(ids.include ? { includeIds: ids.include } : {}),
    ...(ids.exclude ? { excludeIds: ids.exclude } : {}),
    ...(users.include ? { memberUserIds: users.include } : {}),
    ...(users.exclude ? { nonMemberUserIds: users.exclude } : {}),
  };
  const [rows, total] = await Promise.all([
    listOrganizations(deps.db, filter, { limit: q.limit ?? 10, offset: q.offset ?? 0, orderBy: field, direction: orderBy.startsWith('-') ? 'desc' : 'asc' }),
    countOrganizations(deps.db, filter),
  ]);
  return { data: await withExtras(deps, rows, q), total_count: total };
}

/** By id or slug; unknown → 404 resource_not_found. */
export async function getOrganization(deps: Deps, idOrSlug: string, q: GetOrganizationQueryT): Promise<OrganizationJson> {
  const row = await findOrganizationByIdOrSlug(deps.db, idOrSlug);
  if (!row) throw notFound('organization', idOrSlug);
  const [json] = await withExtras(deps, [row], q);
  return json!;
}

// ---------------------------------------------------------------------------------------------
// Update and delete

async function inOrganizationWrite<T>(deps: Deps, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  try {
    return await deps.db.transaction().execute(fn);
  } catch (err) {
    if (isUniqueViolation(err, 'organizations_slug_key')) throw slugTaken();
    throw err;
  }
}

/**
 * Changes only the keys given (null is "leave as is"). Lowering max_allowed_memberships below the
 * seats already taken is allowed: nobody is removed, new members are refused until seats free up.
 * Unknown id → 404.
 */
export async function updateOrganization(deps: Deps, id: string, input: UpdateOrganizationInput): Promise<OrganizationJson> {
  refuseRoleSet(input.role_set_key);
  const patch: OrganizationPatch = {};
  if (input.name != null) patch.name = validName(input.name);
  if (input.slug != null) patch.slug = validSlug(input.slug);
  if (input.max_allowed_memberships != null) patch.max_allowed_memberships = input.max_allowed_memberships;
  if (input.admin_delete_enabled != null) patch.admin_delete_enabled = input.admin_delete_enabled;

  return inOrganizationWrite(deps, async (trx) => {
    const org = await lockOrganization(trx, id);
    if (!org) throw notFound('organization', id);
    if (patch.slug === org.slug) delete patch.slug;
    if (patch.slug !== undefined && (await isSlugTaken(trx, patch.slug, id))) throw slugTaken();
    if (Object.keys(patch).length === 0) return organizationRowToJson(org);
    const updated = await updateOrganizationById(trx, id, patch);
    await recordOrganizationAudit(trx, 'organization.updated', id, { fields: Object.keys(patch).sort() });
    return organizationRowToJson(updated);
  });
}

/** Deletes the organization with its memberships and invitations (cascade). Unknown id → 404. */
export async function deleteOrganization(deps: Deps, id: string): Promise<DeletedOrganizationJson> {
  return deps.db.transaction().execute(async (trx) => {
    const deleted = await deleteOrganizationById(trx, id);
    if (!deleted) throw notFound('organization', id);
    await recordOrganizationAudit(trx, 'organization.deleted', id, { slug: deleted.slug });
    return { object: 'organization', id, slug: deleted.slug, deleted: true };
  });
}

// ---------------------------------------------------------------------------------------------
// Metadata

async function changeMetadata(
  deps: Deps,
  id: string,
  input: OrganizationMetadataInput,
  combine: (current: Json, given: Json | null) => Json,
): Promise<OrganizationJson> {
  return deps.db.transaction().execute(async (trx) => {
    const org = await lockOrganization(trx, id);
    if (!org) throw notFound('organization', id);
    const patch: OrganizationPatch = {};
    if (input.public_metadata !== undefined) patch.public_metadata = combine(org.public_metadata ?? {}, input.public_metadata);
    if (input.private_metadata !== undefined) patch.private_metadata = combine(org.private_metadata ?? {}, input.private_metadata);
    if (Object.keys(patch).length === 0) return organizationRowToJson(org);
    const updated = await updateOrganizationById(trx, id, patch);
    await recordOrganizationAudit(trx, 'organization.metadata_updated', id, { fields: Object.keys(patch).sort() });
    return organizationRowToJson(updated);
  });
}

/**
 * PATCH …/metadata: each given object is deep-merged into the stored one (nested objects merge, a
 * key set to null is removed); a top-level null clears that object. Under the row lock, so
 * concurrent merges all land. Unknown id → 404.
 */
export async function mergeOrganizationMetadata(deps: Deps, id: string, input: OrganizationMetadataInput): Promise<OrganizationJson> {
  return changeMetadata(deps, id, input, (current, given) => (given === null ? {} : deepMergeMetadata(current, given)));
}

/**
 * PUT …/metadata (@clerk/backend's replaceOrganizationMetadata, and updateOrganization when given
 * metadata): each given object replaces the stored one in full; an omitted one is kept; null
 * stores {}. Unknown id → 404.
 */
export async function replaceOrganizationMetadata(deps: Deps, id: string, input: OrganizationMetadataInput): Promise<OrganizationJson> {
  return changeMetadata(deps, id, input, (_current, given) => given ?? {});
}
