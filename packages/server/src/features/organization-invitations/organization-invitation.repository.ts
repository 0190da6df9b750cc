// SQL for organization invitations. As for application invitations, an invitation "is" expired
// when it is pending past expires_at: every read computes that in SQL, so no job has to run first.
//
// Reads return OrganizationInvitationView: the row (never its ticket hash) with its role's key and
// name, its organization's public data and its inviter's public data, joined in the same query.
import { CompiledQuery, sql, type Kysely, type RawBuilder, type SqlBool, type Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import { PREPARED_MARK } from '../../db/open.ts';
import { totalFromCounters } from '../invitations/invitation-counts.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import type { InvitationStatus } from '../invitations/invitation.table.ts';
import { OUTBOX_DELIVERY_COLUMNS, outboxDeliveryValues } from '../../mail/outbox.repository.ts';

type Db = Kysely<Database> | Transaction<Database>;
type Json = Record<string, unknown>;

export interface OrganizationInvitationView {
  id: string;
  organization_id: string;
  email: string;
  inviter_user_id: string | null;
  public_metadata: Json;
  private_metadata: Json;
  redirect_url: string | null;
  status: InvitationStatus;
  expires_at: Date;
  created_at: Date;
  updated_at: Date;
  role_key: string;
  role_name: string;
  organization_name: string;
  organization_slug: string;
  organization_image_url: string | null;
  inviter_first_name: string | null;
  inviter_last_name: string | null;
  inviter_username: string | null;
  /** The inviter's primary email address. */
  inviter_email: string | null;
}

const PENDING_KEY = 'organization_invitations_pending_key';

// ---------------------------------------------------------------------------------------------
// Reads

const effectiveStatus = sql<InvitationStatus>`CASE WHEN i.status = 'pending' AND i.expires_at <= now() THEN 'expired' ELSE i.status END`;

function joined(db: Db) {
  return db
    .selectFrom('organization_invitations as i')
    .innerJoin('roles as r', 'r.id', 'i.role_id')
    .innerJoin('organizations as o', 'o.id', 'i.organization_id')
    .leftJoin('users as u', 'u.id', 'i.inviter_user_id')
    .select((eb) => [
      'i.id',
      'i.organization_id',
      'i.email',
      'i.inviter_user_id',
      'i.public_metadata',
      'i.private_metadata',
      'i.redirect_url',
      effectiveStatus.as('status'),
      'i.expires_at',
      'i.created_at',
      'i.updated_at',
      'r.key as role_key',
      'r.name as role_name',
      'o.name as organization_name',
      'o.slug as organization_slug',
      'o.image_url as organization_image_url',
      'u.first_name as inviter_first_name',
      'u.last_name as inviter_last_name',
      'u.username as inviter_username',
      eb.selectFrom('email_addresses as e').select('e.email').whereRef('e.id', '=', 'u.primary_email_address_id').as('inviter_email'),
    ]);
}

export async function findOrganizationInvitation(db: Db, organizationId: string, id: string): Promise<OrganizationInvitationView | undefined> {
  return joined(db).where('i.id', '=', id).where('i.organization_id', '=', organizationId).executeTakeFirst();
}

/** The invitation a ticket hash belongs to (any status), or undefined. */
export async function findOrganizationInvitationByTicketHash(db: Db, hash: Buffer): Promise<OrganizationInvitationView | undefined> {
  return joined(db).where('i.ticket_hash', '=', hash).executeTakeFirst();
}

export interface OrganizationInvitationFilter {
  organizationId?: string;
  /** Effective statuses (expiry computed here); none: every status. */
  statuses?: InvitationStatus[];
  /** Exact canonical address. */
  email?: string;
  /** Part of the address (lowercased). */
  emailQuery?: string;
  /** Invitations to any verified address of this user. */
  userId?: string;
}

export interface OrganizationInvitationPage {
  limit: number;
  offset: number;
  orderBy: 'created_at' | 'email';
  direction: 'asc' | 'desc';
}

function filterSql(f: OrganizationInvitationFilter): RawBuilder<SqlBool> {
  const parts: RawBuilder<unknown>[] = [];
  if (f.organizationId !== undefined) parts.push(sql`i.organization_id = ${f.organizationId}`);
  if (f.statuses && f.statuses.length > 0) {
    const alternatives = [...new Set(f.statuses)].map((s) => {
      switch (s) {
        case 'pending':
          return sql`(i.status = 'pending' AND i.expires_at > now())`;
        case 'expired':
          return sql`(i.status = 'expired' OR (i.status = 'pending' AND i.expires_at <= now()))`;
        default:
          return sql`i.status = ${s}`;
      }
    });
    parts.push(sql`(${sql.join(alternatives, sql` OR `)})`);
  }
  if (f.email !== undefined) parts.push(sql`i.email = ${f.email}`);
  if (f.emailQuery) parts.push(sql`i.email LIKE ${`%${f.emailQuery.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}`);
  if (f.userId !== undefined) {
    parts.push(sql`i.email IN (SELECT e.email FROM email_addresses e WHERE e.user_id = ${f.userId} AND e.verification_status = 'verified')`);
  }
  return parts.length > 0 ? sql<SqlBool>`${sql.join(parts, sql` AND `)}` : sql<SqlBool>`true`;
}

/** The stored statuses of the rows whose effective status is this one (a pending row past expiry is expired). */
const STORED_STATUSES: Record<InvitationStatus, readonly InvitationStatus[]> = {
  pending: ['pending'],
  expired: ['expired', 'pending'],
  accepted: ['accepted'],
  revoked: ['revoked'],
};
/** Every status, stored or effective (the keys of STORED_STATUSES). */
const EVERY_STATUS = Object.keys(STORED_STATUSES) as readonly InvitationStatus[];

/**
 * One page; ties break on id, in the same direction.
 *
 * An organization's list in time order, filtered by status only (or not at all), is a merge of the
 * organization's ranges of organization_invitations_org_status_idx, one per stored status, each
 * read in index order for at most offset + limit rows: its cost does not grow with the
 * organization's invitations, for any set of statuses. Any other list is one query on the filter.
 */
export async function listOrganizationInvitations(db: Db, f: OrganizationInvitationFilter, page: OrganizationInvitationPage): Promise<OrganizationInvitationView[]> {
  return organizationInvitationList(db, f, page).execute();
}

/** listOrganizationInvitations's query, not yet run (the tests read its plan). */
export function organizationInvitationList(db: Db, f: OrganizationInvitationFilter, page: OrganizationInvitationPage) {
  if (f.organizationId !== undefined && page.orderBy === 'created_at' && f.email === undefined && !f.emailQuery && f.userId === undefined) {
    const stored = f.statuses && f.statuses.length > 0 ? [...new Set(f.statuses.flatMap((s) => STORED_STATUSES[s]))] : EVERY_STATUS;
    const dir = sql.raw(page.direction === 'asc' ? 'ASC' : 'DESC');
    const where = filterSql(f);
    const ranges = stored.map(
      (status) => sql`(SELECT i.id, i.created_at FROM organization_invitations i
        WHERE i.organization_id = ${f.organizationId} AND i.status = ${status} AND ${where}
        ORDER BY i.created_at ${dir}, i.id ${dir} LIMIT ${page.offset + page.limit})`,
    );
    const pageIds = sql<{ id: string }>`(SELECT r.id, r.created_at FROM (${sql.join(ranges, sql` UNION ALL `)}) r
      ORDER BY r.created_at ${dir}, r.id ${dir} LIMIT ${page.limit} OFFSET ${page.offset})`;
    return joined(db)
      .innerJoin(pageIds.as('p'), 'p.id', 'i.id')
      .orderBy('i.created_at', page.direction)
      .orderBy('i.id', page.direction);
  }
  return joined(db)
    .where(filterSql(f))
    .orderBy(`i.${page.orderBy}`, page.direction)
    .orderBy('i.id', page.direction)
    .limit(page.limit)
    .offset(page.offset);
}

/**
 * total_count for a list. For one organization filtered by status only, it reads the trigger-kept
 * counters and corrects them for pending rows past expiry (partial index), so the cost does not grow
 * with the organization's invitations; any other filter counts matching rows.
 */
export async function countOrganizationInvitations(db: Db, f: OrganizationInvitationFilter): Promise<number> {
  if (f.organizationId !== undefined && f.email === undefined && !f.emailQuery && f.userId === undefined) {
    const organizationId = f.organizationId;
    const [byStatus, stale] = await Promise.all([
      db
        .selectFrom('organization_invitation_counts')
        .select(['status', (eb) => eb.fn.sum<number>('n').as('n')])
        .where('organization_id', '=', organizationId)
        .groupBy('status')
        .execute(),
      db
        .selectFrom('organization_invitations')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('organization_id', '=', organizationId)
        .where('status', '=', 'pending')
        .where('expires_at', '<=', sql<Date>`now()`)
        .executeTakeFirstOrThrow(),
    ]);
    const statuses = f.statuses && f.statuses.length > 0 ? f.statuses : EVERY_STATUS;
    return totalFromCounters(byStatus, Number(stale.n), statuses);
  }
  const row = await db
    .selectFrom('organization_invitations as i')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where(filterSql(f))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Rewrites up to `limit` pending organization invitations past expiry to 'expired' (see the sweeper). */
export async function expireOverdueOrganizationInvitations(db: Db, limit: number): Promise<number> {
  const res = await sql`
    UPDATE organization_invitations SET status = 'expired', updated_at = now()
    WHERE id IN (
      SELECT id FROM organization_invitations WHERE status = 'pending' AND expires_at <= now()
      ORDER BY expires_at LIMIT ${limit} FOR UPDATE SKIP LOCKED
    )`.execute(db);
  return Number(res.numAffectedRows ?? 0n);
}

// ---------------------------------------------------------------------------------------------
// Revoke

/** The invitation under FOR UPDATE (a revoke and an accept of one invitation take turns). */
export async function findOrganizationInvitationForUpdate(trx: Transaction<Database>, organizationId: string, id: string): Promise<OrganizationInvitationView | undefined> {
  return joined(trx).where('i.id', '=', id).where('i.organization_id', '=', organizationId).forUpdate('i').executeTakeFirst();
}

/** Marks the invitation revoked; returns its new updated_at. */
export async function setOrganizationInvitationRevoked(trx: Transaction<Database>, id: string): Promise<Date> {
  const row = await trx
    .updateTable('organization_invitations')
    .set({ status: 'revoked', updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .returning('updated_at')
    .executeTakeFirstOrThrow();
  return row.updated_at;
}

export async function recordOrganizationInvitationAudit(trx: Transaction<Database>, action: string, id: string, data: Json): Promise<void> {
  await trx.insertInto('audit_log').values({ actor: 'backend_api', action, target: id, data: JSON.stringify(data) }).execute();
}

// ---------------------------------------------------------------------------------------------
// Create

export interface NewOrganizationInvitation {
  id: string;
  email: string;
  /** Canonical key (legacy aliases already resolved). */
  roleKey: string;
  inviterUserId: string | null;
  publicMetadata: Json;
  privateMetadata: Json;
  redirectUrl: string | null;
  notify: boolean;
  ticketHash: Buffer;
  expiresInDays: number;
  /**
   * The outbox row, when notify: the statement adds the organization, role, inviter and expiry to
   * payload.vars. mailbox: delivered into the dev mailbox by the statement itself (mail/transport.ts,
   * deliversToMailbox).
   */
  outboxEmail: { messageId: string; payload: Json; mailbox: boolean } | null;
}

export interface CreateVerdict {
  /** The created invitations in input order; empty when anything below blocked them. */
  created: OrganizationInvitationView[];
  organizationMissing: boolean;
  /** max_allowed_memberships (0 = unlimited); null when the organization is missing. */
  maxAllowed: number | null;
  unknownRoles: string[];
  /** inviter_user_id values that are not members holding `managePermission`. */
  notAdmins: string[];
  /** Addresses that belong to a user who is already a member. */
  members: string[];
  /** Addresses with a live pending invitation to this organization. */
  duplicates: string[];
  /** Addresses whose only pending invitation is past its expiry (must be expired first: the unique index still holds it). */
  stale: string[];
  /** Members + pending, unexpired invitations; computed only when `locked` and the organization has a limit. */
  seatsTaken: number | null;
}

interface VerdictColumns {
  organization_missing: boolean;
  max_allowed: number | null;
  organization_name: string | null;
  organization_slug: string | null;
  organization_image_url: string | null;
  unknown_roles: string[] | null;
  not_admins: string[] | null;
  members: string[] | null;
  duplicates: string[] | null;
  stale: string[] | null;
  seats_taken: number | bigint | string | null;
}

/** The created row's own columns: all null on the one row a blocked statement returns. */
type CreatedColumns = {
  [K in Exclude<keyof OrganizationInvitationView, 'organization_name' | 'organization_slug' | 'organization_image_url'>]: OrganizationInvitationView[K] | null;
};

const createStatements = new Map<string, string>();

/**
 * The create statement's text for one shape of call; its parameters are $1 the items as JSON,
 * $2 the organization id, $3 the role keys, $4 the addresses, $5 the number of items, and with
 * inviters $6 their ids and $7 the permission they need. Parts that cannot matter for a call are
 * left out rather than computed to nothing (cheaper to plan and run): the inviter checks when no
 * item names an inviter, the seat count when the caller does not hold the organization lock. Each
 * text is built once and runs as a named prepared statement on PostgreSQL (PREPARED_MARK), so it is
 * parsed and planned once per connection rather than on every call.
 */
function createStatement(withInviters: boolean, locked: boolean, perItem: boolean): string {
  const shape = `${withInviters}/${locked}/${perItem}`;
  const cached = createStatements.get(shape);
  if (cached !== undefined) return cached;
  const notAdmins = !withInviters
    ? 'NULL::text[]'
    : `(SELECT array_agg(u ORDER BY u) FROM unnest($6::text[]) u
          WHERE NOT EXISTS (
            SELECT 1 FROM organization_memberships m
            JOIN role_permissions rp ON rp.role_id = m.role_id
            JOIN permissions p ON p.id = rp.permission_id
            WHERE m.organization_id = $2::text AND m.user_id = u AND p.key = $7::text))`;
  const seatsTaken = !locked
    ? 'NULL::bigint'
    : `CASE WHEN o.max_allowed_memberships > 0 THEN
          (SELECT count(*) FROM organization_memberships WHERE organization_id = $2::text)
          + (SELECT count(*) FROM organization_invitations
             WHERE organization_id = $2::text AND status = 'pending' AND expires_at > now())
        END`;
  const inviterRows = !withInviters
    ? 'SELECT NULL::text AS id, NULL::text AS first_name, NULL::text AS last_name, NULL::text AS username, NULL::text AS email WHERE false'
    : `SELECT u.id, u.first_name, u.last_name, u.username,
               (SELECT e.email FROM email_addresses e WHERE e.id = u.primary_email_address_id) AS email
            FROM users u WHERE u.id = ANY($6::text[])`;
  // All or nothing: nothing is written if anything blocks. Per item: each item is written unless
  // something blocks it (its verdict, first match, in the order of blockedError), and nothing is
  // written to a missing organization or to one with a seat limit (those need the lock).
  const insertAll = `NOT v.organization_missing AND v.unknown_roles IS NULL AND v.not_admins IS NULL AND v.members IS NULL
        AND v.duplicates IS NULL AND v.stale IS NULL
        AND (v.max_allowed = 0 OR v.seats_taken + $5::bigint <= v.max_allowed)`;
  // ($5, the number of items, serves only the seat check of insertAll; it is named in insertEach so
  // that PostgreSQL knows its type.)
  const insertEach = 'NOT v.organization_missing AND v.max_allowed = 0 AND $5::bigint > 0 AND iv.ord = input.ord AND iv.blocked IS NULL';
  const itemVerdict = `item_verdict AS MATERIALIZED (
      SELECT input.ord, input.id,
             CASE WHEN NOT EXISTS (SELECT 1 FROM role r WHERE r.key = input.role_key) THEN 'unknown_role'
                  WHEN input.inviter_user_id = ANY (v.not_admins) THEN 'not_admin'
                  WHEN input.email = ANY (v.members) THEN 'member'
                  WHEN input.email = ANY (v.duplicates) THEN 'duplicate'
                  WHEN input.email = ANY (v.stale) THEN 'stale' END AS blocked
      FROM input, verdict v
    ),`;
  const text = `${PREPARED_MARK}
    WITH input AS (
      SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(
        ord int, id text, email text, role_key text, inviter_user_id text, public_metadata jsonb, private_metadata jsonb,
        redirect_url text, notify boolean, ticket_hash text, expires_in_days int, message_id text, payload jsonb, mailbox boolean)
    ),
    org AS (
      SELECT id, name, slug, image_url, max_allowed_memberships FROM organizations WHERE id = $2::text FOR SHARE
    ),
    role AS (
      SELECT id, key, name FROM roles WHERE key = ANY($3::text[])
    ),
    -- Invitations to these addresses in ANY organization, found through the index on (email,
    -- status): a handful of rows whatever the organization's size. MATERIALIZED keeps the
    -- organization and status filters out of this scan: with them, a plan made while the
    -- statistics have not seen the organization (a new one, estimated at one row) or the table
    -- (empty when the statement was first planned: the generic plan is kept) picks a partial index
    -- on pending rows and reads every pending invitation (of the organization) on every create.
    same_address AS MATERIALIZED (
      SELECT organization_id, email, status, expires_at FROM organization_invitations
      WHERE email = ANY($4::text[])
    ),
    verdict AS (
      SELECT
        o.id IS NULL AS organization_missing,
        o.max_allowed_memberships AS max_allowed,
        o.name AS organization_name, o.slug AS organization_slug, o.image_url AS organization_image_url,
        (SELECT array_agg(k ORDER BY k) FROM unnest($3::text[]) k WHERE k NOT IN (SELECT key FROM role)) AS unknown_roles,
        ${notAdmins} AS not_admins,
        (SELECT array_agg(DISTINCT e.email) FROM email_addresses e
          JOIN organization_memberships m ON m.user_id = e.user_id AND m.organization_id = $2::text
          WHERE e.email = ANY($4::text[])) AS members,
        b.duplicates, b.stale,
        ${seatsTaken} AS seats_taken
      FROM (
        SELECT array_agg(DISTINCT i.email) FILTER (WHERE i.expires_at > now()) AS duplicates,
               array_agg(DISTINCT i.email) FILTER (WHERE i.expires_at <= now()) AS stale
        FROM same_address i
        WHERE i.organization_id = $2::text AND i.status = 'pending'
      ) b
      LEFT JOIN org o ON true
    ),
    ${perItem ? itemVerdict : ''}
    ins AS (
      INSERT INTO organization_invitations (id, organization_id, email, role_id, inviter_user_id, public_metadata, private_metadata,
                                            redirect_url, notify, ticket_hash, expires_at)
      SELECT input.id, $2::text, input.email, r.id, input.inviter_user_id, input.public_metadata, input.private_metadata,
             input.redirect_url, input.notify, decode(input.ticket_hash, 'hex'), now() + make_interval(days => input.expires_in_days)
      FROM input JOIN role r ON r.key = input.role_key, verdict v${perItem ? ', item_verdict iv' : ''}
      WHERE ${perItem ? insertEach : insertAll}
      ORDER BY input.ord
      RETURNING id, email, role_id, inviter_user_id, public_metadata, private_metadata, redirect_url, status,
                expires_at, created_at, updated_at
    ),
    inviter AS (${inviterRows}),
    created AS (
      SELECT ins.*, input.ord, input.message_id, input.payload, input.mailbox, r.key AS role_key, r.name AS role_name,
             inviter.first_name AS inviter_first_name, inviter.last_name AS inviter_last_name,
             inviter.username AS inviter_username, inviter.email AS inviter_email
      FROM ins JOIN input ON input.id = ins.id JOIN role r ON r.id = ins.role_id
      LEFT JOIN inviter ON inviter.id = ins.inviter_user_id
    ),
    queued AS (
      INSERT INTO outbox (topic, payload, message_id, ${OUTBOX_DELIVERY_COLUMNS})
      SELECT 'email',
             jsonb_set(c.payload, '{vars}', (c.payload -> 'vars') || jsonb_build_object(
               'organization_name', v.organization_name,
               'role_name', c.role_name,
               'inviter_name', NULLIF(concat_ws(' ', c.inviter_first_name, c.inviter_last_name), ''),
               'inviter_email', c.inviter_email,
               'expires_at', floor(extract(epoch FROM c.expires_at) * 1000)::bigint)),
             c.message_id,
             ${outboxDeliveryValues('c.mailbox')}
      FROM created c, verdict v
      WHERE c.payload IS NOT NULL
    ),
    audited AS (
      INSERT INTO audit_log (actor, action, target, data)
      SELECT 'backend_api', 'organization_invitation.created', c.id,
             jsonb_build_object('organization_id', $2::text, 'role', c.role_key, 'inviter_user_id', c.inviter_user_id)
      FROM created c
    )
    SELECT v.*, ${perItem ? 'iv.blocked' : 'NULL::text AS blocked'}, c.id, $2::text AS organization_id, c.email, c.inviter_user_id,
           c.public_metadata, c.private_metadata, c.redirect_url, c.status, c.expires_at, c.created_at, c.updated_at,
           c.role_key, c.role_name, c.inviter_first_name, c.inviter_last_name, c.inviter_username, c.inviter_email
    FROM verdict v ${perItem ? 'CROSS JOIN item_verdict iv LEFT JOIN created c ON c.id = iv.id ORDER BY iv.ord' : 'LEFT JOIN created c ON true ORDER BY c.ord'}`;
  createStatements.set(shape, text);
  return text;
}

/**
 * Creates the invitations, their outbox rows (for items with an email) and audit rows in ONE
 * statement, but only if nothing blocks them; otherwise it writes nothing and the verdict says why:
 * missing organization, unknown role, inviter without `managePermission`, invitee already a
 * member, live or stale pending invitation for the address, or the seat limit.
 *
 * The seat limit needs the organization row lock (lockOrganization, FOR UPDATE) taken by an
 * EARLIER statement of the caller's transaction, so that this statement's snapshot includes every
 * invitation and membership committed by whoever held the lock before. `locked` says the caller
 * holds it. Without it, an organization with a limit (max_allowed_memberships > 0) is never
 * written to (the caller retries under the lock); an unlimited one is, in this one statement,
 * holding the row FOR SHARE: that blocks a concurrent change of the limit and every
 * lockOrganization until commit, so a limit set later counts these invitations.
 *
 * Two concurrent statements for one (organization, address) cannot both insert: the partial unique
 * index organization_invitations_pending_key refuses the second (see createConflictOf).
 *
 * The lookups take arrays rather than joining the input rows, so each is a plain index probe and
 * the statement stays cheap to plan.
 */
async function runCreateStatement(
  db: Db,
  organizationId: string,
  items: NewOrganizationInvitation[],
  opts: { locked: boolean; managePermission: string; perItem: boolean },
): Promise<(VerdictColumns & CreatedColumns & { blocked: ItemBlock | null })[]> {
  const input = JSON.stringify(
    items.map((it, ord) => ({
      ord,
      id: it.id,
      email: it.email,
      role_key: it.roleKey,
      inviter_user_id: it.inviterUserId,
      public_metadata: it.publicMetadata,
      private_metadata: it.privateMetadata,
      redirect_url: it.redirectUrl,
      notify: it.notify,
      ticket_hash: it.ticketHash.toString('hex'),
      expires_in_days: it.expiresInDays,
      message_id: it.outboxEmail?.messageId ?? null,
      payload: it.outboxEmail?.payload ?? null,
      mailbox: it.outboxEmail?.mailbox ?? false,
    })),
  );
  const emails = [...new Set(items.map((it) => it.email))];
  const roleKeys = [...new Set(items.map((it) => it.roleKey))];
  const inviters = [...new Set(items.flatMap((it) => (it.inviterUserId === null ? [] : [it.inviterUserId])))];
  const withInviters = inviters.length > 0;
  const parameters: unknown[] = [input, organizationId, roleKeys, emails, items.length];
  if (withInviters) parameters.push(inviters, opts.managePermission);
  const result = await db.executeQuery<VerdictColumns & CreatedColumns & { blocked: ItemBlock | null }>(
    CompiledQuery.raw(createStatement(withInviters, opts.locked, opts.perItem), parameters),
  );
  if (result.rows.length === 0) throw new Error('the organization invitation create statement returned no row');
  return result.rows;
}

function createdView(r: CreatedColumns & VerdictColumns, organizationId: string): OrganizationInvitationView | null {
  if (r.id === null) return null;
  return {
    id: r.id,
    organization_id: organizationId,
    email: r.email!,
    inviter_user_id: r.inviter_user_id,
    public_metadata: r.public_metadata ?? {},
    private_metadata: r.private_metadata ?? {},
    redirect_url: r.redirect_url,
    status: r.status!,
    expires_at: r.expires_at!,
    created_at: r.created_at!,
    updated_at: r.updated_at!,
    role_key: r.role_key!,
    role_name: r.role_name!,
    organization_name: r.organization_name!,
    organization_slug: r.organization_slug!,
    organization_image_url: r.organization_image_url,
    inviter_first_name: r.inviter_first_name,
    inviter_last_name: r.inviter_last_name,
    inviter_username: r.inviter_username,
    inviter_email: r.inviter_email,
  };
}

export async function insertOrganizationInvitationsIfFree(
  db: Db,
  organizationId: string,
  items: NewOrganizationInvitation[],
  opts: { locked: boolean; managePermission: string },
): Promise<CreateVerdict> {
  const rows = await runCreateStatement(db, organizationId, items, { ...opts, perItem: false });
  const first = rows[0]!;
  return {
    created: rows.flatMap((r) => createdView(r, organizationId) ?? []),
    organizationMissing: first.organization_missing,
    maxAllowed: first.max_allowed,
    unknownRoles: first.unknown_roles ?? [],
    notAdmins: first.not_admins ?? [],
    members: first.members ?? [],
    duplicates: first.duplicates ?? [],
    stale: first.stale ?? [],
    seatsTaken: first.seats_taken === null ? null : Number(first.seats_taken),
  };
}

/** Why one item of a per-item create was not written (the rules of CreateVerdict, for that item alone). */
export type ItemBlock = 'unknown_role' | 'not_admin' | 'member' | 'duplicate' | 'stale';

export interface EachVerdict {
  organizationMissing: boolean;
  /** 0 = unlimited. With a limit nothing is written: the seat count needs the organization lock. */
  maxAllowed: number | null;
  /** One per item, in input order. */
  items: { blocked: ItemBlock | null; created: OrganizationInvitationView | null }[];
}

/**
 * The same statement per item, for coalesced single creates: each item is written unless something
 * blocks it, whatever the others' verdicts. Items must have distinct addresses (the caller sees to
 * it). Nothing is written to a missing organization or one with a seat limit; the verdict says so.
 */
export async function insertOrganizationInvitationsEach(
  db: Db,
  organizationId: string,
  items: NewOrganizationInvitation[],
  opts: { managePermission: string },
): Promise<EachVerdict> {
  const rows = await runCreateStatement(db, organizationId, items, { ...opts, locked: false, perItem: true });
  const first = rows[0]!;
  return {
    organizationMissing: first.organization_missing,
    maxAllowed: first.max_allowed,
    items: rows.map((r) => ({ blocked: r.blocked, created: createdView(r, organizationId) })),
  };
}

/** Rewrites this organization's pending-but-past-expiry invitations for these addresses to 'expired', so the unique index lets new ones in. */
export async function expireStaleOrganizationInvitations(trx: Transaction<Database>, organizationId: string, emails: string[]): Promise<void> {
  await trx
    .updateTable('organization_invitations')
    .set({ status: 'expired', updated_at: sql<Date>`now()` })
    .where('organization_id', '=', organizationId)
    .where('email', 'in', emails)
    .where('status', '=', 'pending')
    .where('expires_at', '<=', sql<Date>`now()`)
    .execute();
}

/**
 * What a failed create statement ran into, for a database error that a concurrent writer can
 * cause between the statement's checks and its insert: a pending invitation for the same
 * (organization, address) committed first (the partial unique index), or the role or inviter
 * deleted meanwhile (foreign keys). null for anything else.
 */
export function createConflictOf(err: unknown): 'duplicate' | 'role' | 'inviter' | 'organization' | null {
  if (isUniqueViolation(err, PENDING_KEY)) return 'duplicate';
  if (typeof err !== 'object' || err === null) return null;
  const e = err as { code?: unknown; constraint?: unknown; message?: unknown };
  if (e.code !== '23503') return null;
  const text = `${typeof e.constraint === 'string' ? e.constraint : ''} ${typeof e.message === 'string' ? e.message : ''}`;
  if (text.includes('organization_invitations_role_id_fkey')) return 'role';
  if (text.includes('organization_invitations_inviter_user_id_fkey')) return 'inviter';
  if (text.includes('organization_invitations_organization_id_fkey')) return 'organization';
  return null;
}
