// Organization invitations in the Backend API: create (single and bulk), get, list (per
// organization, pending only, instance-wide, per user), revoke. The design follows application
// invitations (features/invitations): the ticket is minted here and only its purpose-bound hash is
// stored; the email goes through the outbox in the same statement as the invitation.
//
// Rules:
// - unknown organization → 404 resource_not_found (every route under /organizations/{id}).
// - the address is canonicalised first (lib/email.ts); a bad one → 422 form_param_format_invalid.
// - redirect_url must pass the same allow-list as application invitations (redirectPolicy) → else
//   422 form_param_value_invalid.
// - the role is a role key; the legacy admin / basic_member are accepted and stored as the
//   canonical key (ensureRole's rule); unknown → 422 form_param_value_invalid naming `role`.
// - inviter_user_id / requesting_user_id, when given, must be a member whose role holds
//   org:sys_memberships:manage (only org:admin out of the box) → else 403
//   not_an_admin_in_organization. Without one, the secret key alone authorises the call.
// - the invitee must not already be a member (a user owning the address is one) → 400
//   already_a_member_in_organization (meta.email_addresses).
// - one live pending invitation per (organization, address) → 400 duplicate_record
//   (meta.email_addresses), the code application invitations use and Clerk's own UI handles for
//   organization invitations. A pending invitation past its expiry does not block: it is marked
//   expired first. The partial unique index organization_invitations_pending_key is the invariant:
//   a concurrent create that loses the race gets the same 400.
// - max_allowed_memberships (0 = unlimited) caps members + pending, unexpired invitations; adding
//   n invitations past it → 403 organization_membership_quota_exceeded. Checked under
//   lockOrganization, as membership writes are.
// - bulk: 1..10 items (more → 400 bulk_size_exceeded), all created or none.
// - revoke: only a pending, unexpired invitation → else 404 organization_invitation_not_pending.
import type { Deps } from '../../deps.ts';
import { ApiError, notFound, paramFormatInvalid, paramInvalid } from '../../http/errors.ts';
import { ms } from '../../http/schemas.ts';
import { coalesceWrites, type Coalescer } from '../../lib/coalesce.ts';
import { canonicalEmail } from '../../lib/email.ts';
import { newId } from '../../lib/ids.ts';
import { isAllowedRedirect } from '../../lib/redirect.ts';
import { outboxSecretBox } from '../../lib/secret-box.ts';
import { mintTicket } from '../../lib/tickets.ts';
import { newMessageId, type EmailMessagePayload } from '../../mail/outbox.repository.ts';
import { deliversToMailbox } from '../../mail/transport.ts';
import { messageDomain, redirectPolicy, ticketUrl } from '../invitations/invitation.service.ts';
import type { InvitationStatus } from '../invitations/invitation.table.ts';
import { membershipQuotaExceeded } from '../memberships/membership.service.ts';
import { findOrganizationById, lockOrganization } from '../organizations/organization.repository.ts';
import { LEGACY_ROLE_ALIASES, MANAGE_MEMBERSHIPS, ensureMemberPermission } from '../roles/role.service.ts';
import { findUserById } from '../users/user.repository.ts';
import {
  countOrganizationInvitations,
  createConflictOf,
  expireStaleOrganizationInvitations,
  findOrganizationInvitation,
  findOrganizationInvitationForUpdate,
  insertOrganizationInvitationsEach,
  insertOrganizationInvitationsIfFree,
  listOrganizationInvitations,
  recordOrganizationInvitationAudit,
  setOrganizationInvitationRevoked,
  type CreateVerdict,
  type EachVerdict,
  type ItemBlock,
  type NewOrganizationInvitation,
  type OrganizationInvitationFilter,
  type OrganizationInvitationPage,
  type OrganizationInvitationView,
} from './organization-invitation.repository.ts';
import {
  ORGANIZATION_INVITATION_BULK_MAX,
  type CreateOrganizationInvitationInput,
  type InstanceOrganizationInvitationsQueryT,
  type ListOrganizationInvitationsQueryT,
  type OrganizationInvitationJson,
  type OrganizationInvitationListJson,
  type PendingOrganizationInvitationsQueryT,
  type UserOrganizationInvitationsQueryT,
} from './organization-invitation.schemas.ts';

// ---------------------------------------------------------------------------------------------
// Wire mapper

/**
 * The OrganizationInvitation object (clerk-wire.md §3.2). `url` only in the answer to a create;
 * `public_organization_data` only in the instance-wide and per-user lists.
 */
export function organizationInvitationToJson(v: OrganizationInvitationView, opts: { url?: string; withOrganization?: boolean } = {}): OrganizationInvitationJson {
  return {
    object: 'organization_invitation',
    id: v.id,
    email_address: v.email,
    role: v.role_key,
    role_name: v.role_name,
    organization_id: v.organization_id,
    inviter_id: v.inviter_user_id,
    public_inviter_data:
      v.inviter_user_id === null
        ? null
        : {
            user_id: v.inviter_user_id,
            first_name: v.inviter_first_name,
            last_name: v.inviter_last_name,
            image_url: '',
            has_image: false,
            identifier: v.inviter_email ?? v.inviter_username ?? '',
          },
    status: v.status,
    public_metadata: v.public_metadata ?? {},
    private_metadata: v.private_metadata ?? {},
    url: opts.url ?? null,
    expires_at: ms(v.expires_at),
    created_at: ms(v.created_at),
    updated_at: ms(v.updated_at),
    ...(opts.withOrganization
      ? {
          public_organization_data: {
            id: v.organization_id,
            name: v.organization_name,
            slug: v.organization_slug,
            image_url: v.organization_image_url ?? '',
            has_image: false,
          },
        }
      : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Create

interface Prepared {
  row: NewOrganizationInvitation;
  ticket: string;
}


/** Checks what needs no database (address, redirect), mints the ticket, builds the row and its email. */
function prepare(deps: Deps, organizationId: string, input: CreateOrganizationInvitationInput): Prepared {
  const email = canonicalEmail(input.email_address);
  if (email === null) throw paramFormatInvalid('email_address', 'email address');
  const redirectUrl = input.redirect_url ?? null;
  if (redirectUrl !== null && !isAllowedRedirect(redirectUrl, redirectPolicy(deps))) {
    throw paramInvalid('redirect_url', 'its origin is not in TESSERA_ALLOWED_REDIRECT_ORIGINS');
  }
  const { token, hash } = mintTicket('organization_invitation');
  const id = newId('orginv');
  const notify = input.notify ?? true;
  const outboxEmail = notify
    ? {
        messageId: newMessageId(messageDomain(deps)),
        payload: {
          template: 'organization_invitation',
          to: email,
          // organization_name, role_name, inviter_name, inviter_email and expires_at are added by the
          // insert statement, from the rows it reads and writes.
          vars: { app_name: deps.config.appName, organization_invitation_id: id, organization_id: organizationId },
          sealed: { url: outboxSecretBox(deps.instance.secretKey).seal(ticketUrl(deps.config.publicUrl, token)) },
        } satisfies EmailMessagePayload,
        mailbox: deliversToMailbox(deps.config),
      }
    : null;
  return {
    ticket: token,
    row: {
      id,
      email,
      roleKey: LEGACY_ROLE_ALIASES[input.role] ?? input.role,
      inviterUserId: input.inviter_user_id ?? null,
      publicMetadata: input.public_metadata ?? {},
      privateMetadata: input.private_metadata ?? {},
      redirectUrl,
      notify,
      ticketHash: hash,
      expiresInDays: input.expires_in_days ?? 30,
      outboxEmail,
    },
  };
}

const duplicateRecord = (emails: string[]) => new ApiError('duplicate_record', { vars: { emails: emails.join(', ') }, meta: { email_addresses: emails } });

const alreadyMembers = (emails: string[]) =>
  new ApiError('already_a_member_in_organization', { vars: { user: emails.join(', ') }, meta: { param_name: 'email_address', email_addresses: emails } });

/** Something that is an error whatever the lock: no retry can help. */
function hardBlock(v: CreateVerdict): boolean {
  return v.organizationMissing || v.unknownRoles.length > 0 || v.notAdmins.length > 0 || v.members.length > 0 || v.duplicates.length > 0;
}

/** Nothing but the seat limit or a stale pending row stands in the way: retry under the organization lock. */
function needsLockedRetry(v: CreateVerdict): boolean {
  return v.created.length === 0 && !hardBlock(v) && (v.stale.length > 0 || (v.maxAllowed ?? 0) > 0);
}

/** The error for a verdict that created nothing, in the order the rules are listed at the top. */
function blockedError(organizationId: string, v: CreateVerdict, adding: number): Error {
  if (v.organizationMissing) return notFound('organization', organizationId);
  if (v.unknownRoles.length > 0) return paramInvalid('role', `role "${v.unknownRoles[0]}" does not exist`);
  if (v.notAdmins.length > 0) return new ApiError('not_an_admin_in_organization');
  if (v.members.length > 0) return alreadyMembers(v.members);
  if (v.duplicates.length > 0 || v.stale.length > 0) return duplicateRecord([...v.duplicates, ...v.stale].sort());
  const max = v.maxAllowed ?? 0;
  if (max > 0 && (v.seatsTaken === null || v.seatsTaken + adding > max)) return membershipQuotaExceeded(max);
  // Not reachable: the statement inserts whenever none of the above holds. A 500, logged.
  return new Error(`organization invitation create wrote nothing without a reason: ${JSON.stringify({ ...v, created: [] })}`);
}

/**
 * Writes the prepared invitations (with their emails and audit rows) or nothing. For an
 * unlimited organization without stale rows that is one statement; otherwise a transaction that
 * locks the organization row, expires stale pending rows if any, and runs the statement again.
 */
async function insertPrepared(deps: Deps, organizationId: string, prepared: Prepared[]): Promise<OrganizationInvitationJson[]> {
  // The same address twice in one request.
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const p of prepared) (seen.has(p.row.email) ? repeated : seen).add(p.row.email);
  if (repeated.size > 0) throw duplicateRecord([...repeated].sort());

  const items = prepared.map((p) => p.row);
  const opts = { managePermission: MANAGE_MEMBERSHIPS };
  let verdict: CreateVerdict;
  try {
    verdict = await insertOrganizationInvitationsIfFree(deps.db, organizationId, items, { ...opts, locked: false });
    if (needsLockedRetry(verdict)) {
      verdict = await deps.db.transaction().execute(async (trx) => {
        await lockOrganization(trx, organizationId);
        const v = await insertOrganizationInvitationsIfFree(trx, organizationId, items, { ...opts, locked: true });
        if (v.created.length > 0 || hardBlock(v) || v.stale.length === 0) return v;
        await expireStaleOrganizationInvitations(trx, organizationId, v.stale);
        return insertOrganizationInvitationsIfFree(trx, organizationId, items, { ...opts, locked: true });
      });
    }
  } catch (err) {
    switch (createConflictOf(err)) {
      case 'duplicate':
        throw duplicateRecord([...seen].sort());
      case 'organization':
        throw notFound('organization', organizationId);
      case 'role':
        throw paramInvalid('role', 'the role was deleted meanwhile');
      case 'inviter':
        throw new ApiError('not_an_admin_in_organization');
      default:
        throw err;
    }
  }
  if (verdict.created.length === 0) throw blockedError(organizationId, verdict, items.length);
  const tickets = new Map(prepared.map((p) => [p.row.id, p.ticket]));
  return verdict.created.map((v) => organizationInvitationToJson(v, { url: ticketUrl(deps.config.publicUrl, tickets.get(v.id)!) }));
}

interface SingleCreate {
  organizationId: string;
  prepared: Prepared;
}

/** The error insertPrepared would give for this one item blocked by `blocked`. */
function itemBlockedError(organizationId: string, row: NewOrganizationInvitation, blocked: Exclude<ItemBlock, 'stale'>): Error {
  const v: CreateVerdict = {
    created: [], organizationMissing: false, maxAllowed: 0, seatsTaken: null, stale: [],
    unknownRoles: blocked === 'unknown_role' ? [row.roleKey] : [],
    notAdmins: blocked === 'not_admin' && row.inviterUserId !== null ? [row.inviterUserId] : [],
    members: blocked === 'member' ? [row.email] : [],
    duplicates: blocked === 'duplicate' ? [row.email] : [],
  };
  return blockedError(organizationId, v, 1);
}

/**
 * Single creates, coalesced per organization (lib/coalesce.ts), as application invitations are:
 * the creates for one organization that arrive while one is being written go in one statement,
 * each with its own verdict; one address never twice in a statement. What the statement cannot
 * decide alone (a seat limit, a stale pending invitation) and every item of a statement that failed
 * (a race with another process) is written again on its own through insertPrepared, so that each
 * request gets exactly the answer it would have got alone.
 */
function singleCreates(deps: Deps): Coalescer<SingleCreate, OrganizationInvitationJson> {
  let coalescer = coalescers.get(deps.db);
  if (coalescer === undefined) {
    const alone = (c: SingleCreate) => insertPrepared(deps, c.organizationId, [c.prepared]).then(([json]) => json!);
    coalescer = coalesceWrites<SingleCreate, OrganizationInvitationJson, EachVerdict['items'][number] & { organizationMissing: boolean }>({
      what: 'organization invitation create',
      alone,
      together: async (batch) => {
        const v = await insertOrganizationInvitationsEach(deps.db, batch[0]!.organizationId, batch.map((c) => c.prepared.row), { managePermission: MANAGE_MEMBERSHIPS });
        return v.items.map((item) => ({ ...item, organizationMissing: v.organizationMissing }));
      },
      answer: (c, item) => {
        if (item.organizationMissing) return Promise.reject(notFound('organization', c.organizationId));
        if (item.created !== null) return Promise.resolve(organizationInvitationToJson(item.created, { url: ticketUrl(deps.config.publicUrl, c.prepared.ticket) }));
        if (item.blocked === null || item.blocked === 'stale') return alone(c); // a seat limit, or a stale row to expire first
        return Promise.reject(itemBlockedError(c.organizationId, c.prepared.row, item.blocked));
      },
      isRace: (err) => createConflictOf(err) !== null,
      log: deps.log,
      maxInFlight: deps.config.writeCoalescing,
      maxBatch: ORGANIZATION_INVITATION_BULK_MAX * 5,
      group: (c) => c.organizationId,
      key: (c) => c.prepared.row.email,
    });
    coalescers.set(deps.db, coalescer);
  }
  return coalescer;
}
const coalescers = new WeakMap<Deps['db'], Coalescer<SingleCreate, OrganizationInvitationJson>>();

/** Invites one address to the organization (rules at the top of this file). */
export async function createOrganizationInvitation(deps: Deps, organizationId: string, input: CreateOrganizationInvitationInput): Promise<OrganizationInvitationJson> {
  const prepared = prepare(deps, organizationId, input);
  const created = await singleCreates(deps).submit({ organizationId, prepared });
  if (prepared.row.notify) deps.notifyOutbox();
  return created;
}

/** 1..10 invitations, all or nothing: one statement for every item; any blocked item fails the request. */
export async function createOrganizationInvitationBulk(deps: Deps, organizationId: string, inputs: CreateOrganizationInvitationInput[]): Promise<OrganizationInvitationListJson> {
  if (inputs.length > ORGANIZATION_INVITATION_BULK_MAX) throw new ApiError('bulk_size_exceeded', { vars: { max: ORGANIZATION_INVITATION_BULK_MAX } });
  const prepared = inputs.map((i) => prepare(deps, organizationId, i));
  const data = await insertPrepared(deps, organizationId, prepared);
  if (prepared.some((p) => p.row.notify)) deps.notifyOutbox();
  return { data, total_count: data.length };
}

// ---------------------------------------------------------------------------------------------
// Reads

const ORDER_COLUMNS = { created_at: 'created_at', email_address: 'email' } as const;

function pageOf(q: { limit?: number; offset?: number; order_by?: string }): OrganizationInvitationPage {
  const orderBy = q.order_by ?? '-created_at';
  const field = orderBy.replace(/^[+-]/, '');
  return {
    limit: q.limit ?? 10,
    offset: q.offset ?? 0,
    orderBy: field === 'email_address' ? ORDER_COLUMNS.email_address : ORDER_COLUMNS.created_at,
    direction: orderBy.startsWith('-') ? 'desc' : 'asc',
  };
}

const statusesOf = (s: InvitationStatus[] | undefined): InvitationStatus[] | undefined => (s && s.length > 0 ? s : undefined);
const fold = (s: string) => s.normalize('NFKC').toLowerCase();

async function page(deps: Deps, filter: OrganizationInvitationFilter, p: OrganizationInvitationPage, withOrganization: boolean): Promise<OrganizationInvitationListJson> {
  const [rows, total] = await Promise.all([listOrganizationInvitations(deps.db, filter, p), countOrganizationInvitations(deps.db, filter)]);
  return { data: rows.map((r) => organizationInvitationToJson(r, { withOrganization })), total_count: total };
}

async function ensureOrganization(deps: Deps, organizationId: string): Promise<void> {
  if (!(await findOrganizationById(deps.db, organizationId))) throw notFound('organization', organizationId);
}

/** The organization's invitations, newest first by default, every status unless filtered. Unknown organization → 404. */
export async function listOrganizationInvitationsOf(deps: Deps, organizationId: string, q: ListOrganizationInvitationsQueryT): Promise<OrganizationInvitationListJson> {
  const filter: OrganizationInvitationFilter = {
    organizationId,
    statuses: statusesOf(q.status),
    ...(q.email_address !== undefined ? { email: canonicalEmail(q.email_address) ?? fold(q.email_address) } : {}),
  };
  const [, result] = await Promise.all([ensureOrganization(deps, organizationId), page(deps, filter, pageOf(q), false)]);
  return result;
}

/** Deprecated by Clerk: the pending (unexpired) invitations, newest first. Unknown organization → 404. */
export async function listPendingOrganizationInvitations(deps: Deps, organizationId: string, q: PendingOrganizationInvitationsQueryT): Promise<OrganizationInvitationListJson> {
  const [, result] = await Promise.all([
    ensureOrganization(deps, organizationId),
    page(deps, { organizationId, statuses: ['pending'] }, pageOf(q), false),
  ]);
  return result;
}

/** Every organization invitation of the instance, with public_organization_data. */
export async function listInstanceOrganizationInvitations(deps: Deps, q: InstanceOrganizationInvitationsQueryT): Promise<OrganizationInvitationListJson> {
  const filter: OrganizationInvitationFilter = { statuses: statusesOf(q.status), ...(q.query ? { emailQuery: fold(q.query) } : {}) };
  return page(deps, filter, pageOf(q), true);
}

/**
 * Invitations to the user's verified email addresses (an unverified address may belong to
 * someone else: security.md, "Who may do what"), newest first, with public_organization_data.
 * Unknown user → 404.
 */
export async function listUserOrganizationInvitations(deps: Deps, userId: string, q: UserOrganizationInvitationsQueryT): Promise<OrganizationInvitationListJson> {
  const [user, result] = await Promise.all([findUserById(deps.db, userId), page(deps, { userId, statuses: statusesOf(q.status) }, pageOf(q), true)]);
  if (!user) throw notFound('user', userId);
  return result;
}

async function invitationNotFound(deps: Deps, organizationId: string, id: string): Promise<ApiError> {
  if (!(await findOrganizationById(deps.db, organizationId))) return notFound('organization', organizationId);
  return notFound('organization invitation', id);
}

/** Unknown organization, or no such invitation in it → 404 resource_not_found. */
export async function getOrganizationInvitation(deps: Deps, organizationId: string, id: string): Promise<OrganizationInvitationJson> {
  const row = await findOrganizationInvitation(deps.db, organizationId, id);
  if (!row) throw await invitationNotFound(deps, organizationId, id);
  return organizationInvitationToJson(row);
}

// ---------------------------------------------------------------------------------------------
// Revoke

/**
 * Revoking stops the link from working. Unknown organization or invitation → 404
 * resource_not_found; requesting_user_id (when given) must be a member who can manage members →
 * else 403 not_an_admin_in_organization; only a pending, unexpired invitation can be revoked →
 * else 404 organization_invitation_not_pending. The row is locked, so a revoke and an accept of
 * one invitation take turns.
 */
export async function revokeOrganizationInvitation(deps: Deps, organizationId: string, id: string, requestingUserId: string | null): Promise<OrganizationInvitationJson> {
  const result = await deps.db.transaction().execute(async (trx) => {
    const row = await findOrganizationInvitationForUpdate(trx, organizationId, id);
    if (!row) return null;
    if (requestingUserId !== null) await ensureMemberPermission(trx, organizationId, requestingUserId);
    if (row.status !== 'pending') throw new ApiError('organization_invitation_not_pending');
    const updatedAt = await setOrganizationInvitationRevoked(trx, id);
    await recordOrganizationInvitationAudit(trx, 'organization_invitation.revoked', id, { organization_id: organizationId, requesting_user_id: requestingUserId });
    return organizationInvitationToJson({ ...row, status: 'revoked', updated_at: updatedAt });
  });
  if (!result) throw await invitationNotFound(deps, organizationId, id);
  return result;
}
