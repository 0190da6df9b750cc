// SQL for application invitations. An invitation "is" expired when it is pending past expires_at:
// every read computes that in SQL (effectiveStatus), so no job has to run first.
import { CompiledQuery, sql, type Kysely, type Selectable, type SelectQueryBuilder, type Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import { PREPARED_MARK } from '../../db/open.ts';
import { totalFromCounters } from './invitation-counts.ts';
import type { InvitationRow, InvitationStatus, InvitationsTable } from './invitation.table.ts';
import { OUTBOX_DELIVERY_COLUMNS, outboxDeliveryValues } from '../../mail/outbox.repository.ts';

type Db = Kysely<Database> | Transaction<Database>;

export type InvitationView = Omit<InvitationRow, 'ticket_hash'>;

const effectiveStatus = sql<InvitationStatus>`CASE WHEN status = 'pending' AND expires_at <= now() THEN 'expired' ELSE status END`.as('status');

const viewColumns = [
  'id', 'email', 'public_metadata', 'redirect_url', 'notify', 'allow_duplicate', 'template_slug',
  'expires_at', 'accepted_user_id', 'created_at', 'updated_at',
] as const satisfies readonly (keyof Selectable<InvitationsTable>)[];

export interface NewInvitation {
  id: string;
  email: string;
  publicMetadata: Record<string, unknown>;
  redirectUrl: string | null;
  notify: boolean;
  allowDuplicate: boolean;
  templateSlug: 'invitation' | 'waitlist_invitation';
  ticketHash: Buffer;
  expiresInDays: number;
}

/** Rewrites pending-but-past-expiry rows for these addresses to 'expired', so they stop counting as pending. */
export async function expireStaleInvitations(trx: Transaction<Database>, emails: string[]): Promise<void> {
  await trx
    .updateTable('invitations')
    .set({ status: 'expired', updated_at: sql<Date>`now()` })
    .where('email', 'in', emails)
    .where('status', '=', 'pending')
    .where('expires_at', '<=', sql<Date>`now()`)
    .execute();
}

export async function findInvitationForUpdate(trx: Transaction<Database>, id: string): Promise<InvitationView | undefined> {
  return trx.selectFrom('invitations').select([...viewColumns, effectiveStatus]).where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function findInvitationByTicketHash(db: Db, hash: Buffer): Promise<InvitationView | undefined> {
  return db.selectFrom('invitations').select([...viewColumns, effectiveStatus]).where('ticket_hash', '=', hash).executeTakeFirst();
}

export async function setInvitationStatus(trx: Transaction<Database>, id: string, status: InvitationStatus): Promise<InvitationView> {
  return trx
    .updateTable('invitations')
    .set({ status, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .returning([...viewColumns, effectiveStatus])
    .executeTakeFirstOrThrow();
}

export interface InvitationFilter {
  statuses?: InvitationStatus[];
  query?: string;
}

function applyFilter<O>(qb: SelectQueryBuilder<Database, 'invitations', O>, f: InvitationFilter): SelectQueryBuilder<Database, 'invitations', O> {
  let q = qb;
  const statuses = f.statuses && f.statuses.length > 0 ? f.statuses : null;
  const now = sql<Date>`now()`;
  if (statuses) {
    q = q.where((eb) =>
      eb.or(
        statuses.map((s) => {
          switch (s) {
            case 'pending':
              return eb.and([eb('status', '=', 'pending'), eb('expires_at', '>', now)]);
            case 'expired':
              return eb.or([eb('status', '=', 'expired'), eb.and([eb('status', '=', 'pending'), eb('expires_at', '<=', now)])]);
            default:
              return eb('status', '=', s);
          }
        }),
      ),
    );
  } else {
    q = q.where('status', '!=', 'revoked');
  }
  if (f.query) {
    const like = `%${f.query.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const query = f.query;
    q = q.where((eb) => eb.or([eb('email', 'like', like), eb('id', '=', query)]));
  }
  return q;
}

export async function listInvitations(
  db: Db,
  f: InvitationFilter,
  page: { limit: number; offset: number; orderBy: 'created_at' | 'email' | 'expires_at'; direction: 'asc' | 'desc' },
): Promise<InvitationView[]> {
  const q = applyFilter(db.selectFrom('invitations').select([...viewColumns, effectiveStatus]), f);
  return q
    .orderBy(page.orderBy, page.direction)
    .orderBy('id', page.direction)
    .limit(page.limit)
    .offset(page.offset)
    .execute();
}

/**
 * total_count for a list. With a text query it counts matching rows. Otherwise it reads the
 * trigger-kept per-status counters and corrects them for pending rows past expiry (found through
 * the partial index invitations_pending_expiry_idx): the cost does not grow with the table.
 */
export async function countInvitations(db: Db, f: InvitationFilter): Promise<number> {
  if (f.query) {
    const q = applyFilter(db.selectFrom('invitations').select((eb) => eb.fn.countAll<number>().as('n')), f);
    return Number((await q.executeTakeFirstOrThrow()).n);
  }
  const [byStatus, stale] = await Promise.all([
    db.selectFrom('invitation_counts').select(['status', (eb) => eb.fn.sum<number>('n').as('n')]).groupBy('status').execute(),
    db
      .selectFrom('invitations')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'pending')
      .where('expires_at', '<=', sql<Date>`now()`)
      .executeTakeFirstOrThrow(),
  ]);
  const statuses: InvitationStatus[] = f.statuses && f.statuses.length > 0 ? f.statuses : ['pending', 'expired', 'accepted'];
  return totalFromCounters(byStatus, Number(stale.n), statuses);
}

/** Deletes the invitation and its email (outbox rows, which the dev mailbox shows too). */
export async function deleteInvitationAndEmails(trx: Transaction<Database>, id: string): Promise<boolean> {
  const messageIds = await trx
    .selectFrom('outbox')
    .select('message_id')
    .where(sql<string>`payload -> 'vars' ->> 'invitation_id'`, '=', id)
    .execute();
  if (messageIds.length > 0) {
    const ids = messageIds.map((m) => m.message_id);
    await trx.deleteFrom('outbox').where('message_id', 'in', ids).execute();
  }
  const res = await trx.deleteFrom('invitations').where('id', '=', id).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

export interface NewInvitationEmail {
  messageId: string;
  /** The outbox payload without vars.expires_at, which the statement adds from the stored row. */
  payload: Record<string, unknown>;
  /** Delivered into the dev mailbox by the statement itself (mail/transport.ts, deliversToMailbox). */
  mailbox: boolean;
}

/** Why an item was not written: a live pending invitation for its address (unless the item allows
 * duplicates), a user owning the address (for items with checkUsers), or only a pending invitation
 * past its expiry, which must be marked expired first (the unique index still holds it). */
export type InsertBlock = 'duplicate' | 'claimed' | 'stale';

export interface InsertItemVerdict {
  /** null when the item was written. */
  blocked: InsertBlock | null;
  /** The created row; null when blocked, or when another item blocked an all-or-nothing call. */
  created: InvitationView | null;
}

/**
 * The create statement (insertInvitationsIfFree); $1 is the items as JSON, $2 whether the call is
 * all or nothing. A constant text run as a named prepared statement on PostgreSQL (PREPARED_MARK):
 * planning this CTE costs more than running it.
 *
 * A prepared statement keeps its generic plan until the statistics change, and without ANALYZE
 * (autovacuum off, or a table that grew since) that plan may have been made when the tables were
 * empty. So the lookups are written to be index probes whatever the statistics say: the addresses
 * as an array (`email = ANY (…)`, through invitations_email_idx and email_addresses_email_key), and
 * the status tested after the MATERIALIZED lookup rather than in it, so that no partial index on
 * pending rows can be picked and scanned whole (which a plan made on an empty table does: it
 * expects one pending row).
 *
 * The verdict of an item, first match: 'duplicate' (a live pending invitation for its address and
 * the item does not allow duplicates), 'claimed' (a user owns the address and the item checks
 * users), 'stale' (only a pending invitation past its expiry). Items of one call have distinct
 * addresses where it matters (the callers see to it), so they are not checked against each other.
 */
const INSERT_IF_FREE = `${PREPARED_MARK}
    WITH input AS (
      SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(
        ord int, id text, email text, public_metadata jsonb, redirect_url text, notify boolean, allow_duplicate boolean,
        template_slug text, ticket_hash text, expires_in_days int, check_users boolean, message_id text, payload jsonb, mailbox boolean)
    ),
    same_email AS MATERIALIZED (
      SELECT email, status, expires_at FROM invitations
      WHERE email = ANY (ARRAY(SELECT email FROM input WHERE NOT allow_duplicate))
    ),
    blocking AS (
      SELECT email, bool_or(expires_at > now()) AS live FROM same_email WHERE status = 'pending' GROUP BY email
    ),
    claimed AS (
      SELECT DISTINCT email FROM email_addresses WHERE email = ANY (ARRAY(SELECT email FROM input WHERE check_users))
    ),
    verdict AS MATERIALIZED (
      SELECT i.ord, i.id,
             CASE WHEN b.live THEN 'duplicate'
                  WHEN i.check_users AND c.email IS NOT NULL THEN 'claimed'
                  WHEN NOT b.live THEN 'stale' END AS blocked
      FROM input i
      LEFT JOIN blocking b ON b.email = i.email AND NOT i.allow_duplicate
      LEFT JOIN claimed c ON c.email = i.email
    ),
    ins AS (
      INSERT INTO invitations (id, email, public_metadata, redirect_url, notify, allow_duplicate, template_slug, ticket_hash, expires_at)
      SELECT i.id, i.email, i.public_metadata, i.redirect_url, i.notify, i.allow_duplicate, i.template_slug, decode(i.ticket_hash, 'hex'),
             now() + make_interval(days => i.expires_in_days)
      FROM input i JOIN verdict v ON v.ord = i.ord
      WHERE v.blocked IS NULL AND NOT ($2::boolean AND EXISTS (SELECT 1 FROM verdict WHERE blocked IS NOT NULL))
      ORDER BY i.ord
      RETURNING id, email, public_metadata, redirect_url, notify, allow_duplicate, template_slug, expires_at,
                accepted_user_id, created_at, updated_at, status
    ),
    queued AS (
      INSERT INTO outbox (topic, payload, message_id, ${OUTBOX_DELIVERY_COLUMNS})
      SELECT 'email',
             jsonb_set(input.payload, '{vars,expires_at}', to_jsonb(floor(extract(epoch FROM ins.expires_at) * 1000)::bigint)),
             input.message_id,
             ${outboxDeliveryValues('input.mailbox')}
      FROM ins JOIN input ON input.id = ins.id
      WHERE input.payload IS NOT NULL
    ),
    audited AS (
      INSERT INTO audit_log (actor, action, target) SELECT 'backend_api', 'invitation.created', id FROM ins
    )
    SELECT v.blocked, ins.*
    FROM verdict v LEFT JOIN ins ON ins.id = v.id
    ORDER BY v.ord`;

/**
 * Creates invitations, their outbox rows and audit rows in ONE statement (so one round trip and
 * atomic without an explicit transaction). Each item is written unless it is blocked (see
 * INSERT_IF_FREE); with allOrNothing, nothing is written when any item is. Returns one verdict per
 * item, in input order. Two concurrent statements for one address cannot both insert: the partial
 * unique index invitations_pending_email_key makes the second fail with 23505 (and write nothing).
 */
export async function insertInvitationsIfFree(
  db: Db,
  items: { row: NewInvitation; checkUsers: boolean; email: NewInvitationEmail | null }[],
  opts: { allOrNothing: boolean },
): Promise<InsertItemVerdict[]> {
  const input = JSON.stringify(
    items.map((it, ord) => ({
      ord,
      id: it.row.id,
      email: it.row.email,
      public_metadata: it.row.publicMetadata,
      redirect_url: it.row.redirectUrl,
      notify: it.row.notify,
      allow_duplicate: it.row.allowDuplicate,
      template_slug: it.row.templateSlug,
      ticket_hash: it.row.ticketHash.toString('hex'),
      expires_in_days: it.row.expiresInDays,
      check_users: it.checkUsers,
      message_id: it.email?.messageId ?? null,
      payload: it.email?.payload ?? null,
      mailbox: it.email?.mailbox ?? false,
    })),
  );
  const result = await db.executeQuery<Nullable<InvitationView> & { blocked: InsertBlock | null }>(
    CompiledQuery.raw(INSERT_IF_FREE, [input, opts.allOrNothing]),
  );
  return result.rows.map(({ blocked, ...row }) => ({ blocked, created: row.id === null ? null : (row as InvitationView) }));
}

type Nullable<T> = { [K in keyof T]: T[K] | null };

/**
 * Rewrites up to `limit` pending invitations past their expiry to 'expired' (they already read as
 * expired; this keeps the set that list counts must correct for small). SKIP LOCKED: several
 * processes may sweep at once without waiting on each other.
 */
export async function expireOverdueInvitations(db: Db, limit: number): Promise<number> {
  const res = await sql`
    UPDATE invitations SET status = 'expired', updated_at = now()
    WHERE id IN (
      SELECT id FROM invitations WHERE status = 'pending' AND expires_at <= now()
      ORDER BY expires_at LIMIT ${limit} FOR UPDATE SKIP LOCKED
    )`.execute(db);
  return Number(res.numAffectedRows ?? 0n);
}
